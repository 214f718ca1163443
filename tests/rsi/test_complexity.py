"""Complexity upper bounds (Mahoney 2008, Bounds on RSI): compressed lengths with each
compressor's empty-input overhead, and the a + b·ln n least-squares fit."""
import lzma
import math

import pytest

from rsi.complexity import COMPRESSORS, complexity_bounds, compressed_length, empty_overhead, fit_log
from rsi.examples import example6_source

SOURCE = example6_source().encode()


def test_the_standard_library_compressors_are_always_available():
    assert {"zlib", "lzma", "bz2"} <= set(COMPRESSORS)


@pytest.mark.parametrize("method", COMPRESSORS)
def test_empty_overhead_is_the_length_of_compressing_nothing(method):
    assert empty_overhead(method) == compressed_length(b"", method) > 0


@pytest.mark.parametrize("data", [b"", SOURCE, SOURCE * 40, bytes(range(256)) * 50])
def test_capped_lzma_dictionary_gives_the_length_of_preset_9_extreme(data):
    assert compressed_length(data, "lzma") == len(lzma.compress(data, preset=9 | lzma.PRESET_EXTREME))


def test_repetition_compresses_below_its_byte_length():
    bounds = complexity_bounds(SOURCE * 40)
    assert bounds.bytes == 40 * len(SOURCE)
    assert set(bounds.compressed) == set(COMPRESSORS) == set(bounds.overhead)
    assert all(length < bounds.bytes / 10 for length in bounds.compressed.values())
    assert bounds.to_dict()["bytes"] == bounds.bytes


def test_unknown_compressor_is_named():
    with pytest.raises(ValueError, match="'gzip'.*zlib"):
        compressed_length(b"x", "gzip")


def test_fit_log_recovers_exact_coefficients():
    ns = [1, 2, 5, 10, 50, 100]
    sizes = [3.0 + 2.0 * math.log(n) for n in ns]
    fit = fit_log(ns, sizes)
    assert fit.a == pytest.approx(3.0) and fit.b == pytest.approx(2.0)
    assert fit.rms == pytest.approx(0.0, abs=1e-9) and len(fit.residuals) == len(ns)


def test_fit_log_residuals_are_size_minus_fit():
    ns, sizes = [1, 2, 3, 4], [10.0, 12.0, 11.0, 15.0]
    fit = fit_log(ns, sizes)
    for n, size, residual in zip(ns, sizes, fit.residuals, strict=False):
        assert residual == pytest.approx(size - (fit.a + fit.b * math.log(n)))
    assert sum(fit.residuals) == pytest.approx(0.0, abs=1e-9)  # least squares with an intercept
    assert set(fit.to_dict()) == {"a", "b", "residuals", "rms"}


@pytest.mark.parametrize("ns, sizes, message", [
    ([0, 1, 2], [1, 2, 3], "n must be >= 1"),
    ([1, 2], [1.0], "equal-length"),
    ([3, 3, 3], [1, 2, 3], "two different n"),
])
def test_fit_log_rejects_bad_input(ns, sizes, message):
    with pytest.raises(ValueError, match=message):
        fit_log(ns, sizes)

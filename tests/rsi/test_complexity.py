"""Complexity upper bounds (Mahoney 2008, Bounds on RSI): compressed lengths with each
compressor's empty-input overhead, the a + b·ln n least-squares fit, and the Theorem's
constructive description D_n built as text and verified by running it."""
import lzma
import math

import pytest

from rsi.complexity import (
    COMPRESSORS,
    complexity_bounds,
    compressed_length,
    constructive_description,
    description_sample,
    empty_overhead,
    fit_log,
    verify_descriptions,
)
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


CONTROL = "value = START\nfor _ in range(N):\n    value = 2 * value\nOUTPUT = value\n"


def run_control(text: str) -> int:
    namespace: dict = {}
    exec(text, namespace)
    return namespace["OUTPUT"]


def test_constructive_description_is_the_held_data_then_the_control_text():
    text = constructive_description({"START": "3", "N": "4"}, CONTROL)
    assert text == "START = 3\nN = 4\n" + CONTROL and run_control(text) == 48


def test_constructive_description_needs_python_names():
    with pytest.raises(ValueError, match="Python name"):
        constructive_description({"not a name": "1"}, CONTROL)


def test_description_sample_is_every_n_up_to_the_limit_then_powers_of_two_and_the_last():
    assert description_sample(5, 10) == (1, 2, 3, 4, 5)
    assert description_sample(40, 3) == (1, 2, 3, 4, 8, 16, 32, 40)
    with pytest.raises(ValueError, match="n must be"):
        description_sample(0, 3)


def test_verify_descriptions_passes_only_descriptions_that_print_p_n():
    def describe(n: int) -> str:
        return constructive_description({"START": "1", "N": str(n)}, CONTROL)

    right = verify_descriptions([1, 2, 5], describe, run_control, lambda n: 2**n)
    assert right.verified and right.difference == (0.0, 0.0, 0.0) and right.failed == ()
    wrong = verify_descriptions([1, 2, 5], describe, run_control, lambda n: 2**n + (n == 5),
                                difference=lambda got, want: abs(got - want))
    assert not wrong.verified and wrong.failed == (5,) and wrong.difference[2] == 1
    failed_run = verify_descriptions([1], describe, lambda text: None, lambda n: 2)
    assert failed_run.failed == (1,) and failed_run.difference == (None,)
    assert not verify_descriptions([], describe, run_control, lambda n: 0).verified  # nothing checked

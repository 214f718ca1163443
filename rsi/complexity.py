"""Upper bounds on algorithmic (Kolmogorov) complexity, and the a + b·ln n fit.

Mahoney 2008, section "Bounds on RSI": "the algorithmic complexity of P_n is O(log n)" —
"recall that the algorithmic complexity of a string x is the length of the shortest program
that outputs x".  K(x) is not computable; every compressor gives an upper bound up to the
constant size of its decompressor: K(x) <= compressed_length(x) + c.  Each compressor also
spends a fixed header on every input, reported as its empty-input overhead (the compressed
length of b""), so that sizes can be compared without it.

Compressors: zlib (level 9), bz2 (level 9), lzma (.xz container, preset 9 | PRESET_EXTREME)
and zstd (level 22) when the optional `zstandard` module is importable.  lzma's dictionary
is capped at the input length (at least 4 KiB): a dictionary longer than the input cannot
find more matches, so the length is that of plain preset 9 | EXTREME, while skipping the
allocation of its 64 MiB dictionary makes a call on a program-sized input about 100 times
faster (bench/complexity_lzma.py measures both).

The Theorem's proof bounds K(P_n) by a program "that takes P_1 and n as input, sets P = P_1
and iterates P <- P(-1)".  `constructive_description` builds that program as real text: the
data it holds (P_1 or a seed and a configuration, and n), one assignment each, then a fixed
control part that iterates the self-map.  The text counts as an upper bound on K(P_n) only
once it has been run and printed P_n: `verify_descriptions` runs D_n for each n of a sample
(`description_sample`) with a runner the caller passes in (the text harness, or the neural
replay: this module runs nothing itself) and compares its output with P_n.
"""
from __future__ import annotations

import bz2
import lzma
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np


def _lzma(data: bytes) -> bytes:
    lzma2 = {
        "id": lzma.FILTER_LZMA2,
        "preset": 9 | lzma.PRESET_EXTREME,
        "dict_size": max(4096, len(data)),
    }
    return lzma.compress(data, format=lzma.FORMAT_XZ, filters=[lzma2])


def _compressors() -> dict[str, Callable[[bytes], bytes]]:
    found: dict[str, Callable[[bytes], bytes]] = {
        "zlib": lambda data: zlib.compress(data, 9),
        "lzma": _lzma,
        "bz2": lambda data: bz2.compress(data, 9),
    }
    try:
        import zstandard
    except ImportError:
        return found
    found["zstd"] = zstandard.ZstdCompressor(level=22).compress
    return found


_COMPRESS = _compressors()
COMPRESSORS: tuple[str, ...] = tuple(_COMPRESS)


def compressed_length(data: bytes, method: str = "lzma") -> int:
    """Length in bytes of `data` compressed by `method` (one of COMPRESSORS)."""
    if method not in _COMPRESS:
        raise ValueError(f"unknown compressor {method!r}; available: {', '.join(COMPRESSORS)}")
    return len(_COMPRESS[method](bytes(data)))


def empty_overhead(method: str) -> int:
    """The compressor's fixed cost: the compressed length of b""."""
    return compressed_length(b"", method)


@dataclass(frozen=True)
class ComplexityBounds:
    """Upper bounds on K(data): its length and its length under each compressor, with each
    compressor's empty-input overhead."""

    bytes: int
    compressed: dict[str, int]
    overhead: dict[str, int]

    def to_dict(self) -> dict:
        return asdict(self)


def complexity_bounds(data: bytes) -> ComplexityBounds:
    """Byte length and compressed lengths of `data` under every available compressor."""
    return ComplexityBounds(
        bytes=len(data),
        compressed={method: compressed_length(data, method) for method in COMPRESSORS},
        overhead={method: empty_overhead(method) for method in COMPRESSORS},
    )


@dataclass(frozen=True)
class LogFit:
    """sizes ≈ a + b·ln n (least squares); residuals = size - fit, rms their root mean square."""

    a: float
    b: float
    residuals: tuple[float, ...]
    rms: float

    def to_dict(self) -> dict:
        return asdict(self)


def fit_log(ns: Sequence[int], sizes: Sequence[float]) -> LogFit:
    """Least-squares fit of sizes ≈ a + b·ln n (numpy.linalg.lstsq); every n must be >= 1 and
    at least two n must differ."""
    n = np.asarray(ns, dtype=float)
    y = np.asarray(sizes, dtype=float)
    if n.shape != y.shape or n.ndim != 1:
        raise ValueError(
            f"ns and sizes must be equal-length sequences, got shapes {n.shape} and {y.shape}"
        )
    if n.size and n.min() < 1:
        raise ValueError(f"every n must be >= 1, got {n.min():g}")
    if np.unique(n).size < 2:
        raise ValueError("fit_log needs at least two different n")
    design = np.column_stack([np.ones_like(n), np.log(n)])
    (a, b), *_ = np.linalg.lstsq(design, y, rcond=None)
    residuals = y - design @ np.array([a, b])
    return LogFit(
        a=float(a),
        b=float(b),
        residuals=tuple(float(r) for r in residuals),
        rms=float(np.sqrt(np.mean(residuals**2))),
    )


# ------------------------------------------------- the constructive description D_n, verified


def constructive_description(held: Mapping[str, str], control: str) -> str:
    """D_n: one line `NAME = LITERAL` for each datum the description holds (the literal given
    as Python source, in the order given), then the fixed `control` text that reads them."""
    for name in held:
        if not name.isidentifier():
            raise ValueError(f"a held datum needs a Python name, got {name!r}")
    return "".join(f"{name} = {literal}\n" for name, literal in held.items()) + control


def description_sample(n: int, all_up_to: int) -> tuple[int, ...]:
    """The k whose D_k is run, for a chain of n: every k up to `all_up_to`, then the powers of
    two and n itself (running D_k costs k steps of the chain)."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be an integer >= 1, got {n!r}")
    powers = {2**k for k in range(n.bit_length()) if 2**k <= n}
    return tuple(sorted(set(range(1, min(all_up_to, n) + 1)) | powers | {n}))


@dataclass(frozen=True)
class DescriptionCheck:
    """D_n run afresh for each n in `checked`: identical[k] whether its output equals P_n (for
    weights: bit for bit), difference[k] how far it was off (0.0 when identical; None when the
    caller gave no measure or the run produced nothing)."""

    checked: tuple[int, ...]
    identical: tuple[bool, ...]
    difference: tuple[float | None, ...]

    @property
    def verified(self) -> bool:
        return bool(self.checked) and all(self.identical)

    @property
    def failed(self) -> tuple[int, ...]:
        return tuple(n for n, same in zip(self.checked, self.identical, strict=True) if not same)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "verified": self.verified, "failed": list(self.failed)}


def verify_descriptions(
    ns: Iterable[int],
    describe: Callable[[int], str],
    run: Callable[[str], Any],
    expected: Callable[[int], Any],
    difference: Callable[[Any, Any], float] | None = None,
    tick: Callable[[str], None] | None = None,
) -> DescriptionCheck:
    """Run D_n = describe(n) with `run` for each n and compare its output with expected(n).
    `run` returns None for a run that failed (it is then not identical); `difference(output,
    expected)` measures a mismatch; `tick` hears "D_n" after each run."""
    checked, identical, differences = [], [], []
    for n in ns:
        output = run(describe(n))
        target = expected(n)
        same = output is not None and output == target
        checked.append(n)
        identical.append(bool(same))
        differences.append(0.0 if same else (difference(output, target)
                                             if difference is not None and output is not None else None))
        if tick:
            tick(f"D_{n}")
    return DescriptionCheck(tuple(checked), tuple(identical), tuple(differences))

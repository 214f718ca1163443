"""Upper bounds on the algorithmic complexity of trained weights, and Mahoney's Theorem for
training processes (Mahoney 2008, Theorem: "the algorithmic complexity of P_n is not greater
than O(log n)", by the proof's program that holds P_1 and n and iterates P <- P(-1)).

A deterministic training process (`neural.selfmaps`: regeneration or newton on a quine net,
Gabor et al.'s self-training) is an iterated self-map θ_{n+1} = F(θ_n), like P_{i+1} = P_i(-1)
of an RSI chain.  Two upper bounds on K(θ_n), the weights after step n:

- **Empirical** (`weight_complexity`): quantise θ_n to k bits (`quantize`: symmetric uniform,
  2^(k-1) - 1 levels each side of 0 scaled by max|θ|, the codes bit-packed; k = 32 is the
  float32 bytes themselves, no quantisation) and compress with `rsi.complexity`.  A loose
  bound: the compressor sees noise-like bits, not the process that made them.
- **Constructive** (`constructive_bound`): D_n, real Python text made of the data the process
  holds (configuration, seed, n) and its fixed CONTROL (`rsi.complexity.constructive_description`),
  which replays the process from the seed for n steps and leaves θ_n's float32 bytes in OUTPUT.
  |D_n| plus the source of every `neural` module D_n imports (`code_closure`; torch and
  Python are the machine, the same constant for every n) is |training code| + |seed| +
  digits(n): only the digits of n grow, O(log n).  It counts for K(θ_n) only because D_n
  really prints θ_n: `replay_check` runs D_n afresh (`run_description`, through
  `rsi.complexity.verify_descriptions`) and compares its bytes with the chain's θ_n bit for
  bit; a replay that differs is reported with its largest absolute difference, never passed.
  The bound describes θ_n exactly; the quantised weights are a function of θ_n, so K of those
  is at most the bound plus the size of `quantize`.  `compressed`, lzma of D_n and the code,
  is the same bound at the compressor's constant: the one to set beside compressed weights.

`weight_chain(process, generations)` runs the chain, gathers both bounds at the recorded n,
fits a + b·ln n (`rsi.complexity.fit_log`) and says at which n each bound is the tighter one.
"""
from __future__ import annotations

import ast
import importlib.util
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from neural.selfmaps import SelfMap
from rsi.complexity import (
    DescriptionCheck,
    compressed_length,
    constructive_description,
    description_sample,
    empty_overhead,
    fit_log,
    verify_descriptions,
)

FLOAT_BITS = 32  # "k = 32": the float32 weights themselves, not quantised
DEFAULT_BITS: tuple[int, ...] = (4, 8, 16, FLOAT_BITS)
REPLAY_ALL_UP_TO = 12  # D_n is replayed for every n up to this; beyond it for a sample


# ---------------------------------------------------------------- empirical: quantise, compress


def quantize(weights: np.ndarray | torch.Tensor, bits: int) -> bytes:
    """A k-bit description of `weights`: for k = 32 their little-endian float32 bytes; for
    2 <= k <= 16 a 10-byte header (uint16 k, float64 scale, little-endian) and the codes
    round(w / scale) + levels (levels = 2^(k-1) - 1, scale = max|w| / levels), k bits each,
    bit-packed most significant bit first."""
    flat = _as_numpy(weights)
    if bits == FLOAT_BITS:
        return flat.astype("<f4").tobytes()
    if isinstance(bits, bool) or not isinstance(bits, int) or not 2 <= bits <= 16:
        raise ValueError(f"bits must be an integer in 2..16 or {FLOAT_BITS}, got {bits!r}")
    if not np.isfinite(flat).all():
        raise ValueError("cannot quantise non-finite weights (inf or NaN); only k = 32 describes them")
    levels = 2 ** (bits - 1) - 1
    scale = _scale(flat, levels)
    codes = (np.rint(flat.astype(np.float64) / scale) + levels).astype(np.uint32)
    planes = (codes[:, None] >> np.arange(bits - 1, -1, -1, dtype=np.uint32)) & 1
    header = np.array([bits], dtype="<u2").tobytes() + np.array([scale], dtype="<f8").tobytes()
    return header + np.packbits(planes.astype(np.uint8).ravel()).tobytes()


def dequantize(data: bytes, count: int) -> np.ndarray:
    """The weights that `quantize` describes (float64), for `count` weights."""
    bits = int(np.frombuffer(data[:2], dtype="<u2")[0])
    scale = float(np.frombuffer(data[2:10], dtype="<f8")[0])
    planes = np.unpackbits(np.frombuffer(data[10:], dtype=np.uint8))[: count * bits].reshape(count, bits)
    codes = planes.astype(np.int64) @ (1 << np.arange(bits - 1, -1, -1, dtype=np.int64))
    return (codes - (2 ** (bits - 1) - 1)) * scale


def _as_numpy(weights: np.ndarray | torch.Tensor) -> np.ndarray:
    if isinstance(weights, torch.Tensor):
        weights = weights.detach().cpu().numpy()
    return np.asarray(weights, dtype=np.float32).reshape(-1)


def is_finite(weights: np.ndarray | torch.Tensor) -> bool:
    """Whether every weight is finite (regeneration can diverge to inf and NaN)."""
    return bool(np.isfinite(_as_numpy(weights)).all())


def _scale(flat: np.ndarray, levels: int) -> float:
    peak = float(np.abs(flat).max()) if flat.size else 0.0
    return peak / levels if peak > 0 else 1.0


@dataclass(frozen=True)
class WeightComplexity:
    """Upper bound on K of `parameters` weights at `bits` bits: `raw_bytes` of the k-bit
    description, `compressed` its length under `method` (whose empty-input cost is
    `overhead`), `max_error` the largest |w - quantised w|."""

    bits: int
    parameters: int
    raw_bytes: int
    compressed: int
    method: str
    overhead: int
    max_error: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def weight_complexity(weights: np.ndarray | torch.Tensor, bits: int, method: str = "lzma") -> WeightComplexity:
    """Quantise `weights` to `bits` bits and compress the description with `method`."""
    flat = _as_numpy(weights)
    data = quantize(flat, bits)
    error = 0.0 if bits == FLOAT_BITS or not flat.size else float(
        np.abs(dequantize(data, flat.size) - flat.astype(np.float64)).max())
    return WeightComplexity(bits, int(flat.size), len(data), compressed_length(data, method), method,
                            empty_overhead(method), error)


# ------------------------------------------------------------ constructive: D_n, replayed


def description(process: SelfMap, n: int) -> str:
    """D_n of `process`: the data it holds for n, then its CONTROL (leaves θ_n in OUTPUT)."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError(f"n must be an integer >= 0, got {n!r}")
    return constructive_description(process.held(n), process.control)


def run_description(text: str) -> bytes:
    """Run D_n in this process (one fresh model, the torch thread count of the caller) and
    return its OUTPUT."""
    namespace: dict[str, Any] = {"__name__": "__main__"}
    exec(compile(text, "<constructive description>", "exec"), namespace)
    return bytes(namespace["OUTPUT"])


def code_closure(text: str, package: str = "neural") -> tuple[str, ...]:
    """The modules of `package` that running `text` imports (its imports, theirs, and so on,
    with the package's __init__s), found by reading the import statements."""
    found: set[str] = set()
    pending = [text]
    while pending:
        for node in ast.walk(ast.parse(pending.pop())):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
            for name in names:
                parts = name.split(".")
                for depth in range(1, len(parts) + 1):  # a submodule loads its parents
                    prefix = ".".join(parts[:depth])
                    if parts[0] == package and prefix not in found:
                        path = _module_file(prefix)
                        if path is not None:
                            found.add(prefix)
                            pending.append(path.read_text(encoding="utf-8"))
    return tuple(sorted(found))


def _module_file(name: str) -> Path | None:
    """The source file of module `name`; None when `name` is an object imported from a module
    ("neural.config.TrainConfig")."""
    try:
        spec = importlib.util.find_spec(name)
    except ModuleNotFoundError:
        return None
    return Path(spec.origin) if spec is not None and spec.origin is not None else None


@dataclass(frozen=True)
class ConstructiveBound:
    """K(θ_n) <= `total` = `description_bytes` (|D_n|: the held data, digits of n, CONTROL) +
    `code_bytes` (the `modules` D_n imports); `compressed`: lzma of D_n and those sources
    together, the same bound at the compressor's constant.  `seed_digits`, `n_digits`: the
    parts of D_n that vary."""

    n: int
    description_bytes: int
    code_bytes: int
    seed_digits: int
    n_digits: int
    total: int
    compressed: int
    modules: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def constructive_bound(process: SelfMap, n: int) -> ConstructiveBound:
    """The constructive bound on K(θ_n) (module docstring); `replay_check` verifies it."""
    text = description(process, n).encode("utf-8")
    modules = code_closure(process.control)
    sources = b"".join(path.read_bytes() for path in (_module_file(name) for name in modules) if path)
    return ConstructiveBound(
        n=n, description_bytes=len(text), code_bytes=len(sources), seed_digits=len(str(process.seed)),
        n_digits=len(str(n)), total=len(text) + len(sources),
        compressed=compressed_length(text + sources, "lzma"), modules=modules,
    )


def _max_abs_diff(output: bytes, expected: bytes) -> float:
    a, b = np.frombuffer(output, "<f4"), np.frombuffer(expected, "<f4")
    if a.shape != b.shape:
        return float("inf")
    return float(np.abs(a.astype(np.float64) - b).max())


def replay_check(process: SelfMap, states: Mapping[int, bytes], ns: Sequence[int],
                 tick: Callable[[str], None] | None = None) -> DescriptionCheck:
    """Replay D_n for each n in `ns` and compare with states[n] (θ_n's float32 bytes); the
    difference of a mismatch is its largest absolute difference."""
    return verify_descriptions(ns, lambda n: description(process, n), run_description,
                               lambda n: states[n], _max_abs_diff, tick)


def replay_sample(generations: int, all_up_to: int = REPLAY_ALL_UP_TO) -> tuple[int, ...]:
    """The n whose D_n is replayed: every n <= all_up_to, then the powers of two and the last
    (replaying D_n costs n steps)."""
    return description_sample(generations, all_up_to)


def log_spaced(generations: int, points: int) -> tuple[int, ...]:
    """About `points` n in 1..generations, evenly spaced in ln n, always with 1 and the last."""
    if points < 2 or generations < 1:
        raise ValueError(f"need points >= 2 and generations >= 1, got {points} and {generations}")
    grid = np.unique(np.rint(np.geomspace(1, generations, points)).astype(int))
    return tuple(int(n) for n in grid)


# ------------------------------------------------------------------------ the chain, compared


@dataclass(frozen=True)
class WeightChain:
    """θ_0 .. θ_N of one process and both bounds at the recorded n (`ns`).

    sizes[k][i]: compressed k-bit weights of θ_ns[i] (None where θ is not finite and k < 32:
    `diverged_at` is the first such n); raw_bytes[k]: the k-bit description's length;
    bounds[i]: the constructive bound at ns[i]; fits: a + b ln n of each k's sizes ("k=8", ...;
    None with fewer than two sizes) and of the bound ("constructive", "constructive, lzma");
    exceeds[k]: the n where sizes[k] > bounds.compressed (there the constructive bound is the
    tighter one; elsewhere compression is); metrics[i]: quine metrics of θ_ns[i]; initial:
    those of θ_0."""

    process: dict[str, Any]
    generations: int
    ns: tuple[int, ...]
    parameters: int
    bits: tuple[int, ...]
    sizes: dict[int, tuple[int | None, ...]]
    raw_bytes: dict[int, int]
    overhead: int
    max_error: dict[int, float | None]
    bounds: tuple[ConstructiveBound, ...]
    fits: dict[str, dict[str, Any] | None]
    exceeds: dict[int, tuple[int, ...]]
    diverged_at: int | None
    replay: DescriptionCheck
    metrics: tuple[dict[str, Any], ...]
    initial: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {
            "process": self.process, "generations": self.generations, "ns": list(self.ns),
            "parameters": self.parameters, "bits": list(self.bits),
            "sizes": {str(k): list(v) for k, v in self.sizes.items()},
            "raw_bytes": {str(k): v for k, v in self.raw_bytes.items()}, "overhead": self.overhead,
            "max_error": {str(k): v for k, v in self.max_error.items()},
            "bounds": [bound.to_dict() for bound in self.bounds], "fits": self.fits,
            "exceeds": {str(k): list(v) for k, v in self.exceeds.items()},
            "diverged_at": self.diverged_at, "replay": self.replay.to_dict(),
            "metrics": list(self.metrics), "initial": self.initial,
        }


def chain_states(process: SelfMap, generations: int,
                 keep: Sequence[int]) -> tuple[dict[int, bytes], dict[int, dict[str, Any]]]:
    """θ_n (float32 bytes) and its metrics for every n in `keep` (and n = 0), running the
    process for `generations` steps."""
    wanted = set(keep) | {0}
    states, metrics = {}, {}
    for n, (state, found) in enumerate(process.states(generations)):
        if n in wanted:
            states[n], metrics[n] = state, found
    return states, metrics


def _fit(ns: Sequence[int], sizes: Sequence[int | None]) -> dict[str, Any] | None:
    known = [(n, size) for n, size in zip(ns, sizes, strict=True) if size is not None]
    if len({n for n, _ in known}) < 2:
        return None
    fit = fit_log([n for n, _ in known], [size for _, size in known])
    return {"a": fit.a, "b": fit.b, "residual": fit.rms}


def weight_chain(process: SelfMap, generations: int, bits: Sequence[int] = DEFAULT_BITS,
                 record: Sequence[int] | None = None, replay_ns: Sequence[int] | None = None,
                 tick: Callable[[str], None] | None = None) -> WeightChain:
    """Run `process` for `generations` (>= 2) steps and compare both bounds on K(θ_n) at the
    n of `record` (default every n = 1..N) and of `replay_ns`, the n whose D_n is replayed
    (default `replay_sample`)."""
    if isinstance(generations, bool) or not isinstance(generations, int) or generations < 2:
        raise ValueError(f"generations must be an integer >= 2, got {generations!r}")
    replayed = tuple(replay_ns) if replay_ns is not None else replay_sample(generations)
    ns = sorted(set(record if record is not None else range(1, generations + 1)) | set(replayed))
    if ns[0] < 1 or ns[-1] > generations:
        raise ValueError(f"recorded and replayed n must lie in 1..{generations}, got {ns}")
    states, found = chain_states(process, generations, ns)
    if tick:
        tick(f"{process.name}: {generations} steps")
    weights = [np.frombuffer(states[n], "<f4") for n in ns]
    finite = [is_finite(w) for w in weights]
    measured = {k: [weight_complexity(w, k) if ok or k == FLOAT_BITS else None
                    for w, ok in zip(weights, finite, strict=True)] for k in bits}
    bounds = tuple(constructive_bound(process, n) for n in ns)
    replay = replay_check(process, states, replayed,
                          (lambda label: tick(f"{process.name}: replay {label}")) if tick else None)
    sizes = {k: tuple(None if c is None else c.compressed for c in measured[k]) for k in bits}
    fits = {f"k={k}": _fit(ns, sizes[k]) for k in bits}
    fits["constructive"] = _fit(ns, [b.total for b in bounds])
    fits["constructive, lzma"] = _fit(ns, [b.compressed for b in bounds])
    errors = {k: [c.max_error for c in measured[k] if c is not None] for k in bits}
    return WeightChain(
        process=process.to_dict(), generations=generations, ns=tuple(ns), parameters=int(weights[0].size),
        bits=tuple(bits), sizes=sizes,
        raw_bytes={k: len(quantize(np.zeros(weights[0].size), k)) for k in bits},
        overhead=empty_overhead("lzma"), max_error={k: max(errors[k]) if errors[k] else None for k in bits},
        bounds=bounds, fits=fits,
        exceeds={k: tuple(n for n, size, b in zip(ns, sizes[k], bounds, strict=True)
                          if size is not None and size > b.compressed) for k in bits},
        diverged_at=next((n for n, ok in zip(ns, finite, strict=True) if not ok), None), replay=replay,
        metrics=tuple(found[n] for n in ns), initial=found[0],
    )

"""Upper bounds on the algorithmic complexity of trained weights, and Mahoney's Theorem for
regeneration (Mahoney 2008, Theorem: "the algorithmic complexity of P_n is not greater than
O(log n)", by the proof's program that holds P_1 and n and iterates P <- P(-1)).

Regeneration (`neural.methods.Regeneration`: a gradient epoch, then θ_i <- f_θ(i)) is an
iterated self-map of the training state, state_{n+1} = F(state_n), like P_{i+1} = P_i(-1) of
an RSI chain.  Two upper bounds on K(θ_n), the weights after generation n:

- **Empirical** (`weight_complexity`): quantise θ_n to k bits (`quantize`: symmetric uniform,
  2^(k-1) - 1 levels each side of 0 scaled by max|θ|, the codes bit-packed; k = 32 is the
  float32 bytes themselves, no quantisation) and compress with `rsi.complexity`.  A loose
  bound: the compressor sees noise-like bits, not the process that made them.
- **Constructive** (`constructive_bound`): D_n, real Python text made of the config, the seed,
  n and the fixed DRIVER, which replays regeneration from the seed for n generations on the
  CPU and leaves θ_n's float32 bytes in OUTPUT.  |D_n| plus the source of every `neural`
  module D_n imports (`code_closure`; torch and Python are the machine, the same constant for
  every n) is |training code| + |seed| + digits(n): only the digits of n grow, O(log n).
  It counts for K(θ_n) only because D_n really prints θ_n: `replay_check` runs D_n afresh
  (`run_description`) and compares its bytes with the chain's θ_n bit for bit.  Replay is on
  the CPU, so the comparison is exact; a replay that differs is reported with its largest
  absolute difference, never passed.  The bound describes θ_n exactly; the quantised weights
  are a function of θ_n, so K of those is at most the bound plus the size of `quantize`.

`weight_chain(config, generations)` runs the chain and gathers sizes, bounds, fits
a + b·ln n (`rsi.complexity.fit_log`) and the generations where compressed weights exceed the
constructive bound.
"""
from __future__ import annotations

import ast
import importlib.util
import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch

from neural.config import TrainConfig
from neural.population import trajectory
from rsi.complexity import compressed_length, empty_overhead, fit_log

FLOAT_BITS = 32  # "k = 32": the float32 weights themselves, not quantised
DEFAULT_BITS: tuple[int, ...] = (4, 8, 16, FLOAT_BITS)
REPLAY_ALL_UP_TO = 12  # D_n is replayed for every n up to this; beyond it for a sample

DRIVER = '''from neural.config import TrainConfig
from neural.methods import Regeneration
from neural.quine import BatchedQuine
from neural.sampling import net_generators

config = TrainConfig.from_dict({**CONFIG, "seed": SEED})
model = BatchedQuine(config.quine, "cpu")
theta = model.init(config.seeds, config.init)
regeneration = Regeneration(model, config, theta, net_generators(config.seeds), None)
for _ in range(N):
    regeneration.run_epoch()
OUTPUT = regeneration.theta.detach()[0].numpy().astype("<f4").tobytes()
'''
"""The control part of D_n, the same for every n (it reads CONFIG, SEED and N)."""


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


def _check_config(config: TrainConfig) -> None:
    if config.method != "regeneration" or config.quine.task != "vanilla" or config.population != 1:
        raise ValueError("the regeneration chain needs method 'regeneration', task 'vanilla' and "
                         f"population 1, got {config.method!r}, {config.quine.task!r}, {config.population}")


def constructive_description(config: TrainConfig, n: int) -> str:
    """D_n: Python text that leaves θ_n (float32 bytes) in OUTPUT: CONFIG (without the seed and
    the epoch count, which regeneration does not read), SEED, N and DRIVER."""
    _check_config(config)
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError(f"n must be an integer >= 0, got {n!r}")
    settings = config.to_dict()
    seed = settings.pop("seed")
    settings.pop("epochs")
    return f"CONFIG = {json.dumps(settings, sort_keys=True)}\nSEED = {seed}\nN = {n}\n{DRIVER}"


def run_description(description: str) -> bytes:
    """Run D_n in this process (on the CPU, one fresh model) and return its OUTPUT."""
    namespace: dict[str, Any] = {"__name__": "__main__"}
    exec(compile(description, "<constructive description>", "exec"), namespace)
    return namespace["OUTPUT"]


def code_closure(text: str, package: str = "neural") -> tuple[str, ...]:
    """The modules of `package` that running `text` imports (its imports, theirs, and so on,
    with the package's __init__), found by reading the import statements."""
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
                if (name == package or name.startswith(package + ".")) and name not in found:
                    path = _module_file(name)
                    if path is not None:
                        found.add(name)
                        pending.append(path.read_text(encoding="utf-8"))
    return tuple(sorted(found | ({package} if found else set())))


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
    """K(θ_n) <= `total` = `description_bytes` (|D_n|: config, seed, digits of n, DRIVER) +
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


def constructive_bound(config: TrainConfig, n: int) -> ConstructiveBound:
    """The constructive bound on K(θ_n) (module docstring); `replay_check` verifies it."""
    description = constructive_description(config, n)
    modules = code_closure(DRIVER)
    sources = b"".join(_module_file(name).read_bytes() for name in modules)
    text = description.encode("utf-8")
    return ConstructiveBound(
        n=n, description_bytes=len(text), code_bytes=len(sources), seed_digits=len(str(config.seed)),
        n_digits=len(str(n)), total=len(text) + len(sources),
        compressed=compressed_length(text + sources, "lzma"), modules=modules,
    )


@dataclass(frozen=True)
class ReplayCheck:
    """D_n run afresh for each n in `checked`: `identical[k]` whether its output equals θ_n bit
    for bit, `max_abs_diff[k]` the largest |difference| (0.0 when identical)."""

    checked: tuple[int, ...]
    identical: tuple[bool, ...]
    max_abs_diff: tuple[float, ...]

    @property
    def verified(self) -> bool:
        return bool(self.checked) and all(self.identical)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "verified": self.verified}


def replay_sample(generations: int, all_up_to: int = REPLAY_ALL_UP_TO) -> tuple[int, ...]:
    """The n whose D_n is replayed: every n <= all_up_to, then the powers of two and the last
    (replaying D_n costs n generations)."""
    powers = {2**k for k in range(generations.bit_length()) if 2**k <= generations}
    return tuple(sorted(set(range(1, min(all_up_to, generations) + 1)) | powers | {generations}))


def replay_check(config: TrainConfig, states: Sequence[bytes], ns: Sequence[int],
                 tick: Callable[[str], None] | None = None) -> ReplayCheck:
    """Replay D_n for each n in `ns` and compare with states[n] (θ_n's float32 bytes)."""
    identical, diffs = [], []
    for n in ns:
        output = run_description(constructive_description(config, n))
        same = output == states[n]
        identical.append(same)
        diffs.append(0.0 if same else float(np.abs(
            np.frombuffer(output, "<f4").astype(np.float64) - np.frombuffer(states[n], "<f4")).max()))
        if tick:
            tick(f"replay D_{n}")
    return ReplayCheck(tuple(ns), tuple(identical), tuple(diffs))


# ------------------------------------------------------------------------ the chain, compared


@dataclass(frozen=True)
class WeightChain:
    """θ_0 .. θ_N of regeneration and both bounds for n = 1..N.

    sizes[k][n-1]: compressed k-bit weights of θ_n (None where θ_n is not finite and k < 32:
    `diverged_at` is the first such n); raw_bytes[k]: the k-bit description's length;
    bounds[n-1]: the constructive bound; fits: a + b ln n of each k's sizes ("k=8", ...; None
    with fewer than two sizes) and of the bound ("constructive"); exceeds[k]: the n where
    sizes[k] > bounds.total; metrics[n]: quine metrics of θ_n (n = 0..N)."""

    config: dict[str, Any]
    generations: int
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
    replay: ReplayCheck
    metrics: tuple[dict[str, Any], ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "config": self.config, "generations": self.generations, "parameters": self.parameters,
            "bits": list(self.bits), "sizes": {str(k): list(v) for k, v in self.sizes.items()},
            "raw_bytes": {str(k): v for k, v in self.raw_bytes.items()}, "overhead": self.overhead,
            "max_error": {str(k): v for k, v in self.max_error.items()},
            "bounds": [bound.to_dict() for bound in self.bounds], "fits": self.fits,
            "exceeds": {str(k): list(v) for k, v in self.exceeds.items()},
            "diverged_at": self.diverged_at, "replay": self.replay.to_dict(),
            "metrics": list(self.metrics),
        }


def regeneration_states(config: TrainConfig, generations: int) -> tuple[list[bytes], list[dict[str, Any]]]:
    """θ_0 .. θ_N (float32 bytes) of regeneration on the CPU, and the quine metrics of each."""
    _check_config(config)
    states, metrics = [], []
    for n, (weights, found) in enumerate(trajectory(config, "cpu", generations)):
        states.append(weights[0].numpy().astype("<f4").tobytes())
        metrics.append({"generation": n, **found[0].to_dict()})
    return states, metrics


def _fit(ns: Sequence[int], sizes: Sequence[int | None]) -> dict[str, Any] | None:
    known = [(n, size) for n, size in zip(ns, sizes, strict=False) if size is not None]
    if len(known) < 2:
        return None
    fit = fit_log([n for n, _ in known], [size for _, size in known])
    return {"a": fit.a, "b": fit.b, "residual": fit.rms}


def weight_chain(config: TrainConfig, generations: int, bits: Sequence[int] = DEFAULT_BITS,
                 replay_ns: Sequence[int] | None = None,
                 tick: Callable[[str], None] | None = None) -> WeightChain:
    """Run regeneration for `generations` (>= 2) generations from `config` (method
    regeneration, vanilla, population 1; CPU) and compare both bounds on K(θ_n), n = 1..N.
    replay_ns: the n whose D_n is replayed (default `replay_sample`)."""
    if isinstance(generations, bool) or not isinstance(generations, int) or generations < 2:
        raise ValueError(f"generations must be an integer >= 2, got {generations!r}")
    config = replace(config, epochs=generations)
    states, metrics = regeneration_states(config, generations)
    if tick:
        tick(f"{generations} generations")
    ns = list(range(1, generations + 1))
    weights = [np.frombuffer(states[n], "<f4") for n in ns]
    finite = [is_finite(w) for w in weights]
    found = {k: [weight_complexity(w, k) if ok or k == FLOAT_BITS else None
                 for w, ok in zip(weights, finite, strict=False)] for k in bits}
    bounds = tuple(constructive_bound(config, n) for n in ns)
    replay = replay_check(config, states, replay_ns or replay_sample(generations), tick)
    sizes = {k: tuple(c and c.compressed for c in found[k]) for k in bits}
    fits = {f"k={k}": _fit(ns, sizes[k]) for k in bits}
    fits["constructive"] = _fit(ns, [b.total for b in bounds])
    errors = {k: [c.max_error for c in found[k] if c is not None] for k in bits}
    return WeightChain(
        config=config.to_dict(), generations=generations, parameters=weights[0].size,
        bits=tuple(bits), sizes=sizes, raw_bytes={k: len(quantize(np.zeros(weights[0].size), k)) for k in bits},
        overhead=empty_overhead("lzma"), max_error={k: max(errors[k]) if errors[k] else None for k in bits},
        bounds=bounds, fits=fits,
        exceeds={k: tuple(n for n, size, b in zip(ns, sizes[k], bounds, strict=False) if size is not None and size > b.total)
                 for k in bits},
        diverged_at=next((n for n, ok in zip(ns, finite, strict=False) if not ok), None), replay=replay,
        metrics=tuple(metrics),
    )

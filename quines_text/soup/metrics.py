"""Measurements of a Computational Life soup (Aguera y Arcas et al. 2024): high-order entropy,
diversity, the most frequent programs and bytes, the state transition, and the replicator check.

- **High-order entropy** (the paper's complexity measure): the Shannon entropy of the soup's
  bytes (bits per byte, from their histogram) minus a compression estimate of its Kolmogorov
  complexity per byte, 8 * (compressed length - the compressor's empty-input overhead) / bytes,
  with the compressors of `rsi.complexity` (zlib by default: the paper uses brotli, which is
  not installed here; lzma is ~15x slower on a 8 MiB soup).  Near 0 for a random soup; it
  rises sharply when replicators fill the soup with copies.
- **Transition**: the first measured epoch from which the high-order entropy stays at or
  above a threshold (default 1 bit per byte; our choice, the paper shows the jump in plots)
  up to the last measurement.  The first crossing is reported too: in a soup the entropy can
  jump and fall back (seed 3 of our runs: 1.66 at epoch 4288, 0.22 by 4800), which is not a
  transition.
- **Replicator check**: pair a program (first) with random programs (second), run each tape as
  in the soup, and count the runs after which the partner's half is an exact copy of the
  program (copy fraction), as cubff's self-replication check does with noise partners.
  Replicators that emerge in a soup often copy only a part of themselves (their working
  core; the rest is overwritten by the partner's bytes), so the check also reports the copied
  span, the longest run of positions copied in at least 90% of the runs, and whether the
  copy is heritable: the fraction of the partners, now holding the copy, that copy that span
  again onto fresh random partners.  A program is a replicator (our criterion) when it copies
  a span of at least MIN_SPAN = 16 bytes (a quarter of a program) and at least 90% of the
  copies copy it again: a copy is the span in a random context, so a heritable span carries
  its own copying machinery (a span copied by code outside it is not heritable).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from quines_text.machines.bff import MAX_STEPS, PROGRAM_LEN, run_batch
from rsi.complexity import compressed_length, empty_overhead

INSTRUCTIONS = frozenset(b"<>{}+-.,[]")
QUORUM = 0.9  # replicator check: share of runs that must copy a byte, and copies that copy
MIN_SPAN = 16  # replicator check: fewest bytes a replicator copies


def shannon_entropy(data: np.ndarray) -> float:
    """Entropy in bits per byte of the byte histogram of `data` (uint8)."""
    counts = np.bincount(data.reshape(-1), minlength=256)
    p = counts[counts > 0] / data.size
    return float(-(p * np.log2(p)).sum())


def compressed_bits_per_byte(data: np.ndarray, compressor: str = "zlib") -> float:
    """8 * (compressed length - empty-input overhead) / length: an upper bound on K per byte."""
    raw = data.tobytes()
    return 8 * (compressed_length(raw, compressor) - empty_overhead(compressor)) / len(raw)


def high_order_entropy(data: np.ndarray, compressor: str = "zlib") -> float:
    """Shannon entropy minus compressed bits per byte (the paper's high-order entropy)."""
    return shannon_entropy(data) - compressed_bits_per_byte(data, compressor)


@dataclass(frozen=True)
class Snapshot:
    """The soup at one epoch: entropies (bits per byte), distinct programs, the most frequent
    programs (hex, count) and bytes (value, count)."""

    epoch: int
    high_order_entropy: float
    shannon_entropy: float
    compressed_bits_per_byte: float
    distinct_programs: int
    top_programs: tuple[tuple[str, int], ...]
    top_bytes: tuple[tuple[int, int], ...]

    def to_dict(self) -> dict:
        return asdict(self)


def snapshot(programs: np.ndarray, epoch: int, top: int = 5, compressor: str = "zlib") -> Snapshot:
    """Measure a soup (uint8, shape (N, 64))."""
    rows = np.ascontiguousarray(programs).view(f"V{PROGRAM_LEN}").reshape(-1)
    unique, counts = np.unique(rows, return_counts=True)
    best = np.argsort(-counts, kind="stable")[:top]
    byte_counts = np.bincount(programs.reshape(-1), minlength=256)
    best_bytes = np.argsort(-byte_counts, kind="stable")[:top]
    shannon = shannon_entropy(programs)
    compressed = compressed_bits_per_byte(programs, compressor)
    return Snapshot(
        epoch=epoch,
        high_order_entropy=shannon - compressed,
        shannon_entropy=shannon,
        compressed_bits_per_byte=compressed,
        distinct_programs=len(unique),
        top_programs=tuple((unique[i].tobytes().hex(), int(counts[i])) for i in best),
        top_bytes=tuple((int(b), int(byte_counts[b])) for b in best_bytes),
    )


def first_crossing(snapshots: list[Snapshot], threshold: float = 1.0) -> int | None:
    """The first measured epoch with high-order entropy >= threshold, or None."""
    return next((s.epoch for s in snapshots if s.high_order_entropy >= threshold), None)


def transition_epoch(snapshots: list[Snapshot], threshold: float = 1.0) -> int | None:
    """The first measured epoch from which every measurement has high-order entropy >=
    threshold, or None when the last one is below it (module docstring)."""
    epoch = None
    for shot in reversed(snapshots):
        if shot.high_order_entropy < threshold:
            break
        epoch = shot.epoch
    return epoch


@dataclass(frozen=True)
class ReplicatorCheck:
    """program (hex) paired first with `trials` random partners: the fraction of runs that
    left an exact copy in the partner's half, the mean fraction of matching bytes there, the
    copied span [span_start, span_start + span_length) and the heritable fraction (module
    docstring)."""

    program: str
    variant: str
    trials: int
    copy_fraction: float
    byte_match: float
    span_start: int
    span_length: int
    heritable: float

    @property
    def is_replicator(self) -> bool:
        """Copies at least MIN_SPAN bytes of itself, and the copies copy them again (>= QUORUM)."""
        return self.span_length >= MIN_SPAN and self.heritable >= QUORUM

    def to_dict(self) -> dict:
        return {**asdict(self), "is_replicator": self.is_replicator}


def _copy_onto_random_partners(programs: np.ndarray, rng: np.random.Generator,
                               variant: str, max_steps: int) -> np.ndarray:
    """Run each program (rows) first on a tape with a fresh random partner; the partners after."""
    tapes = np.empty((len(programs), 2 * PROGRAM_LEN), dtype=np.uint8)
    tapes[:, :PROGRAM_LEN] = programs
    tapes[:, PROGRAM_LEN:] = rng.integers(0, 256, size=programs.shape, dtype=np.uint8)
    run_batch(tapes, max_steps, variant, inplace=True)
    return tapes[:, PROGRAM_LEN:]


def _longest_run(flags: np.ndarray) -> tuple[int, int]:
    """(start, length) of the longest run of True in a 1-D boolean array ((0, 0) if none)."""
    best, start = (0, 0), None
    for i, flag in enumerate(np.append(flags, False)):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            best = max(best, (i - start, -start))
            start = None
    return -best[1], best[0]


def replicator_check(
    program: bytes, variant: str = "bff", trials: int = 64, seed: int = 0,
    max_steps: int = MAX_STEPS,
) -> ReplicatorCheck:
    """Whether `program` (64 bytes) copies itself onto random partners (module docstring)."""
    if len(program) != PROGRAM_LEN:
        raise ValueError(f"a soup program has {PROGRAM_LEN} bytes, got {len(program)}")
    if trials < 1:
        raise ValueError(f"trials must be >= 1, got {trials}")
    rng = np.random.default_rng(seed)
    mine = np.frombuffer(program, dtype=np.uint8)
    children = _copy_onto_random_partners(np.tile(mine, (trials, 1)), rng, variant, max_steps)
    same = children == mine
    start, length = _longest_run(same.mean(axis=0) >= QUORUM)
    span = slice(start, start + length)
    heritable = 0.0
    if length:
        grandchildren = _copy_onto_random_partners(children, rng, variant, max_steps)
        heritable = float((grandchildren[:, span] == mine[span]).all(axis=1).mean())
    return ReplicatorCheck(
        program=program.hex(), variant=variant, trials=trials,
        copy_fraction=float(same.all(axis=1).mean()), byte_match=float(same.mean()),
        span_start=start, span_length=length, heritable=heritable,
    )


def readable(program: bytes) -> list[tuple[str, bool]]:
    """Each byte as (character, is_instruction): instructions as themselves, the zero byte as
    "0", other no-ops as "·" (for `rsi soup show`, which dims the no-ops)."""
    return [
        (chr(b), True) if b in INSTRUCTIONS else ("0" if b == 0 else "\u00b7", False)
        for b in program
    ]

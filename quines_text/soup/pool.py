"""The primordial soup of Computational Life (Aguera y Arcas et al. 2024, "Computational Life:
How Well-formed, Self-replicating Programs Emerge from Simple Interaction"; the BFF soup and
its parameters as in papers/NOTES.md): self-replicators arising from random programs with no
fitness function.

A soup is N programs of 64 bytes (default 2^17).  One epoch applies background mutation (each
byte replaced by a uniformly random byte with probability `mutation_rate`, default
1/(256*16); 0 for the no-mutation runs), shuffles the soup into N/2 pairs, concatenates each
pair into a 128-byte tape, runs every tape on the batched BFF engine for at most 2^13 steps
(`run_pairs`, which builds the tapes inside its C loop), and splits the tapes back into the
two programs' places.

Reproducibility: the soup at epoch 0 comes from the seed alone and epoch k's shuffle and
mutations from (seed, k) alone (numpy SeedSequence), so the same seed gives the same bytes
after k epochs, and a run resumed from a checkpoint continues exactly as an uninterrupted one.
The bytes depend on numpy's PCG64 generator, not on cubff's SplitMix64, so they do not match
cubff's soups byte for byte.
"""
from __future__ import annotations

import json
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from quines_text.machines.bff import MAX_STEPS, PROGRAM_LEN, run_pairs, variant_named
from rsi.atomic import atomic_path

CHECKPOINT = "checkpoint.npz"


@dataclass(frozen=True)
class SoupConfig:
    """programs: soup size (even).  max_steps: step limit per interaction.  variant: "bff" or
    "bff_noheads".  mutation_rate: per byte per epoch.  seed: fixes every random choice.
    threads: engine threads (None: all CPUs; the bytes do not depend on it)."""

    programs: int = 2**17
    max_steps: int = MAX_STEPS
    variant: str = "bff"
    mutation_rate: float = 1 / (256 * 16)
    seed: int = 0
    threads: int | None = None

    def __post_init__(self) -> None:
        if self.programs < 2 or self.programs % 2:
            raise ValueError(f"programs must be an even number >= 2, got {self.programs}")
        if self.max_steps < 0:
            raise ValueError(f"max_steps must be >= 0, got {self.max_steps}")
        if not 0.0 <= self.mutation_rate <= 1.0:
            raise ValueError(f"mutation rate must be in [0, 1], got {self.mutation_rate}")
        if self.seed < 0:
            raise ValueError(f"seed must be >= 0, got {self.seed}")
        if self.threads is not None and self.threads < 1:
            raise ValueError(f"threads must be >= 1, got {self.threads}")
        variant_named(self.variant)

    def to_dict(self) -> dict:
        return asdict(self)

    def same_soup(self, other: SoupConfig) -> bool:
        """Whether two configurations evolve the same bytes (threads aside)."""
        return {**self.to_dict(), "threads": None} == {**other.to_dict(), "threads": None}


@dataclass(frozen=True)
class EpochStats:
    """One epoch: mean steps and mean non-no-op ops per interaction, and mutated bytes."""

    epoch: int
    steps_per_interaction: float
    ops_per_interaction: float
    mutations: int

    def to_dict(self) -> dict:
        return asdict(self)


class Soup:
    """The soup's state: `programs` (uint8, shape (N, 64)) after `epoch` epochs."""

    def __init__(self, config: SoupConfig, programs: np.ndarray | None = None, epoch: int = 0):
        if programs is None:
            rng = np.random.default_rng([config.seed, 0])
            programs = rng.integers(0, 256, size=(config.programs, PROGRAM_LEN), dtype=np.uint8)
        if programs.shape != (config.programs, PROGRAM_LEN) or programs.dtype != np.uint8:
            raise ValueError(f"programs must be uint8 of shape ({config.programs}, {PROGRAM_LEN})")
        self.config = config
        self.programs = np.array(programs, order="C", copy=True)
        self.epoch = epoch

    def step(self) -> EpochStats:
        """Run one epoch: mutate, shuffle into pairs, run each pair's tape, split back."""
        config = self.config
        rng = np.random.default_rng([config.seed, 1, self.epoch])
        order = rng.permutation(config.programs)
        # A binomial count of distinct uniform positions: each byte independently w.p. rate.
        # Mutating the programs before pairing is mutating the tapes: each program is in one.
        mutations = int(rng.binomial(self.programs.size, config.mutation_rate))
        if mutations:
            flat = self.programs.reshape(-1)
            flat[rng.choice(flat.size, size=mutations, replace=False)] = rng.integers(
                0, 256, size=mutations, dtype=np.uint8
            )
        ops = np.empty(config.programs // 2, dtype=np.int64)
        steps = run_pairs(
            self.programs, order, config.max_steps, config.variant, threads=config.threads,
            ops_out=ops,
        )
        self.epoch += 1
        return EpochStats(self.epoch, float(steps.mean()), float(ops.mean()), mutations)

    def save(self, directory: Path) -> Path:
        """Write the checkpoint atomically (`rsi.atomic`) and return its path."""
        target = directory / CHECKPOINT
        with atomic_path(target, create_parents=True) as temporary:  # named *.npz, as savez wants
            np.savez(
                temporary, programs=self.programs, epoch=np.int64(self.epoch),
                config=np.array(json.dumps(self.config.to_dict())),
            )
        return target

    @classmethod
    def load(cls, directory: Path, threads: int | None = None) -> Soup:
        """The soup saved in `directory`; ValueError naming the file if there is none or it
        is not a soup checkpoint."""
        path = directory / CHECKPOINT
        if not path.is_file():
            raise ValueError(f"no soup checkpoint at {path}")
        try:
            with np.load(path) as saved:
                config = SoupConfig(**{**json.loads(str(saved["config"])), "threads": threads})
                return cls(config, saved["programs"], int(saved["epoch"]))
        except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile) as error:
            raise ValueError(f"{path} is not a readable soup checkpoint: {error}") from None

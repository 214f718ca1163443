"""Programs known only through a finite run: P(0), ..., P(T) observed, nothing beyond.

Mahoney 2008's definitions quantify over all t; a run to a horizon T shows only P(0..T).  An
`ObservedProgram` is exactly that observation, so the definitions of `rsi.definitions` read it
on the horizon T = len(values) - 1 and answer HoldsUpTo / Unknown (or Refuted where a worse
t' <= T is seen).  Unlike `rsi.programs.TableProgram` (constant beyond its table, so it never
has a goal), it claims nothing about t > T, which makes every small table a meaningful case
for the laws of "has goal" and "improves" (`proofs.exhaustive`).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rsi.programs import Outcome


@dataclass(frozen=True)
class ObservedProgram:
    """P(t) = values[t] for t <= horizon = len(values) - 1; P(t) beyond is not known."""

    values: tuple[int, ...]

    def __post_init__(self) -> None:
        if not self.values or any(
            isinstance(v, bool) or not isinstance(v, int) or v < 0 for v in self.values
        ):
            raise ValueError(f"values must be a non-empty tuple of ints >= 0, got {self.values!r}")

    @property
    def horizon(self) -> int:
        """The last observed t."""
        return len(self.values) - 1

    def run(self, t: int) -> Outcome:
        if not 0 <= t <= self.horizon:
            raise ValueError(f"P({t}) was not observed: only t = 0..{self.horizon} were")
        value = self.values[t]
        return Outcome(value, halted=value > 0, steps=None, raw=str(value))

    def value(self, t: int) -> int:
        return self.run(t).value

    def values_upto(self, horizon: int) -> np.ndarray:
        """P(0..horizon) (the core definitions evaluate through this)."""
        if horizon > self.horizon:
            raise ValueError(f"P(t) was observed only up to t = {self.horizon}, asked {horizon}")
        return np.array(self.values[: horizon + 1], dtype=np.int64)

"""Every small program against every law (Mahoney 2008, sections Goals and Improvement).

The domain is every `ObservedProgram` with values 0..max_value on t = 0..T (default 0..3 on
T = 4: 4**5 = 1,024 programs, 1,048,576 ordered pairs), read on the horizon T.  Calling
`rsi.definitions.improves` on a million pairs takes about a minute, so the pairwise relation is
computed at once with numpy, following the finite-horizon reading documented in
`rsi.definitions` (has goal: every t in (C, T // 2] has a better t' <= T and no worse one,
for some C <= T // 4; condition 3:
some t <= T is better; condition 4: a t <= T after Q's last worse result, better when
condition 3 is enforced).  `agreement` checks this mirror against the core definitions on
sampled pairs each run (and on every pair of a smaller domain in the tests), so a change in
the core cannot pass unnoticed.  Laws on the matrices: irreflexive (diagonal), asymmetric
(M and M^T), transitive (M @ M within M, over every chain P, Q, R), the four conditions each
needed (a pair meeting the other three but not it), the same without conditions 3 and 4
(P improves on P; P and Q improve on each other), and invariance under f o G.
"""
from __future__ import annotations

import functools
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from proofs.goal_shapes import Affine, OddPower
from proofs.laws import ALL_CONDITIONS
from rsi.goals import Goal, goal_values, identity
from rsi.programs import ObservedProgram
from rsi.verdict import HoldsUpTo, Refuted, Verdict, supports


@dataclass(frozen=True)
class Domain:
    """All value tables over 0..max_value of length T + 1, read on the horizon T."""

    max_value: int = 3
    horizon: int = 4

    def __post_init__(self) -> None:
        if not (isinstance(self.max_value, int) and 1 <= self.max_value <= 9):
            raise ValueError(f"max_value must be an integer in 1..9, got {self.max_value!r}")
        if not (isinstance(self.horizon, int) and 1 <= self.horizon <= 7):
            raise ValueError(f"horizon must be an integer in 1..7, got {self.horizon!r}")

    def values(self) -> np.ndarray:
        """Every table, one per row (shape (programs, horizon + 1))."""
        rows = itertools.product(range(self.max_value + 1), repeat=self.horizon + 1)
        return np.array(list(rows), dtype=np.int64)


def has_goal_mask(g: np.ndarray) -> np.ndarray:
    """Per row of goal values: "has goal" holds on the horizon T, as `rsi.definitions.has_goal`
    reads it: every t in (C, T // 2] has a better t' <= T and no worse one, for some
    C <= T // 4 with C < T // 2 (C = -1 when every t in 0..T // 2 has the goal)."""
    horizon = g.shape[1] - 1
    last = horizon // 2
    later_min = np.minimum.accumulate(g[:, ::-1], axis=1)[:, ::-1][:, 1 : last + 2]
    later_max = np.maximum.accumulate(g[:, ::-1], axis=1)[:, ::-1][:, 1 : last + 2]
    head = g[:, : last + 1]
    fails = ~((later_min >= head) & (later_max > head))
    smallest_c = np.where(fails.any(axis=1), last - np.argmax(fails[:, ::-1], axis=1), -1)
    result: np.ndarray = (smallest_c < last) & (smallest_c <= horizon // 4)
    return result


def condition_masks(g: np.ndarray, condition_3_enforced: bool) -> dict[int, np.ndarray]:
    """Each condition of "Q improves on P" for every pair: masks[k][q, p] (see module doc)."""
    return _condition_masks(g.tobytes(), g.shape, g.dtype.str, condition_3_enforced)


@functools.lru_cache(maxsize=8)
def _condition_masks(data: bytes, shape: tuple[int, ...], dtype: str,
                     condition_3_enforced: bool) -> dict[int, np.ndarray]:
    g = np.frombuffer(data, dtype=dtype).reshape(shape)
    horizon = g.shape[1] - 1
    better = g[:, None, :] > g[None, :, :]
    worse = g[:, None, :] < g[None, :, :]
    any_worse = worse.any(axis=2)
    last_worse = np.where(any_worse, horizon - np.argmax(worse[:, :, ::-1], axis=2), -1)
    after_worse = np.arange(horizon + 1)[None, None, :] > last_worse[:, :, None]
    condition_4 = np.asarray((after_worse & better).any(axis=2) if condition_3_enforced
                             else last_worse < horizon)
    goal = has_goal_mask(g)
    condition_3 = np.asarray(better.any(axis=2))
    return {1: np.broadcast_to(goal[None, :], better.shape[:2]),
            2: np.broadcast_to(goal[:, None], better.shape[:2]),
            3: condition_3, 4: condition_4}


def improves_matrix(g: np.ndarray, conditions: tuple[int, ...] = ALL_CONDITIONS) -> np.ndarray:
    """M[q, p]: Q improves on P on the horizon, with the given conditions enforced."""
    masks = condition_masks(g, 3 in conditions)
    return np.logical_and.reduce([masks[k] for k in conditions])


def agreement(values: np.ndarray, goal: Goal, pairs: np.ndarray) -> int:
    """Check the numpy mirror against `rsi.definitions.improves` on the given (q, p) index
    pairs, for every set of conditions used here; returns the number of comparisons.
    AssertionError names the first pair where they differ."""
    from rsi.definitions import improves

    g = goal_values(goal, values)
    horizon = values.shape[1] - 1
    programs = [ObservedProgram(tuple(int(v) for v in row)) for row in values]
    compared = 0
    for conditions in [ALL_CONDITIONS] + [_without(k) for k in ALL_CONDITIONS]:
        matrix = improves_matrix(g, conditions)
        for q, p in pairs:
            core = improves(programs[q], programs[p], goal, horizon, conditions=conditions)
            assert supports(core) == bool(matrix[q, p]), (
                f"numpy mirror and rsi.definitions differ on Q={values[q].tolist()}, "
                f"P={values[p].tolist()}, conditions {conditions}: core says {core.kind}")
            compared += 1
    return compared


def check_agreement(domain: Domain, goal: Goal = identity, samples: int = 200,
                    seed: int = 0) -> Verdict:
    """`agreement` on `samples` random pairs of the domain, as a verdict."""
    values = domain.values()
    pairs = np.random.default_rng(seed).integers(0, len(values), size=(samples, 2))
    evidence = {"method": "exhaustive", "definitions": "core", "sampled_pairs": samples}
    try:
        compared = agreement(values, goal, pairs)
    except AssertionError as error:
        return Refuted({"reason": str(error)}, str(error), evidence)
    return HoldsUpTo(domain.horizon, {**evidence, "cases": compared})


def _without(k: int) -> tuple[int, ...]:
    return tuple(c for c in ALL_CONDITIONS if c != k)


Finder = Callable[[np.ndarray], tuple[tuple[int, ...] | None, int]]


@dataclass(frozen=True)
class ExhaustiveLaw:
    """A law of `proofs.laws` in matrix form: `find(g)`, on the goal values g of every program,
    returns the indices (P, Q[, R]) of a counterexample or None, and how many cases it covered
    (for implications: the cases where the premise held)."""

    name: str
    definitions: str
    expect: str  # "holds" or "refuted"
    find: Finder


def _irreflexive(conditions: tuple[int, ...]) -> Finder:
    def find(g: np.ndarray) -> tuple[tuple[int, ...] | None, int]:
        hits = np.flatnonzero(np.diagonal(improves_matrix(g, conditions)))
        return ((int(hits[0]),) if hits.size else None), len(g)
    return find


def _asymmetric(conditions: tuple[int, ...]) -> Finder:
    def find(g: np.ndarray) -> tuple[tuple[int, ...] | None, int]:
        m = improves_matrix(g, conditions)
        hits = np.argwhere(m & m.T)
        return ((int(hits[0][1]), int(hits[0][0])) if hits.size else None), m.size
    return find


def _transitive(g: np.ndarray) -> tuple[tuple[int, ...] | None, int]:
    m = improves_matrix(g)
    weights = m.astype(np.float32)
    chains = weights @ weights  # chains[r, p] = the number of q with R > Q > P
    broken = np.argwhere((chains > 0) & ~m)
    if broken.size:
        r, p = (int(i) for i in broken[0])
        q = int(np.flatnonzero(m[r] & m[:, p])[0])
        return (p, q, r), int(chains.sum())
    return None, int(chains.sum())


def _redundant(k: int) -> Finder:
    def find(g: np.ndarray) -> tuple[tuple[int, ...] | None, int]:
        others = improves_matrix(g, _without(k))
        hits = np.argwhere(others & ~condition_masks(g, True)[k])
        return ((int(hits[0][1]), int(hits[0][0])) if hits.size else None), int(others.sum())
    return find


TRANSFORMS = (Affine(3, -2), OddPower(3))  # strictly increasing f for f o G


def _invariant(g: np.ndarray) -> tuple[tuple[int, ...] | None, int]:
    plain_goal, plain = has_goal_mask(g), improves_matrix(g)
    for f in TRANSFORMS:
        seen = np.vectorize(f, otypes=[np.int64])(g)
        differs = np.flatnonzero(has_goal_mask(seen) != plain_goal)
        if differs.size:
            return (int(differs[0]),), 0
        pairs = np.argwhere(improves_matrix(seen) != plain)
        if pairs.size:
            return (int(pairs[0][1]), int(pairs[0][0])), 0
    return None, len(TRANSFORMS) * (plain.size + len(g))


EXHAUSTIVE_LAWS: tuple[ExhaustiveLaw, ...] = (
    ExhaustiveLaw("improves-irreflexive", "core", "holds", _irreflexive(ALL_CONDITIONS)),
    ExhaustiveLaw("improves-asymmetric", "core", "holds", _asymmetric(ALL_CONDITIONS)),
    ExhaustiveLaw("improves-transitive", "core", "holds", _transitive),
    *(ExhaustiveLaw(f"condition-{k}-redundant", "core", "refuted", _redundant(k))
      for k in ALL_CONDITIONS),
    ExhaustiveLaw("improves-irreflexive", "core without condition 3", "refuted",
                  _irreflexive(_without(3))),
    ExhaustiveLaw("improves-asymmetric", "core without condition 4", "refuted",
                  _asymmetric(_without(4))),
    ExhaustiveLaw("goal-invariance", "core", "holds", _invariant),
)


def check_exhaustive(
    law: ExhaustiveLaw, domain: Domain, goal: Goal = identity
) -> Verdict:
    """The law on every program (pair, chain) of the domain: HoldsUpTo(T) with the number of
    cases, or Refuted with the programs' tables as witness."""
    values = domain.values()
    g = goal_values(goal, values)
    found, cases = law.find(g)
    evidence = {"method": "exhaustive", "programs": len(values), "pairs": len(values) ** 2,
                "cases": cases, "domain": f"values 0..{domain.max_value}, t = 0..{domain.horizon}",
                "definitions": law.definitions}
    if found is None:
        return HoldsUpTo(domain.horizon, evidence)
    names = ("P", "Q", "R")[: len(found)]
    rows = []
    for t in range(domain.horizon + 1):
        row: dict[str, Any] = {"t": t}
        row.update({f"{name}(t)": int(values[index, t]) for name, index in zip(names, found, strict=False)})
        row.update({f"G({name}(t))": g[index, t].item() for name, index in zip(names, found, strict=False)})
        rows.append(row)
    witness = {"horizon": domain.horizon, "goal": getattr(goal, "__name__", str(goal)),
               "programs": {n: values[i].tolist() for n, i in zip(names, found, strict=False)}, "table": rows}
    return Refuted(witness, f"{law.name} fails for {law.definitions} on the domain", evidence)

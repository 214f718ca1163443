"""The laws of Mahoney's definitions, declared as data (Mahoney 2008, sections Goals, Improvement
and Recursive Self Improvement).

A `Law` is an immutable object: a name, the statement in words, the Hypothesis strategy of its
cases, and a check whose body only asserts.  The definitions under test are a parameter
(`Definitions`), so the same law runs against the core definitions (`core_definitions()`), the
core with one condition of "Q improves on P" dropped (`without_condition(k)`), or a
deliberately wrong definition in a test.  One runner (`proofs.runner`) checks any law against
any definitions and returns a verdict; `proofs.exhaustive` checks them on every small table.

Finite horizons: a definition answers HoldsUpTo(T) or Proven when it holds ("holds" below),
Refuted or Unknown when it does not, so a law's check never treats "holds up to T" as more.
"""
from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

from hypothesis import strategies as st

from proofs import strategies as rs
from proofs.goal_shapes import Composed
from rsi.goals import Goal
from rsi.verdict import Verdict
from rsi.verdict import supports as holds  # the one definition: HoldsUpTo or Proven

ALL_CONDITIONS: tuple[int, ...] = (1, 2, 3, 4)


@dataclass(frozen=True)
class Definitions:
    """The definitions a law is checked against; `conditions` are the enforced conditions of
    "Q improves on P" (all four in the paper)."""

    name: str
    has_goal: Callable[..., Verdict]  # (P, G, horizon) -> Verdict
    improves: Callable[..., Verdict]  # (Q, P, G, horizon, conditions=...) -> Verdict
    conditions: tuple[int, ...] = ALL_CONDITIONS

    def improves_on(self, q: Any, p: Any, goal: Goal, horizon: int) -> Verdict:
        """Q improves on P under these definitions (with their enforced conditions)."""
        return self.improves(q, p, goal, horizon, conditions=self.conditions)


def definitions_from(thing: Any, name: str) -> Definitions:
    """A user's definitions as `Definitions`: a `Definitions` object as it is, or anything
    (a module, a class, an object) with callables `has_goal(P, G, horizon)` and
    `improves(Q, P, G, horizon[, conditions=...])`; ValueError saying what is missing."""
    if isinstance(thing, Definitions):
        return thing
    missing = [attr for attr in ("has_goal", "improves") if not callable(getattr(thing, attr, None))]
    if missing:
        raise ValueError(f"{name} is not a proofs.laws.Definitions and has no callable "
                         f"{' or '.join(missing)}")
    improves = thing.improves
    try:
        takes_conditions = "conditions" in inspect.signature(improves).parameters
    except (TypeError, ValueError):
        takes_conditions = False
    if not takes_conditions:
        def improves_all(q: Any, p: Any, goal: Goal, horizon: int, conditions: Any = None) -> Verdict:
            return thing.improves(q, p, goal, horizon)

        improves = improves_all
    return Definitions(name, thing.has_goal, improves)


def core_definitions() -> Definitions:
    """The definitions of `rsi.definitions`, all four conditions enforced."""
    from rsi import definitions

    return Definitions("core", definitions.has_goal, definitions.improves)


def without_condition(k: int, base: Definitions | None = None) -> Definitions:
    """`base` (the core by default) with condition k of "Q improves on P" dropped."""
    if k not in ALL_CONDITIONS:
        raise ValueError(f"k must be one of {ALL_CONDITIONS}, got {k!r}")
    base = base or core_definitions()
    kept = tuple(c for c in base.conditions if c != k)
    return replace(base, name=f"{base.name} without condition {k}", conditions=kept)


@dataclass(frozen=True)
class Law:
    """A law: `check(definitions, horizon, *case)` asserts it on one case drawn from `cases`.

    `variables` names the parts of a case for witnesses, one entry per part: "P" a program,
    "P,Q" a pair (the names of its members), "G" the goal, "f" an increasing transform,
    "P_1" an RSI program, "n" a chain length, "T'-T" how much later the second horizon is.
    """

    name: str
    statement: str
    variables: tuple[str, ...]
    cases: st.SearchStrategy = field(repr=False)
    check: Callable[..., None] = field(repr=False)
    # How close a case is to breaking the law (higher: closer), for `hypothesis.target`.  Only
    # the laws where targeting was measured not to lower the find rate at rsi prove's budget of
    # 60 examples carry one (bench/property_search.py): the target phase takes examples from
    # the generate phase, and with few examples that cost more than it gained on asymmetry,
    # refutation-monotone and condition 4.
    score: Callable[..., float] | None = field(default=None, repr=False)


def _met(d: Definitions, q: Any, p: Any, goal: Goal, horizon: int) -> float:
    """How close "Q improves on P" is to holding under the definitions under test: 4 when it
    holds, else the number of its enforced conditions that hold where the verdict reports
    them per condition (as the core does), else 0."""
    verdict = d.improves_on(q, p, goal, horizon)
    if holds(verdict):
        return 4.0
    conditions = verdict.evidence.get("conditions", {}) if isinstance(verdict.evidence, dict) else {}
    enforced = [str(c) for c in d.conditions if str(c) in conditions]
    return float(sum(holds(conditions[c]) for c in enforced)) * 4 / max(len(enforced), 1) * 0.9


def _irreflexive_score(d: Definitions, horizon: int, p: Any, goal: Goal) -> float:
    return _met(d, p, p, goal, horizon)


def _redundant_score(k: int, d: Definitions, horizon: int, pair: tuple, goal: Goal) -> float:
    from rsi.definitions import improves

    p, q = pair
    conditions = improves(q, p, goal, horizon).evidence["conditions"]
    others = sum(holds(part) for label, part in conditions.items() if label != str(k))
    return others + 0.5 * (not holds(conditions[str(k)]))  # highest at a counterexample


def _irreflexive(d: Definitions, horizon: int, p: Any, goal: Goal) -> None:
    verdict = d.improves_on(p, p, goal, horizon)
    assert not holds(verdict), f"P improves on itself ({verdict.kind})"


def _asymmetric(d: Definitions, horizon: int, pair: tuple, goal: Goal) -> None:
    p, q = pair
    forth, back = d.improves_on(q, p, goal, horizon), d.improves_on(p, q, goal, horizon)
    assert not (holds(forth) and holds(back)), "Q improves on P and P improves on Q"


def _transitive(d: Definitions, horizon: int, chain: tuple, goal: Goal) -> None:
    p, q, r = chain
    if holds(d.improves_on(q, p, goal, horizon)) and holds(d.improves_on(r, q, goal, horizon)):
        verdict = d.improves_on(r, p, goal, horizon)
        assert holds(verdict), f"Q improves on P and R on Q, but R on P is {verdict.kind}"


def _condition_redundant(k: int, d: Definitions, horizon: int, pair: tuple, goal: Goal) -> None:
    p, q = pair
    others = tuple(c for c in d.conditions if c != k)
    if holds(d.improves(q, p, goal, horizon, conditions=others)):
        full = d.improves(q, p, goal, horizon, conditions=d.conditions)
        condition = full.evidence["conditions"][str(k)]
        assert holds(condition), f"the other conditions hold but condition {k} is {condition['kind']}"


def _goal_invariant(d: Definitions, horizon: int, pair: tuple, goal: Goal, f: Any) -> None:
    p, q = pair
    seen = Composed(f, goal)  # type: ignore[arg-type]  # G: N -> R composed with f: R -> R
    for name, plain, composed in (
        ("has goal", d.has_goal(p, goal, horizon), d.has_goal(p, seen, horizon)),
        ("improves", d.improves_on(q, p, goal, horizon), d.improves_on(q, p, seen, horizon)),
    ):
        assert plain.kind == composed.kind, f"{name}: {plain.kind} for G, {composed.kind} for f o G"


def _rsi_chain(d: Definitions, horizon: int, first: Any, length: int, goal: Goal) -> None:
    chain = [first]
    while len(chain) < length:
        chain.append(chain[-1].successor())
    for i in range(len(chain)):
        for j in range(i + 1, len(chain)):
            verdict = d.improves_on(chain[j], chain[i], goal, horizon)
            assert holds(verdict), f"P_{j + 1} does not improve on P_{i + 1} ({verdict.kind})"


def _refutation_stays(d: Definitions, horizon: int, pair: tuple, goal: Goal, more: int) -> None:
    p, q = pair
    for name, verdict_at in (
        ("has goal", lambda h: d.has_goal(p, goal, h)),
        ("improves", lambda h: d.improves_on(q, p, goal, h)),
    ):
        if verdict_at(horizon).kind == "refuted":
            later = verdict_at(horizon + more)
            assert later.kind == "refuted", f"{name}: refuted at T, {later.kind} at T + {more}"


_PAIRS = rs.program_pairs()
_MONOTONE = rs.goals(("monotone",))
# Every kind of goal, increasing ones three times in four: the constructed pairs keep their shape
# (which condition fails) only under a goal that preserves the order of values.
_GOALS = st.sampled_from([0, 0, 0, 1]).flatmap(lambda k: rs.goals() if k else _MONOTONE)


IRREFLEXIVE = Law("improves-irreflexive", "no program improves on itself (condition 3)",
                  ("P", "G"), st.tuples(rs.growing_programs() | rs.programs(), _GOALS), _irreflexive,
                  _irreflexive_score)
ASYMMETRIC = Law("improves-asymmetric",
                 "Q improves on P and P improves on Q never both hold (condition 4)",
                 ("P,Q", "G"), st.tuples(_PAIRS, _GOALS), _asymmetric)
TRANSITIVE = Law("improves-transitive", "Q improves on P and R on Q imply R improves on P",
                 ("P,Q,R", "G"), st.tuples(rs.improving_chains(3, 3).map(tuple), _MONOTONE)
                 | st.tuples(st.tuples(rs.programs(), rs.programs(), rs.programs()), _GOALS),
                 _transitive)
REDUNDANT = tuple(
    Law(f"condition-{k}-redundant",
        f"the other three conditions imply condition {k} (false: condition {k} is needed, and "
        "the runner must find a pair meeting the other three but not it)",
        ("P,Q", "G"), st.tuples(_PAIRS, _GOALS), partial(_condition_redundant, k),
        partial(_redundant_score, k) if k != 4 else None)
    for k in ALL_CONDITIONS
)
GOAL_INVARIANT = Law("goal-invariance",
                     "has goal and improves give the same verdict for G and f o G, f strictly "
                     "increasing", ("P,Q", "G", "f"),
                     st.tuples(_PAIRS, _GOALS, rs.increasing_transforms()), _goal_invariant)
RSI_CHAIN = Law("rsi-chain-improving",
                "an RSI program's chain P_1..P_n (P_(i+1) = P_i(-1)) is an improving sequence, "
                "and P_j improves on P_i for every i < j", ("P_1", "n", "G"),
                st.tuples(rs.rsi_programs(), st.integers(2, 4), _MONOTONE), _rsi_chain)
REFUTATION_STAYS = Law("refutation-monotone",
                       "a refutation of has goal or improves at horizon T stays one at T' > T",
                       ("P,Q", "G", "T'-T"), st.tuples(_PAIRS, _GOALS, st.integers(1, 40)),
                       _refutation_stays)

LAWS: tuple[Law, ...] = (IRREFLEXIVE, ASYMMETRIC, TRANSITIVE, *REDUNDANT, GOAL_INVARIANT,
                         RSI_CHAIN, REFUTATION_STAYS)

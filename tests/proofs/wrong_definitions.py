"""Deliberately wrong variants of Mahoney 2008's definitions, each with the laws it breaks.

Property search (`proofs.runner.check_law`) must refute each listed law, with the default
example budget of `rsi prove` (measured in bench/property_search.py).  The module also serves
`rsi prove --definitions tests/proofs/wrong_definitions.py:ATTR` in the tests: every attribute
here is a `proofs.laws.Definitions`.
"""
from __future__ import annotations

import numpy as np

from proofs import laws
from proofs.laws import Definitions
from rsi.definitions import CONDITIONS, has_goal, improves, values_on
from rsi.goals import goal_values
from rsi.verdict import HoldsUpTo, Refuted, Unknown, Verdict, supports


def improves_with_ge(q, p, goal, horizon, conditions=CONDITIONS) -> Verdict:
    """>= in place of > in condition 3, so every P with a goal improves on itself."""
    parts = []
    if 1 in conditions:
        parts.append(has_goal(p, goal, horizon).kind)
    if 2 in conditions:
        parts.append(has_goal(q, goal, horizon).kind)
    gq = goal_values(goal, values_on(q, horizon))
    gp = goal_values(goal, values_on(p, horizon))
    if 3 in conditions and not np.any(gq >= gp):
        parts.append("refuted")
    if all(supports(kind) for kind in parts):
        return HoldsUpTo(horizon, {})
    return Refuted({}, "a condition fails")


def improves_without_condition_4(q, p, goal, horizon, conditions=CONDITIONS) -> Verdict:
    """Conditions 1-3 only: P and Q can improve on each other (the paper's warning)."""
    return improves(q, p, goal, horizon, conditions=tuple(c for c in conditions if c != 4) or (3,))


def has_goal_unknown_is_false(p, goal, horizon) -> Verdict:
    """Collapses Unknown to Refuted: "no better t' seen up to T" read as "never better"."""
    verdict = has_goal(p, goal, horizon)
    if isinstance(verdict, Unknown):
        return Refuted({"reason": verdict.reason}, verdict.reason)
    return verdict


WITH_GE = Definitions("improves with >= in condition 3", has_goal, improves_with_ge)
NO_CONDITION_4 = Definitions("improves without condition 4", has_goal, improves_without_condition_4)
UNKNOWN_IS_FALSE = Definitions("has goal with Unknown read as Refuted", has_goal_unknown_is_false, improves)

WRONG: list[tuple[Definitions, list[laws.Law]]] = [
    (WITH_GE, [laws.IRREFLEXIVE]),
    (NO_CONDITION_4, [laws.ASYMMETRIC]),
    (UNKNOWN_IS_FALSE, [laws.REFUTATION_STAYS]),
]

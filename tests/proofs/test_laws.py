"""proofs.laws through proofs.runner: the laws hold on the core definitions, the necessity
counterexamples are found, and the runner fails on a deliberately wrong "improves"."""
import numpy as np
import pytest

from proofs import laws
from proofs.laws import Definitions, core_definitions, without_condition
from proofs.runner import check_law
from rsi.definitions import has_goal, values_on
from rsi.goals import goal_values
from rsi.verdict import HoldsUpTo, Refuted

EXAMPLES = 25  # the runner's own setting, independent of the Hypothesis profile
HOLDING = [law for law in laws.LAWS if law not in laws.REDUNDANT]


@pytest.mark.parametrize("law", HOLDING, ids=lambda law: law.name)
def test_law_holds_on_the_core_definitions(law):
    verdict = check_law(law, core_definitions(), EXAMPLES)
    assert verdict.kind == "holds_up_to", getattr(verdict, "reason", "")
    assert verdict.evidence["cases"] == EXAMPLES


@pytest.mark.parametrize(("law", "k"), [(laws.IRREFLEXIVE, 3), (laws.ASYMMETRIC, 4)],
                         ids=["without-3-P-improves-on-P", "without-4-mutual-improvement"])
def test_dropping_condition_breaks_its_law_with_a_witness(law, k):
    verdict = check_law(law, without_condition(k), 60)
    assert verdict.kind == "refuted"
    table = verdict.witness["table"]
    assert table[0]["t"] == 0 and "G(P(t))" in table[0]


def test_condition_4_redundancy_is_refuted_by_search():
    verdict = check_law(laws.REDUNDANT[3], core_definitions(), 60)
    assert verdict.kind == "refuted"
    rows = verdict.witness["table"]
    # the witness pair crosses: Q better somewhere, P better at some later t
    better = [r["t"] for r in rows if r["G(Q(t))"] > r["G(P(t))"]]
    worse = [r["t"] for r in rows if r["G(Q(t))"] < r["G(P(t))"]]
    assert better and worse and max(worse) > min(better)


def _improves_with_ge(q, p, goal, horizon, conditions=(1, 2, 3, 4)):
    """A wrong "improves": >= in place of > in condition 3 (so every P improves on itself)."""
    parts = []
    if 1 in conditions:
        parts.append(has_goal(p, goal, horizon).kind)
    if 2 in conditions:
        parts.append(has_goal(q, goal, horizon).kind)
    gq = goal_values(goal, values_on(q, horizon))
    gp = goal_values(goal, values_on(p, horizon))
    if 3 in conditions and not np.any(gq >= gp):
        parts.append("refuted")
    if all(kind in laws.HOLDS for kind in parts):
        return HoldsUpTo(horizon, {})
    return Refuted({}, "a condition fails")


def test_runner_refutes_irreflexivity_of_a_wrong_improves():
    wrong = Definitions("improves with >=", has_goal, _improves_with_ge)
    verdict = check_law(laws.IRREFLEXIVE, wrong, 60)
    assert verdict.kind == "refuted"
    assert verdict.witness["programs"]["P"]  # the program that "improves on itself"


def test_runner_settings_ignore_the_loaded_profile():
    verdict = check_law(laws.IRREFLEXIVE, core_definitions(), 7)
    assert verdict.evidence["cases"] == 7


def test_without_condition_rejects_an_unknown_condition():
    with pytest.raises(ValueError, match="k must be one of"):
        without_condition(5)

"""proofs.laws through proofs.runner: the laws hold on the core definitions, the necessity
counterexamples are found, and the runner fails on a deliberately wrong "improves"."""
import pytest
from wrong_definitions import WRONG

from proofs import laws
from proofs.laws import core_definitions, without_condition
from proofs.obligations import QUICK_EXAMPLES
from proofs.runner import check_law

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


@pytest.mark.parametrize(("definitions", "law"), [(d, law) for d, broken in WRONG for law in broken],
                         ids=lambda v: getattr(v, "name", ""))
def test_property_search_alone_refutes_each_broken_law_of_a_wrong_definition(definitions, law):
    verdict = check_law(law, definitions, QUICK_EXAMPLES)
    assert verdict.kind == "refuted"
    assert verdict.witness["programs"]["P"] and verdict.witness["table"]


@pytest.mark.parametrize("k", [1, 2, 3, 4])
def test_property_search_alone_refutes_each_condition_redundant(k):
    verdict = check_law(laws.REDUNDANT[k - 1], core_definitions(), QUICK_EXAMPLES)
    assert verdict.kind == "refuted", verdict.evidence


def test_runner_settings_ignore_the_loaded_profile():
    verdict = check_law(laws.IRREFLEXIVE, core_definitions(), 7)
    assert verdict.evidence["cases"] == 7


def test_without_condition_rejects_an_unknown_condition():
    with pytest.raises(ValueError, match="k must be one of"):
        without_condition(5)

"""proofs.exhaustive: the numpy mirror equals rsi.definitions on every pair of a small domain,
and every law gets its expected verdict on every program of the default domain."""
import itertools

import numpy as np
import pytest

from proofs.exhaustive import EXHAUSTIVE_LAWS, Domain, agreement, check_exhaustive
from rsi.goals import identity, prime


def test_domain_counts_every_table():
    assert len(Domain(3, 4).values()) == 4**5
    assert len({tuple(row) for row in Domain(2, 3).values()}) == 3**4


@pytest.mark.parametrize("goal", [identity, pytest.param(prime, marks=pytest.mark.slow)],
                         ids=["identity", "prime"])
def test_numpy_mirror_agrees_with_core_on_every_pair(goal):
    values = Domain(2, 3).values()
    pairs = np.array(list(itertools.product(range(len(values)), repeat=2)))
    assert agreement(values, goal, pairs) == 5 * len(values) ** 2


@pytest.mark.parametrize("law", EXHAUSTIVE_LAWS, ids=lambda law: f"{law.name}/{law.definitions}")
def test_exhaustive_law_gets_its_expected_verdict(law):
    verdict = check_exhaustive(law, Domain())
    assert verdict.kind == ("refuted" if law.expect == "refuted" else "holds_up_to")
    if law.expect == "refuted":
        assert set(verdict.witness["programs"]) <= {"P", "Q"}
        assert len(verdict.witness["table"]) == Domain().horizon + 1


def test_necessity_witness_meets_the_other_conditions():
    from rsi.definitions import improves
    from rsi.programs import ObservedProgram

    law = next(law for law in EXHAUSTIVE_LAWS if law.name == "condition-1-redundant")
    witness = check_exhaustive(law, Domain()).witness["programs"]
    p, q = (ObservedProgram(tuple(witness[name])) for name in ("P", "Q"))
    verdict = improves(q, p, identity, 4)
    kinds = {k: v["kind"] for k, v in verdict.evidence["conditions"].items()}
    assert kinds["1"] not in ("holds_up_to", "proven")
    assert all(kinds[k] in ("holds_up_to", "proven") for k in "234")


def test_domain_rejects_a_large_horizon():
    with pytest.raises(ValueError, match="horizon"):
        Domain(3, 12)

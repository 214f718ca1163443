"""proofs.exhaustive: the numpy mirror equals rsi.definitions on every pair of a small domain,
and every law gets its expected verdict on every program of the default domain."""
import itertools

import numpy as np
import pytest

from proofs.exhaustive import EXHAUSTIVE_LAWS, Domain, agreement, check_exhaustive, has_goal_mask
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


# Every pair where that is cheap (<= 1,024 programs' pairs), sampled pairs beyond.
EVERY_PAIR = [(2, 1), (2, 2), (1, 3), (1, 4)]
SAMPLED = [(1, 5), (1, 6), (1, 7), (2, 5), (2, 6)]


@pytest.mark.parametrize(("max_value", "horizon"), EVERY_PAIR, ids=lambda v: str(v))
def test_numpy_mirror_agrees_with_core_on_every_pair_at_small_horizons(max_value, horizon):
    values = Domain(max_value, horizon).values()
    pairs = np.array(list(itertools.product(range(len(values)), repeat=2)))
    assert agreement(values, identity, pairs) == 5 * len(values) ** 2


@pytest.mark.parametrize(("max_value", "horizon"), SAMPLED, ids=lambda v: str(v))
def test_numpy_mirror_agrees_with_core_on_sampled_pairs_at_every_allowed_horizon(max_value, horizon):
    values = Domain(max_value, horizon).values()
    pairs = np.random.default_rng(horizon).integers(0, len(values), size=(300, 2))
    assert agreement(values, identity, pairs) == 5 * 300


@pytest.mark.parametrize("horizon", range(1, 8))
def test_has_goal_mirror_agrees_with_core_on_every_program(horizon):
    from rsi.definitions import has_goal
    from rsi.programs import ObservedProgram
    from rsi.verdict import supports

    values = Domain(2, horizon).values()
    core = [supports(has_goal(ObservedProgram(tuple(int(v) for v in row)), identity, horizon))
            for row in values]
    assert has_goal_mask(values).tolist() == core


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

"""Mahoney 2008's Examples 1-6: computed verdicts agree with the paper, and changing a
constant of an example changes the verdict (the verdicts are computed, not asserted)."""
import shutil

import pytest

from quines_text.paper_examples.example6 import Example6
from rsi.examples import (
    EXAMPLES,
    Example1,
    Example2,
    Example3,
    Example4,
    Example5,
    largest_prime_below_cube_root,
)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: f"example{e.number}")
def test_example_agrees_with_the_paper(example):
    result = example.check()
    assert result.agrees, {label: v.summary() for label, v in result.verdicts.items()}
    assert result.number == example.number and result.claim == example.claim


def test_example1_has_goal_exactly_before_100():
    result = Example1().check()
    kinds = [v.kind for v in result.verdicts.values()]
    assert kinds == ["proven", "refuted"]


@pytest.mark.parametrize("changed", [
    Example1(steps=120),  # P(t) = 0 until t = 120, so it still has the goal at 100..119
    Example1(switch_at=80),  # switches to 5 at 80: no goal from 80 on, but claimed up to 99
    Example2(has_at=7, has_not_at=6),  # the two times swapped
    Example3(halts_from=10**6),  # never halts within the horizon: G stays 0, no increase seen
    Example4(q_plus=0),  # Q equals P after 2000, so Q is never better once it halts
    Example5(increment=0),  # P_n all equal: no P_{n+1} is ever better
], ids=lambda e: repr(e))
def test_changing_a_constant_changes_the_verdict(changed):
    assert changed.check().agrees is False


def test_example2_needs_two_different_times():
    with pytest.raises(ValueError, match="must differ"):
        Example2(has_at=6, has_not_at=6)


def test_example4_shares_the_t_of_conditions_3_and_4_after_q_halts():
    verdict = Example4().check().verdicts["Q improves on P"]
    # Q halts from 2000: t = 2000 has icbrt(1999) = 12, P = 11 (prime <= 12), Q = 13 (<= 13).
    assert verdict.evidence["t"] == 2000
    assert verdict.evidence["conditions"]["3"]["evidence"] == {"t": 2000, "G_Q": 13, "G_P": 11}


@pytest.mark.parametrize("t, plus, expected", [
    (0, 0, 0), (8, 0, 0), (9, 0, 2), (28, 0, 3), (1000, 0, 7), (1001, 0, 7), (1332, 0, 11),
    (0, 1, 0), (1, 1, 0), (2, 1, 2), (9, 1, 3), (2000, 1, 13),
])
def test_largest_prime_below_cube_root_by_hand(t, plus, expected):
    # e.g. t = 1332: 11^3 = 1331 < 1332, so 11 < t^(1/3); t = 1001: 10^3 < 1001 but 10 is not prime.
    assert largest_prime_below_cube_root(t, plus) == expected


def test_example_results_serialise_to_json_dicts():
    import json

    data = json.loads(json.dumps(Example2().check().to_dict()))
    assert data["agrees"] is True and set(data["agreement"]) == set(data["verdicts"])


@pytest.mark.skipif(shutil.which("gcc") is None, reason="Example 6 runs the paper's C program with gcc")
def test_example6_chain_of_the_papers_c_program_agrees():
    result = Example6().check()
    assert result.agrees, {label: v.summary() for label, v in result.verdicts.items()}
    values = result.verdicts["P_n(t) = t + n for n = 1..3, t = 0..12"]
    assert values.evidence["programs"] == 3


@pytest.mark.skipif(shutil.which("gcc") is None, reason="Example 6 runs the paper's C program with gcc")
def test_example6_with_a_longer_horizon_still_agrees():
    assert Example6(programs=4, horizon=6).check().agrees

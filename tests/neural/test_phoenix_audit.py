"""P_i(t) over training budgets and Mahoney's "Q improves on P" beside the greedy rule
(Mahoney 2008, section Improvement)."""
import math

import pytest

from neural.phoenix.audit import audit_step, disagreements, program_from_losses, quality
from rsi.programs import ObservedProgram

BUDGETS = (0, 10, 20, 30, 40, 50, 60, 70, 80)


def program(values) -> ObservedProgram:
    return ObservedProgram(tuple(values), BUDGETS)


def test_quality_orders_models_as_the_loss_does_and_a_diverged_run_scores_zero():
    losses = [0.01, 0.5, 1.0, 2.0, 6.0]
    values = [quality(x) for x in losses]
    assert values == sorted(values, reverse=True) and len(set(values)) == len(values)
    assert quality(0.0) == 10**6 and quality(1.0) == math.floor(10**6 / math.e)
    assert quality(math.nan) == 0 and quality(math.inf) == 0


def test_a_budget_program_is_undefined_beyond_its_grid():
    p = program(range(1, 10))
    assert p.value(8) == 9 and p.run(3).steps == 30
    with pytest.raises(ValueError, match="was not observed"):
        p.run(9)


def test_a_curve_better_everywhere_and_still_rising_improves_up_to_the_grid():
    p = program([10, 20, 30, 40, 50, 60, 70, 80, 90])
    q = program([15, 25, 35, 45, 55, 65, 75, 85, 95])
    step = audit_step(0, p, q, greedy_kept_new=True)
    assert step.verdict.kind == "holds_up_to" and step.verdict.horizon == 8
    assert step.mahoney_improves and not step.to_dict()["disagree"]


def test_the_same_curve_does_not_improve_on_itself():
    p = program([10, 20, 30, 40, 50, 60, 70, 80, 90])
    step = audit_step(0, p, p, greedy_kept_new=False)
    assert step.verdict.kind == "unknown" and not step.mahoney_improves


def test_better_early_but_worse_at_the_last_budget_is_refuted_by_condition_4():
    p = program([10, 20, 30, 40, 50, 60, 70, 80, 90])
    q = program([15, 25, 35, 45, 55, 65, 75, 85, 89])
    step = audit_step(0, p, q, greedy_kept_new=True)
    # no t <= T = 8 after the last worse t' = 8: condition 4 has no t to start from
    assert step.verdict_3_4.kind == "unknown" and step.verdict_3_4.reason.startswith("condition 4")
    assert not step.mahoney_improves and step.to_dict()["disagree"]


def test_a_curve_that_falls_back_late_is_not_known_to_have_the_goal():
    p = program([10, 20, 30, 40, 50, 60, 70, 80, 90])
    q = program([15, 25, 35, 55, 51, 65, 75, 85, 95])  # falls at t = 4: C = 3 > T // 4 = 2
    step = audit_step(0, p, q, greedy_kept_new=True)
    assert step.verdict.kind == "unknown" and step.verdict.reason.startswith("condition 2")
    assert not step.mahoney_improves and step.better_3_4


def test_disagreements_count_the_two_by_two_table():
    rising = program([10, 20, 30, 40, 50, 60, 70, 80, 90])
    higher = program([15, 25, 35, 45, 55, 65, 75, 85, 95])
    steps = [audit_step(0, rising, higher, True), audit_step(1, rising, higher, False),
             audit_step(2, rising, rising, True), audit_step(3, rising, rising, False)]
    table = disagreements(steps)
    assert table == {"steps": 4, "kept_improves": 1, "kept_not_improves": 1,
                     "not_kept_improves": 1, "not_kept_not_improves": 1, "disagree": 2,
                     "disagree_3_4": 2}


def test_program_from_losses_scores_each_budget_and_keeps_the_budgets_as_steps():
    p = program_from_losses((0, 10, 20), (2.0, 1.0, math.nan))
    assert p.values == (quality(2.0), quality(1.0), 0)
    assert p.run(1).steps == 10
    with pytest.raises(ValueError, match="at least 2 budgets"):
        program_from_losses((0,), (1.0,))

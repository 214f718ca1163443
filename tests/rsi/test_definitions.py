"""Mahoney 2008's definitions on hand-made programs, one test per branch of each verdict.

Expected witnesses and constants are counted by hand from the programs' closed forms.
"""
import pytest
import sympy

from rsi.definitions import (
    has_goal,
    has_goal_at,
    improves,
    is_improving_sequence,
    is_rsi,
    values_on,
)
from rsi.goals import identity, prime
from rsi.programs import Outcome, SpecProgram, TableProgram, t

# P(t) = 0 for t < 3 (not halted), then t: 0, 0, 0, 3, 4, 5, ...
LATE_IDENTITY = SpecProgram(t, 3)
# P(t) = t mod 5 (+ nothing): 0, 1, 2, 3, 4, 0, 1, ...  drops after every 4
SAWTOOTH = SpecProgram(sympy.Mod(t, 5), 0)
CONSTANT = SpecProgram(7, 0)
# P(t) = t except P(30) = 0: has goal at t fails for 1 <= t <= 29 (each is worse at 30), so C = 29.
DIP_AT_30 = SpecProgram(lambda k: 0 if k == 30 else k, 0)


# has goal at t -------------------------------------------------------------------------

def test_has_goal_at_holds_up_to_horizon_with_the_first_better_t():
    verdict = has_goal_at(LATE_IDENTITY, identity, 1, 50)
    assert verdict.kind == "holds_up_to" and verdict.horizon == 50
    assert verdict.evidence["t_prime"] == 3  # G(P(1)) = 0, G(P(3)) = 3


def test_has_goal_at_refuted_by_the_first_worse_t():
    verdict = has_goal_at(SAWTOOTH, identity, 4, 50)
    assert verdict.kind == "refuted"
    assert verdict.witness == {"t": 4, "t_prime": 5, "G_t": 4, "G_t_prime": 0}


def test_has_goal_at_unknown_when_no_better_t_within_horizon():
    verdict = has_goal_at(CONSTANT, identity, 10, 50)
    assert verdict.kind == "unknown" and "(10, 50]" in verdict.reason


def test_has_goal_at_prime_of_example_2_shape():
    identity_program = SpecProgram(t, t / 2)
    assert has_goal_at(identity_program, prime, 6, 30).kind == "holds_up_to"  # 0, then 7
    assert has_goal_at(identity_program, prime, 7, 30).witness["t_prime"] == 8  # 7, then 0


def test_has_goal_at_on_a_table_is_proven_while_it_still_rises():
    verdict = has_goal_at(TableProgram((0, 3, 5)), prime, 1, 10)
    assert verdict.kind == "proven" and verdict.evidence["t_prime"] == 2


def test_has_goal_at_on_a_table_refuted_by_a_worse_entry():
    verdict = has_goal_at(TableProgram((5, 7, 2, 9)), identity, 1, 10)
    assert verdict.kind == "refuted" and verdict.witness["t_prime"] == 2


@pytest.mark.parametrize("at", [2, 3, 500])
def test_has_goal_at_on_a_table_refuted_by_its_constant_tail(at):
    verdict = has_goal_at(TableProgram((0, 3, 5)), prime, at, 1000)
    assert verdict.kind == "refuted"
    assert verdict.witness == {"t": at, "tail_from": 2, "reason": "constant tail from t=2"}


@pytest.mark.parametrize("t_value, horizon", [(5, 5), (-1, 10)])
def test_has_goal_at_rejects_a_horizon_that_does_not_exceed_t(t_value, horizon):
    with pytest.raises(ValueError):
        has_goal_at(CONSTANT, identity, t_value, horizon)


# has goal ----------------------------------------------------------------------------

def test_has_goal_holds_with_the_smallest_c():
    verdict = has_goal(LATE_IDENTITY, identity, 100)
    assert verdict.kind == "holds_up_to" and verdict.evidence["C"] == -1


def test_has_goal_reports_the_last_failing_t_as_c():
    verdict = has_goal(DIP_AT_30, identity, 200)  # 29 <= 200 // 4
    assert verdict.kind == "holds_up_to" and verdict.evidence["C"] == 29


def test_has_goal_unknown_when_the_last_failure_is_past_a_quarter_of_the_horizon():
    verdict = has_goal(DIP_AT_30, identity, 100)  # 29 > 100 // 4
    assert verdict.kind == "unknown" and verdict.evidence["C"] == 29
    assert verdict.evidence["at_C"]["witness"]["t_prime"] == 30


def test_has_goal_unknown_for_a_constant_spec_program():
    verdict = has_goal(CONSTANT, identity, 100)
    assert verdict.kind == "unknown" and verdict.evidence["C"] == 50


def test_has_goal_refuted_for_every_table_by_its_constant_tail():
    verdict = has_goal(TableProgram((0, 2, 3, 5, 7)), prime, 10)
    assert verdict.kind == "refuted" and verdict.witness["every_t_from"] == 4


# improves ----------------------------------------------------------------------------

PLUS_1 = SpecProgram(t + 1, 0)
PLUS_2 = SpecProgram(t + 2, 0)


def test_improves_holds_for_a_uniformly_better_program():
    verdict = improves(PLUS_2, PLUS_1, identity, 100)
    assert verdict.kind == "holds_up_to" and verdict.evidence["t"] == 0
    kinds = {label: data["kind"] for label, data in verdict.evidence["conditions"].items()}
    assert kinds == {"1": "holds_up_to", "2": "holds_up_to", "3": "proven", "4": "holds_up_to"}


def test_the_t_of_condition_4_is_the_t_of_condition_3():
    # Q = t + 2 except Q(5) = 0: better at 0..4, worse at 5, better again from 6.
    dipping = SpecProgram(lambda k: 0 if k == 5 else k + 2, 0)
    verdict = improves(dipping, PLUS_1, identity, 100)
    assert verdict.kind == "holds_up_to" and verdict.evidence["t"] == 6
    assert verdict.evidence["conditions"]["3"]["evidence"]["t"] == 6


def test_the_shared_t_may_lie_anywhere_up_to_the_horizon():
    # Q = P = t + 1 until t = 70, Q = t + 2 from there: the witness is past T // 2 = 50.
    late = SpecProgram(lambda k: k + 2 if k >= 70 else k + 1, 0)
    verdict = improves(late, PLUS_1, identity, 100)
    assert verdict.kind == "holds_up_to" and verdict.evidence["t"] == 70
    assert verdict.evidence["conditions"]["4"]["evidence"]["checked_t_prime"] == [71, 100]
    # a horizon that stops before the better t cannot see it
    assert improves(late, PLUS_1, identity, 69).kind == "unknown"


def test_improves_unknown_without_a_better_t_and_p_improves_on_p_without_condition_3():
    assert improves(PLUS_1, PLUS_1, identity, 100).kind == "unknown"
    assert improves(PLUS_1, PLUS_1, identity, 100, conditions=(1, 2, 4)).kind == "holds_up_to"


def test_without_condition_4_two_programs_improve_on_each_other():
    # Q is better for t < 10 and worse from t = 10 on.
    early = SpecProgram(lambda k: k + 2 if k < 10 else k, 0)
    assert improves(early, PLUS_1, identity, 100).kind == "unknown"
    assert improves(early, PLUS_1, identity, 100, conditions=(1, 2, 3)).kind == "holds_up_to"
    assert improves(PLUS_1, early, identity, 100, conditions=(1, 2, 3)).kind == "holds_up_to"


def test_improves_unknown_when_p_has_no_goal_within_the_horizon():
    verdict = improves(PLUS_1, CONSTANT, identity, 100)
    assert verdict.kind == "unknown" and verdict.reason.startswith("condition 1")


def test_improves_on_tables_refuted_by_condition_1():
    verdict = improves(TableProgram((0, 3, 7)), TableProgram((0, 3, 5)), prime, 10)
    assert verdict.kind == "refuted" and verdict.witness["part"] == "condition 1"


def test_improves_on_tables_conditions_3_and_4_proven_exactly():
    verdict = improves(TableProgram((0, 3, 7)), TableProgram((0, 3, 5)), prime, 10, conditions=(3, 4))
    assert verdict.kind == "proven" and verdict.evidence["t"] == 2


def test_improves_on_tables_condition_4_refuted_by_a_worse_tail():
    verdict = improves(TableProgram((0, 7, 3)), TableProgram((0, 3, 5)), prime, 10, conditions=(3, 4))
    assert verdict.kind == "refuted" and verdict.witness["part"] == "condition 4"
    assert verdict.evidence["conditions"]["3"]["kind"] == "proven"


def test_improves_on_tables_condition_3_refuted_when_q_is_never_better():
    verdict = improves(TableProgram((0, 3)), TableProgram((0, 3, 5)), prime, 10, conditions=(3,))
    assert verdict.kind == "refuted" and verdict.witness["part"] == "condition 3"


def test_single_value_tables_are_decided_exactly():
    one, two = TableProgram((1,)), TableProgram((2,))
    assert has_goal(one, identity, 5).witness["every_t_from"] == 0
    assert improves(two, one, identity, 5, conditions=(3, 4)).kind == "proven"
    assert improves(one, two, identity, 5, conditions=(3, 4)).kind == "refuted"


def test_improves_rejects_unknown_conditions():
    with pytest.raises(ValueError, match="conditions must be a non-empty collection"):
        improves(PLUS_2, PLUS_1, identity, 10, conditions=(5,))


# improving sequence and RSI -----------------------------------------------------------

def plus(n: int, last: int = 10**9) -> SpecProgram:
    """P_n(t) = t + n whose successor is P_{n+1}, up to P_last (which has none)."""
    return SpecProgram(t + n, 0, successor=(lambda: plus(n + 1, last)) if n < last else None)


def test_improving_sequence_holds_for_t_plus_n():
    verdict = is_improving_sequence([plus(n) for n in range(1, 5)], identity, 100)
    assert verdict.kind == "holds_up_to" and len(verdict.evidence["links"]) == 3


def test_improving_sequence_names_the_first_broken_link():
    programs = [plus(1), plus(2), TableProgram((3,)), plus(4)]
    verdict = is_improving_sequence(programs, identity, 100)
    assert verdict.kind == "refuted" and verdict.witness["part"] == "P_3 improves on P_2"


def test_is_rsi_holds_when_successors_improve():
    verdict = is_rsi(plus(1), 4, identity, 100)
    assert verdict.kind == "holds_up_to" and verdict.evidence["programs"] == 4


def test_is_rsi_refuted_when_a_program_has_no_successor():
    verdict = is_rsi(plus(1, last=2), 4, identity, 100)
    assert verdict.kind == "refuted" and verdict.witness["i"] == 2


def test_is_rsi_unknown_when_running_a_successor_fails():
    def fail():
        raise RuntimeError("P(-1) did not produce a successor: status timeout")

    verdict = is_rsi(SpecProgram(t + 1, 0, successor=fail), 2, identity, 100)
    assert verdict.kind == "unknown" and "timeout" in verdict.reason


# evaluation --------------------------------------------------------------------------

class CountingProgram:
    """A program without values_upto, like a text program: counts its runs."""

    def __init__(self) -> None:
        self.runs = 0

    def run(self, k: int) -> Outcome:
        self.runs += 1
        return Outcome(k * k, halted=True, steps=None)

    def value(self, k: int) -> int:
        return self.run(k).value


def test_values_on_runs_a_generic_program_once_per_t_and_caches():
    program = CountingProgram()
    assert values_on(program, 10).tolist() == [k * k for k in range(11)]
    assert values_on(program, 5).tolist() == [k * k for k in range(6)]
    assert program.runs == 11


def test_has_goal_on_a_million_steps_is_fast():
    import time

    start = time.perf_counter()
    verdict = has_goal(SpecProgram(t + 3, t / 2), prime, 10**6)
    assert time.perf_counter() - start < 3.0  # measured well under a second
    assert verdict.kind == "unknown"  # PRIME(t + 3) drops after every prime


# one validation for every public argument -------------------------------------------------

def test_numpy_integer_arguments_are_accepted_everywhere():
    import numpy as np

    assert has_goal(PLUS_1, identity, np.int64(20)).kind == "holds_up_to"
    assert improves(PLUS_2, PLUS_1, identity, np.int32(20), conditions=np.array([1, 2, 3, 4])).kind == "holds_up_to"
    assert is_rsi(plus(1), np.int64(3), identity, 20).kind == "holds_up_to"


@pytest.mark.parametrize(("call", "argument"), [
    (lambda: has_goal(PLUS_1, identity, 20.0), "horizon"),
    (lambda: has_goal(PLUS_1, identity, True), "horizon"),
    (lambda: has_goal_at(PLUS_1, identity, 1.0, 20), "t"),
    (lambda: improves(PLUS_2, PLUS_1, identity, 20, conditions=(True,)), "conditions"),
    (lambda: improves(PLUS_2, PLUS_1, identity, 20, conditions=(3.0,)), "conditions"),
    (lambda: improves(PLUS_2, PLUS_1, identity, 20, conditions=()), "conditions"),
    (lambda: is_rsi(plus(1), 3.0, identity, 20), "n"),
    (lambda: has_goal(PLUS_1, identity, 20, t_min=11), "t_min"),
])
def test_bad_arguments_are_one_value_error_naming_the_argument(call, argument):
    with pytest.raises(ValueError, match=rf"^{argument}\b"):
        call()


def test_is_rsi_refutes_a_successor_that_is_not_a_program():
    verdict = is_rsi(SpecProgram(t, 0, successor=lambda: 5), 3, identity, 20)
    assert verdict.kind == "refuted" and "P_1(-1) is not a program" in verdict.reason
    assert is_rsi(SpecProgram(t, 0, successor=lambda: 5), 2, identity, 20).kind == "refuted"


# the time domain: t >= t_min --------------------------------------------------------------

def test_an_improvement_seen_only_at_t_0_says_so_and_fails_from_t_1():
    # Q(t) = P(t) for t >= 1, Q(0) = 1 > P(0) = 0: condition 3 is witnessed only at t = 0
    p = SpecProgram(sympy.Piecewise((0, sympy.Eq(t, 0)), (t, True)), 0)
    q = SpecProgram(sympy.Piecewise((1, sympy.Eq(t, 0)), (t, True)), 0)
    default = improves(q, p, identity, 20)
    assert default.kind == "holds_up_to" and default.evidence["t"] == 0
    assert "outside the paper's t > 0" in default.evidence["note"]
    assert improves(q, p, identity, 20, t_min=1).kind != "holds_up_to"
    assert "note" not in improves(PLUS_2, PLUS_1, identity, 20).evidence


def test_t_min_restricts_has_goal_and_c_counts_from_it():
    # P(0) = 5 > P(t) = t for t = 1..4: has goal at t = 0 fails, every t >= 1 has it
    program = SpecProgram(sympy.Piecewise((5, sympy.Eq(t, 0)), (t, True)), 0)
    assert has_goal(program, identity, 40).evidence["C"] == 0
    assert has_goal(program, identity, 40, t_min=1).evidence["C"] == 0
    assert has_goal(PLUS_1, identity, 40, t_min=1).evidence["C"] == 0
    assert has_goal(PLUS_1, identity, 40).evidence["C"] == -1

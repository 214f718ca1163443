"""Mahoney's Example 2 on real metered machines: the start-up cost of a real program that
prints t makes it have goal PRIME at small primes t, where the paper's idealised P does not."""
import pytest

from quines_text.paper_examples.example2_metered import example2_on_machine

SMALL_PRIMES = (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53)


def test_python_print_t_halts_from_t_11_and_differs_from_the_paper_below_it():
    # print(input()) is 11 instructions in CPython 3.11 (dis, RESUME excluded): PUSH_NULL,
    # LOAD_NAME, PUSH_NULL, LOAD_NAME, PRECALL, CALL, PRECALL, CALL, POP_TOP, LOAD_CONST,
    # RETURN_VALUE.  So P(t) = 0 for t < 11 and every small prime below 11 gains the goal.
    result = example2_on_machine("python", horizon=32, checked_upto=16)
    assert result.first_halting_t == 11
    assert result.differ == (2, 3, 5, 7)
    assert 6 in result.goal_times and 6 in result.idealised_goal_times  # the paper's t = 6
    assert 7 in result.goal_times and 7 not in result.idealised_goal_times  # the paper's t = 7


def test_bf_print_t_halts_from_t_58_and_differs_at_every_prime_below_it():
    # ",----------[" is 12 steps, each digit costs 10 '+', '.', ',', 10 '-', ']' = 23 steps:
    # a two-digit t needs 12 + 2 * 23 = 58 steps, so P(t) = 0 for every t < 58.
    result = example2_on_machine("bf", horizon=128, checked_upto=64)
    assert result.first_halting_t == 58
    assert result.differ == SMALL_PRIMES
    assert 59 not in result.goal_times and 61 not in result.goal_times


def test_unmetered_machine_is_refused():
    with pytest.raises(ValueError, match="no Example 2 program"):
        example2_on_machine("c")


def test_rsi_examples_metered_reports_both_machines(capsys):
    from rsi.app.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["examples", "--metered", "--json"])
    assert exit_info.value.code == 0
    import json

    data = json.loads(capsys.readouterr().out)
    assert [real["lang"] for real in data["metered_example2"]] == ["python", "bf"]
    assert data["metered_example2"][0]["differ"] == [2, 3, 5, 7]

"""Unmetered machines python-plain, c and js: P(t) under the wall-clock guard (DESIGN.md "Machines")."""
from pathlib import Path

import pytest

from quines_text.machines import TextProgram, get_machine

PRINTS_T_PLUS_ONE = {
    "python-plain": "print(int(input()) + 1)",
    "c": '#include <stdio.h>\nint main(void){int t; scanf("%d", &t); printf("%d", t + 1);'
         " return 0;}",
    "js": "console.log(Number(require('fs').readFileSync(0, 'utf8')) + 1)",
}
EXAMPLE6 = Path(__file__).parents[2] / "rsi" / "data" / "mahoney_example6.c"


@pytest.mark.parametrize("name", sorted(PRINTS_T_PLUS_ONE))
def test_value_is_the_printed_number_and_steps_are_unknown(name):
    machine = get_machine(name)
    outcome = machine.value(PRINTS_T_PLUS_ONE[name], 41)
    assert not machine.metered and machine.name == name
    assert (outcome.value, outcome.halted, outcome.steps) == (42, True, None)


def test_output_that_is_not_a_natural_number_gives_zero_and_is_recorded():
    outcome = get_machine("js").value("console.log('hello')", 3)
    assert (outcome.value, outcome.note) == (0, "not a natural number")


def test_mahoney_example6_runs_and_its_successor_adds_two():
    program = TextProgram(EXAMPLE6.read_text(), "c")
    successor = program.successor()
    assert program.value(5) == 6 and successor.value(5) == 7
    assert "n=2" in successor.source

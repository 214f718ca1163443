"""SpecProgram and TableProgram: Mahoney's P(t) ("the positive natural number ... after t time
steps, or 0 if P has not halted after t steps") for closed forms and finite tables."""
import time

import pytest
import sympy

from rsi.definitions import values_on
from rsi.programs import Program, SpecProgram, TableProgram, t


def test_spec_program_is_zero_until_it_halts_within_t_steps():
    program = SpecProgram(lambda k: k + 10, 5)  # halts after 5 steps
    assert [program.value(k) for k in range(8)] == [0, 0, 0, 0, 0, 15, 16, 17]
    assert program.run(4).halted is False and program.run(5).halted is True


def test_spec_program_values_that_are_not_natural_numbers_give_zero_with_a_note():
    program = SpecProgram(lambda k: k / 2 - 1, 0)
    assert [program.value(k) for k in range(7)] == [0, 0, 0, 0, 1, 0, 2]
    assert program.run(3).note == "not a natural number"
    assert program.run(0).note == "negative"


def test_spec_and_table_programs_satisfy_the_program_protocol():
    assert isinstance(SpecProgram(t, 0), Program)
    assert isinstance(TableProgram((1, 2)), Program)


def test_sympy_program_vectorised_values_equal_exact_values():
    program = SpecProgram(sympy.floor(t / 3) + t**2, sympy.Rational(1, 2) * t + 4)
    exact = [program.value(k) for k in range(300)]
    assert list(values_on(program, 299)) == exact


def test_vectorised_overflow_falls_back_to_exact_integers():
    program = SpecProgram(2**t + 1, 0)
    values = values_on(program, 100)
    assert values[100] == 2**100 + 1 and values[63] == 2**63 + 1


def test_an_undefined_running_time_counts_as_not_halted():
    program = SpecProgram(t, sympy.log(t, 2))  # log(0) is sympy's zoo
    assert program.value(0) == 0 and program.value(4) == 4
    assert values_on(program, 8).tolist() == [0, 1, 2, 3, 4, 5, 6, 7, 8]


def test_values_are_cached_per_program_and_read_only():
    calls = []
    program = SpecProgram(lambda k: calls.append(k) or k + 1, 0)
    first = values_on(program, 50)
    assert values_on(program, 20).tolist() == first[:21].tolist()
    assert len(calls) == 51
    with pytest.raises(ValueError):
        first[0] = 9


def test_horizon_of_a_million_is_fast_for_a_sympy_spec_program():
    program = SpecProgram(t + 3, t / 2)
    start = time.perf_counter()
    values = values_on(program, 10**6)
    elapsed = time.perf_counter() - start
    assert values[10**6] == 10**6 + 3
    assert elapsed < 2.0  # measured about 0.05 s; generous for a loaded runner


def test_closed_forms_may_only_use_t():
    with pytest.raises(ValueError, match="only use the symbol t, found n"):
        SpecProgram(t + sympy.Symbol("n"), 0)
    with pytest.raises(ValueError, match="value must be"):
        SpecProgram("t + 1", 0)


def test_table_program_is_constant_beyond_its_table():
    table = TableProgram((0, 3, 5))
    assert [table.value(k) for k in range(6)] == [0, 3, 5, 5, 5, 5]
    assert table.tail_start == 2
    assert values_on(table, 5).tolist() == [0, 3, 5, 5, 5, 5]
    assert values_on(table, 1).tolist() == [0, 3]


@pytest.mark.parametrize("values, message", [
    ((), "at least one value"),
    ((1, -2), "t=1 must be an int >= 0"),
    ((1, 2.5), "t=1 must be an int >= 0"),
])
def test_table_program_rejects_bad_tables_naming_the_entry(values, message):
    with pytest.raises(ValueError, match=message):
        TableProgram(values)


def test_negative_t_is_refused_with_a_pointer_to_successor():
    with pytest.raises(ValueError, match="successor"):
        SpecProgram(t, 0).run(-1)

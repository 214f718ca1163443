"""SpecProgram and TableProgram: Mahoney's P(t) ("the positive natural number ... after t time
steps, or 0 if P has not halted after t steps") for closed forms and finite tables."""
import time

import pytest
import sympy

from rsi.definitions import values_on
from rsi.programs import Outcome, Program, SpecProgram, TableProgram, t


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


# exact values: never read from floating point -------------------------------------------

CUBE_ROOT_FORM = 2 * sympy.floor(t / 2) - sympy.floor(t ** sympy.Rational(1, 3))


def test_a_cube_root_closed_form_is_exact_at_a_perfect_cube():
    # 64**(1/3) is 3.999... in float64: P(64) = 64 - 4 = 60, not 61
    program = SpecProgram(CUBE_ROOT_FORM, 0)
    assert values_on(program, 100)[64] == 60 == program.value(64)
    assert values_on(program, 1000)[1000] == 1000 - 10


def test_vectorised_values_equal_run_whatever_the_horizon_and_cache():
    forms = [CUBE_ROOT_FORM, t**2 / 3 + t / 3, sympy.floor(t**2 / 3 + t / 3),
             sympy.Mod(3 * t / 2, sympy.Rational(5, 2)),
             sympy.Max(t - 5, 10 - t), (t + 1) ** -1 * 12, 3 * t**20, sympy.ceiling(t * sympy.Rational(7, 5)) - 3]
    for form in forms:
        exact = [SpecProgram(form, t / 2).value(k) for k in range(121)]
        program = SpecProgram(form, t / 2)
        short = values_on(program, 30).tolist()
        assert values_on(program, 120).tolist() == exact, form
        assert short == exact[:31], form


def test_big_integer_closed_forms_stay_exact():
    program = SpecProgram(t + 10**30, 0)
    values = values_on(program, 16)
    assert values[16] == 10**30 + 16 and values[0] == 10**30
    assert SpecProgram(10**20 * t - 10**20 * t + 5, 0).values_upto(4).tolist() == [5] * 5


def test_numpy_integer_times_are_accepted_and_floats_refused_by_name():
    import numpy as np

    assert SpecProgram(t, 0).run(np.int64(5)).value == 5
    with pytest.raises(ValueError, match="t must be an integer"):
        SpecProgram(t, 0).run(2.0)


def test_outcome_to_json_takes_numpy_integers():
    import json

    import numpy as np

    assert json.loads(Outcome(np.int64(3), True, np.int64(2)).to_json())["value"] == 3

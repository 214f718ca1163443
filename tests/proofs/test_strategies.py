"""proofs.strategies: argument checks, what the strategies promise, and the entry point."""
import subprocess
import sys
import textwrap

import pytest
from hypothesis import given
from hypothesis import strategies as st

from proofs import strategies as rs
from rsi.definitions import improves
from rsi.goals import identity


@pytest.mark.parametrize(("call", "argument"), [
    (lambda: rs.table_programs(max_value=-1), "max_value"),
    (lambda: rs.table_programs(min_length=3, max_length=2), "max_length"),
    (lambda: rs.spec_programs(max_delay="2"), "max_delay"),
    (lambda: rs.goals(("monotone", "weird")), "kinds"),
    (lambda: rs.program_pairs(base=[1, 2]), "base"),
])
def test_bad_arguments_are_named_at_once(call, argument):
    with pytest.raises(ValueError, match=argument):
        call()


@given(rs.improving_chains())
def test_improving_chains_improve_link_by_link(chain):
    for earlier, later in zip(chain, chain[1:], strict=False):
        assert improves(later, earlier, identity, 12).kind == "holds_up_to"


@given(rs.rsi_programs())
def test_rsi_program_successor_improves(first):
    assert improves(first.successor(), first, identity, 12).kind == "holds_up_to"


@given(rs.table_programs(max_value=2, min_length=2, max_length=3))
def test_table_programs_respect_their_bounds(program):
    assert 2 <= len(program.values) <= 3 and max(program.values) <= 2


def test_from_type_works_through_the_entry_point_without_importing_proofs(tmp_path):
    test_file = tmp_path / "test_user.py"
    test_file.write_text(textwrap.dedent("""
        import sys
        from hypothesis import given, settings, strategies as st
        import rsi.programs

        @settings(max_examples=10, database=None)
        @given(st.from_type(rsi.programs.TableProgram))
        def test_tables(program):
            assert isinstance(program, rsi.programs.TableProgram)

        def test_proofs_was_loaded_by_the_hook_not_by_us():
            assert "proofs.strategies" in sys.modules
    """))
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(test_file)],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout


def _kinds(q, p):
    verdict = improves(q, p, identity, 12)
    return {label: part["kind"] for label, part in verdict.evidence["conditions"].items()}


def _holding(kinds):
    return {label for label, kind in kinds.items() if kind in ("holds_up_to", "proven")}


@given(rs.growing_programs(), st.integers(40, 60))
def test_a_constant_above_a_line_fails_only_condition_2(p, ceiling):
    from proofs.strategies import _T, _spec, _under_a_ceiling

    line = _spec(p.value_form.subs(_T, 0) + _T, p.steps_form)  # slope 1: below 40 up to t = 12
    pair = _under_a_ceiling(line, ceiling)
    assert _holding(_kinds(pair[1], pair[0])) == {"1", "3", "4"}


@given(rs.growing_programs(), st.integers(1, 30))
def test_a_constant_below_a_growing_program_fails_only_condition_1(p, level):
    from proofs.strategies import _over_a_floor

    low, high = _over_a_floor(p, level)
    assert _holding(_kinds(high, low)) == {"2", "3", "4"}


@given(rs.growing_programs(), st.integers(1, 3))
def test_a_later_halting_copy_fails_only_condition_3(p, extra):
    from proofs.strategies import _delayed

    early, late = _delayed(p, extra)
    # the other three hold (condition 4 read without 3: no worse t' after some t) ...
    assert improves(late, early, identity, 12, conditions=(1, 2, 4)).kind == "holds_up_to"
    assert "3" not in _holding(_kinds(late, early))  # ... and condition 3 fails

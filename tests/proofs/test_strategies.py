"""proofs.strategies: argument checks, what the strategies promise, and the entry point."""
import subprocess
import sys
import textwrap

import pytest
from hypothesis import given

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

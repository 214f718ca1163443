"""`rsi prove`: every obligation met, exit 0, JSON and readable counterexample tables."""
import contextlib
import io
import json

import pytest

from rsi.app.cli import main
from rsi.app.cli.prove import _render


@pytest.fixture(scope="module")
def proved():
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit) as done:
        main(["prove", "--json"])
    return done.value.code, json.loads(out.getvalue())


def test_rsi_prove_exits_0_and_meets_every_obligation(proved):
    code, data = proved
    assert code == 0 and data["ok"] and not data["failures"]
    assert {row["method"] for row in data["obligations"]} == {"property", "exhaustive", "symbolic"}


def test_rsi_prove_finds_every_necessity_counterexample(proved):
    found = {(row["law"], row["definitions"]) for row in proved[1]["obligations"]
             if row["expect"] == "refuted" and row["status"] == "refuted"}
    for k in (1, 2, 3, 4):
        assert (f"condition-{k}-redundant", "core") in found
    assert ("improves-irreflexive", "core without condition 3") in found
    assert ("improves-asymmetric", "core without condition 4") in found


def test_rsi_prove_finds_every_necessity_counterexample_by_property_search_alone(proved):
    rows = [row for row in proved[1]["obligations"]
            if row["expect"] == "refuted" and row["method"] != "symbolic"]  # laws, not claims
    by_property = {(row["law"], row["definitions"]) for row in rows
                   if row["method"] == "property" and row["outcome"] == "counterexample found"}
    assert by_property == {(row["law"], row["definitions"]) for row in rows}


def test_rsi_prove_prints_counterexamples_as_program_tables(proved, capsys):
    _render(proved[1])
    out = capsys.readouterr().out
    for column in ("P(t)", "Q(t)", "G(P(t))", "G(Q(t))"):
        assert column in out
    assert "all obligations met" in out


NO_CONDITION_4 = '''
from rsi.definitions import has_goal, improves as core_improves


def improves(q, p, goal, horizon):
    return core_improves(q, p, goal, horizon, conditions=(1, 2, 3))
'''


def _prove(*args):
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit) as done:
        main(["prove", *args])
    return done.value.code, out.getvalue()


def test_prove_definitions_from_a_file_in_a_temp_folder_lists_the_broken_law(tmp_path):
    module = tmp_path / "no_condition_4.py"
    module.write_text(NO_CONDITION_4)
    code, out = _prove("--definitions", str(module), "--json")
    data = json.loads(out)
    assert code == 1 and not data["ok"]
    assert [line.split(":")[0] for line in data["broken"]] == ["improves-asymmetric"]
    row = next(o for o in data["obligations"] if o["law"] == "improves-asymmetric")
    table = row["verdict"]["witness"]["table"]
    assert any(r["G(Q(t))"] > r["G(P(t))"] for r in table)  # Q better somewhere
    assert any(r["G(Q(t))"] < r["G(P(t))"] for r in table)  # and P better somewhere
    code, out = _prove("--definitions", f"{module}:improves")  # ATTR lacks has_goal
    assert code == 2


def test_prove_definitions_prints_the_witness_as_a_program_table(tmp_path, capsys):
    module = tmp_path / "variant.py"
    module.write_text(NO_CONDITION_4)
    code, out = _prove("--definitions", str(module))
    assert code == 1
    for text in ("broken laws:", "improves-asymmetric", "P(t)", "G(Q(t))"):
        assert text in out


def test_prove_definitions_of_the_core_breaks_nothing():
    code, out = _prove("--definitions", "proofs.laws:core_definitions", "--json")
    assert code == 2  # a function, not Definitions: bad input named
    code, out = _prove("--definitions", "rsi.definitions", "--json")
    assert code == 0 and json.loads(out)["broken"] == []


@pytest.mark.parametrize("spec", ["no_such_module_xyz", "rsi.definitions:nothing", "/nonexistent/x.py:D"])
def test_prove_definitions_bad_module_is_exit_2(spec):
    assert _prove("--definitions", spec)[0] == 2


def test_a_necessity_law_a_method_did_not_refute_is_not_shown_as_failed():
    from proofs.obligations import NOT_FOUND, Obligation, ProofReport

    missed = Obligation("condition-1-redundant", "core", "property", "refuted",
                        {"kind": "holds_up_to", "horizon": 12, "evidence": {"cases": 60}})
    found = Obligation("condition-1-redundant", "core", "exhaustive", "refuted",
                       {"kind": "refuted", "witness": {}, "reason": "x", "evidence": {}})
    assert missed.outcome == NOT_FOUND and found.outcome == "counterexample found"
    assert ProofReport((missed, found)).ok
    assert ProofReport((missed,)).failures == (
        "condition-1-redundant (core): no counterexample found by any method",)

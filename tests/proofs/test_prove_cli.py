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


def test_rsi_prove_prints_counterexamples_as_program_tables(proved, capsys):
    _render(proved[1])
    out = capsys.readouterr().out
    for column in ("P(t)", "Q(t)", "G(P(t))", "G(Q(t))"):
        assert column in out
    assert "all obligations met" in out

"""`rsi quine check | make | relay`: exit 0 only for a quine / a closed relay, 1 for every
other verdict, 2 with one line for bad input; --json carries the documented fields."""
import json
from pathlib import Path

import pytest

from quines_text.quine import QUINE_TEMPLATES, SUCCESSOR_TEMPLATES, check, make_relay
from rsi.app.cli import main

QUINES = Path(__file__).parent / "quines"


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        main(list(args))
    out, err = capsys.readouterr()
    return done.value.code, out, err


def test_check_json_of_a_quine_exits_0(capsys):
    code, out, _ = run_cli(capsys, "quine", "check", str(QUINES / "python_format.py"), "--json")
    data = json.loads(out)
    assert code == 0
    assert (data["verdict"], data["lang"], data["status"], data["edit_distance"], data["diff"]) == (
        "quine", "python", "ok", 0, "")


def test_check_of_a_near_quine_exits_1_and_prints_the_diff(capsys, tmp_path):
    program = tmp_path / "near.py"
    program.write_text((QUINES / "python_percent_r.py").read_text().rstrip("\n"))
    code, out, _ = run_cli(capsys, "quine", "check", str(program))
    assert code == 1
    assert out.startswith("near (python, status ok)") and "+++ output" in out


@pytest.mark.parametrize(
    "args,message",
    [
        (["quine", "check", "no/such/file.py"], "program file not found"),
        (["quine", "check", "README.md"], "cannot tell the language"),
        (["quine", "check", "pyproject.toml", "--lang", "cobol"], "unknown language 'cobol'"),
        (["quine", "make", "pyproject.toml", "--lang", "bf"], "cannot construct quines in bf"),
        (["quine", "relay", "no/such/file.js"], "program file not found"),
    ],
)
def test_bad_input_exits_2_with_one_line(capsys, args, message):
    code, out, err = run_cli(capsys, *args)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and message in err


def test_make_prints_a_program_that_checks_as_quine(capsys, tmp_path):
    template = tmp_path / "template.js"
    template.write_text(QUINE_TEMPLATES["js"])
    code, out, _ = run_cli(capsys, "quine", "make", str(template))
    assert code == 0 and check(out, "js").verdict == "quine"


def test_make_successor_with_n(capsys, tmp_path):
    template = tmp_path / "template.py"
    template.write_text(SUCCESSOR_TEMPLATES["python"])
    code, out, _ = run_cli(capsys, "quine", "make", str(template), "--successor", "-n", "41", "--json")
    assert code == 0 and json.loads(out)["program"].startswith("n = 41\n")


def test_make_without_self_is_bad_input(capsys, tmp_path):
    template = tmp_path / "template.py"
    template.write_text("print('hello')\n")
    code, _, err = run_cli(capsys, "quine", "make", str(template))
    assert code == 2 and "does not use the name SELF" in err


def test_relay_of_python_js_relay_reports_period_2(capsys, tmp_path):
    program = tmp_path / "relay.py"
    program.write_text(make_relay("python", "js"))
    code, out, _ = run_cli(capsys, "quine", "relay", str(program), "--json")
    data = json.loads(out)
    assert code == 0 and (data["stopped"], data["period"]) == ("cycle", 2)


def test_relay_that_breaks_exits_1(capsys, tmp_path):
    program = tmp_path / "hello.py"
    program.write_text("print('hello')\n")
    code, out, _ = run_cli(capsys, "quine", "relay", str(program), "--max", "3")
    assert code == 1 and "unknown_language" in out

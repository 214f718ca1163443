"""`rsi run`: status, steps and P(t) on the command line; exit 0 ok, 1 other status, 2 bad input."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

HOSTILE = Path(__file__).parents[1] / "hostile"


def rsi(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rsi", "run", *args], capture_output=True,
                          text=True, timeout=120)


@pytest.fixture
def prints_t(tmp_path) -> Path:
    path = tmp_path / "prints_t.py"
    path.write_text("print(int(input()))\n")  # 15 steps, counted in tests/quines_text
    return path


def test_metered_p_of_t_is_t_once_the_budget_covers_the_15_steps(prints_t):
    done = rsi(str(prints_t), "--t", "15", "--metered", "--json")
    data = json.loads(done.stdout)
    assert done.returncode == 0
    assert (data["status"], data["steps"], data["value"]) == ("ok", 15, 15)


def test_metered_budget_too_small_gives_p_zero_and_exit_1(prints_t):
    done = rsi(str(prints_t), "--t", "14", "--metered", "--json")
    data = json.loads(done.stdout)
    assert done.returncode == 1 and (data["status"], data["value"]) == ("step_limit", 0)


def test_a_language_without_a_metered_machine_is_bad_input(monkeypatch, capsys):
    # every registered language has one now (js: js-wasm), so the registry is patched here
    from dataclasses import replace

    from quines_text.languages import LANGUAGES
    from rsi.app.cli import main

    monkeypatch.setitem(LANGUAGES, "js", replace(LANGUAGES["js"], metered=None))
    with pytest.raises(SystemExit) as done:
        main(["run", str(HOSTILE / "js_memory_bomb.js"), "--metered"])
    error = capsys.readouterr().err
    assert done.value.code == 2
    assert "no metered machine for js" in error and len(error.strip().splitlines()) == 1


def test_stdin_text_reaches_the_program(prints_t):
    done = rsi(str(prints_t), "--stdin", "7", "--json")
    assert json.loads(done.stdout)["stdout"] == "7\n"


@pytest.mark.parametrize("args, message", [
    (["missing.py"], "not found"),
    (["{prog}", "--lang", "cobol"], "unknown language"),
    (["{prog}", "--t", "3", "--stdin", "3"], "not both"),
    (["{prog}", "--bogus"], "No such option"),
    (["{prog}", "--wall-s", "0"], "limit wall_s must be positive"),
    (["{bf}", "--memory-mb", "64"], "apply to python, c and js, not bf"),
])
def test_bad_input_is_one_line_and_exit_2(prints_t, args, message):
    c_file = HOSTILE / "c_abort.c"
    bf_file = Path(__file__).parents[1] / "quines_text" / "quines" / "bf_direct.bf"
    js_file = HOSTILE / "js_memory_bomb.js"
    done = rsi(*[a.format(prog=prints_t, c=c_file, bf=bf_file, js=js_file) for a in args])
    assert done.returncode == 2
    assert message in done.stderr and len(done.stderr.strip().splitlines()) == 1

"""`rsi examples` and `rsi improves`: exit codes 0 / 1 / 2, JSON output, one-line errors."""
import json
import shutil

import pytest

from quines_text.paper_examples import example6
from rsi import examples
from rsi.app.cli import main

needs_gcc = pytest.mark.skipif(shutil.which("gcc") is None, reason="runs C programs with gcc")


def run_main(args: list[str], capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    captured = capsys.readouterr()
    return exit_info.value.code, captured.out, captured.err


def test_examples_json_reports_agreement_and_exits_0(monkeypatch, capsys):
    monkeypatch.setattr(example6, "ALL_EXAMPLES", examples.EXAMPLES[:2])
    code, out, _ = run_main(["examples", "--json"], capsys)
    data = json.loads(out)
    assert code == 0 and data["all_agree"] is True
    assert [example["number"] for example in data["examples"]] == [1, 2]


def test_examples_exit_1_when_a_changed_example_disagrees(monkeypatch, capsys):
    monkeypatch.setattr(example6, "ALL_EXAMPLES", (examples.Example1(steps=120),))
    code, out, _ = run_main(["examples"], capsys)
    assert code == 1
    assert "NO" in out and "0 of 1 examples agree" in out


@needs_gcc
def test_all_six_examples_agree_through_the_cli(capsys):
    code, out, _ = run_main(["examples", "--json"], capsys)
    data = json.loads(out)
    assert code == 0, [e["agreement"] for e in data["examples"]]
    assert [example["number"] for example in data["examples"]] == [1, 2, 3, 4, 5, 6]


@pytest.fixture
def c_chain(tmp_path):
    """P_1 of Example 6 and P_2 = P_1(-1), as files."""
    from quines_text.machines import TextProgram

    first = TextProgram(examples.example6_source(), "c")
    (tmp_path / "p1.c").write_text(first.source)
    (tmp_path / "p2.c").write_text(first.successor().source)
    return tmp_path


@needs_gcc
def test_improves_holds_for_the_successor_and_prints_each_condition(c_chain, capsys):
    code, out, _ = run_main(["improves", str(c_chain / "p2.c"), str(c_chain / "p1.c"),
                             "--horizon", "8", "--json"], capsys)
    data = json.loads(out)
    assert code == 0 and data["verdict"]["kind"] == "holds_up_to"
    assert set(data["verdict"]["evidence"]["conditions"]) == {"1", "2", "3", "4"}


@needs_gcc
def test_improves_exits_1_the_other_way_round(c_chain, capsys):
    code, out, _ = run_main(["improves", str(c_chain / "p1.c"), str(c_chain / "p2.c"),
                             "--horizon", "8"], capsys)
    assert code == 1 and "unknown" in out and "condition" in out


@pytest.mark.parametrize("extra, message", [
    (["--goal", "speed"], "unknown goal 'speed'"),
    (["--horizon", "-3"], "--horizon must be >= 1"),
    (["--lang", "cobol"], "unknown language 'cobol'"),
])
def test_improves_bad_options_give_one_line_and_exit_2(tmp_path, capsys, extra, message):
    for name in ("q.c", "p.c"):
        (tmp_path / name).write_text("int main(){return 0;}\n")
    code, out, err = run_main(["improves", str(tmp_path / "q.c"), str(tmp_path / "p.c"), *extra], capsys)
    assert code == 2 and out == ""
    assert err.startswith("rsi: error:") and message in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("q_name, message", [
    ("missing.c", "program file Q not found"),
    ("q.txt", "cannot tell the language"),
])
def test_improves_bad_files_give_one_line_and_exit_2(tmp_path, capsys, q_name, message):
    (tmp_path / "p.c").write_text("int main(){return 0;}\n")
    (tmp_path / "q.txt").write_text("1\n")
    code, _, err = run_main(["improves", str(tmp_path / q_name), str(tmp_path / "p.c")], capsys)
    assert code == 2 and message in err and "Traceback" not in err


@needs_gcc
def test_improves_on_programs_that_print_no_number_or_do_not_compile_is_a_verdict(tmp_path, capsys):
    (tmp_path / "words.c").write_text('#include <stdio.h>\nint main(){puts("hello");return 0;}\n')
    (tmp_path / "broken.c").write_text("this is not C\n")
    code, out, err = run_main(["improves", str(tmp_path / "words.c"), str(tmp_path / "broken.c"),
                               "--horizon", "4", "--json"], capsys)
    assert code == 1 and err == ""
    assert json.loads(out)["verdict"]["kind"] in ("unknown", "refuted")


def test_improves_on_a_program_that_never_halts_is_a_verdict(tmp_path, capsys):
    (tmp_path / "loop.py").write_text("while True:\n    pass\n")
    (tmp_path / "p.py").write_text("print(int(input()) + 1)\n")
    code, out, err = run_main(["improves", str(tmp_path / "loop.py"), str(tmp_path / "p.py"),
                               "--horizon", "2", "--json"], capsys)
    assert code == 1 and err == ""
    assert json.loads(out)["verdict"]["kind"] == "unknown"

"""quines_text.quine.relay: a Python -> JavaScript -> Python relay built with make has period 2, a
quine period 1; relays that never repeat or break stop with the reason."""
from pathlib import Path

import pytest

from quines_text.quine import make_relay, make_successor, relay
from quines_text.quine.relay import detect_lang

QUINES = Path(__file__).parent / "quines"


@pytest.mark.parametrize("langs", [None, ("python", "js")])
def test_python_js_relay_has_period_two(langs):
    result = relay(make_relay("python", "js"), langs, max_steps=6)
    assert (result.stopped, result.period, result.cycle_start) == ("cycle", 2, 0)
    assert [stage.lang for stage in result.stages] == ["python", "js"]
    assert all(stage.status == "ok" for stage in result.stages)


def test_js_python_relay_has_period_two():
    result = relay(make_relay("js", "python"), None, max_steps=6)
    assert (result.stopped, result.period) == ("cycle", 2)
    assert [stage.lang for stage in result.stages] == ["js", "python"]


def test_quine_is_a_relay_of_period_one():
    result = relay((QUINES / "c_global_string.c").read_text(), "c", max_steps=3)
    assert (result.stopped, result.period, len(result.stages)) == ("cycle", 1, 1)


def test_program_that_never_repeats_stops_at_max_steps():
    counter = make_successor("import sys\nsys.stdout.write(NEXT)\n", "python")
    result = relay(counter, "python", max_steps=3)
    assert (result.stopped, result.period, len(result.stages)) == ("max_steps", None, 3)


def test_output_that_does_not_run_stops_with_error():
    result = relay("print('hello')\n", "python", max_steps=5)
    assert result.stopped == "error"
    assert len(result.stages) == 2 and result.stages[0].status == "ok"
    assert result.stages[1].status != "ok"  # "hello" is not Python: a NameError


def test_output_in_no_known_language_stops_as_unknown_language():
    result = relay("print('hello')\n", None, max_steps=5, first_lang="python")
    assert result.stopped == "unknown_language" and len(result.stages) == 1


@pytest.mark.parametrize(
    "path,lang",
    [(path, path.suffix) for path in sorted(QUINES.iterdir())],
    ids=[path.name for path in sorted(QUINES.iterdir())],
)
def test_detect_lang_recognises_every_known_quine(path, lang):
    expected = {".py": "python", ".c": "c", ".js": "js", ".bf": "bf"}[lang]
    assert detect_lang(path.read_text()) == expected


def test_detect_lang_ignores_code_quoted_in_strings():
    # A Python program whose string holds JavaScript is Python.
    assert detect_lang("import sys\nsys.stdout.write('process.stdout.write(1)')\n") == "python"


def test_detect_lang_refuses_prose():
    with pytest.raises(ValueError, match="cannot tell the language"):
        detect_lang("hello, world\n")


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"langs": "cobol"}, "unknown language 'cobol'"),
        ({"langs": ()}, "empty sequence"),
        ({"max_steps": 0}, "max_steps must be >= 1"),
    ],
)
def test_bad_relay_arguments_are_value_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        relay("print(1)\n", **kwargs)

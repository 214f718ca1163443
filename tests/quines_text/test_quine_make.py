"""Kleene's recursion theorem, constructively: make(template) is a quine by `check` and its
payload ran, for any payload text; make_successor(template, n) prints t + n and, on -1,
make_successor(template, n + 1)."""
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quines_text.machines import stdin_for
from quines_text.quine import (
    MAKE_LANGS,
    QUINE_TEMPLATES,
    SUCCESSOR_TEMPLATES,
    check,
    make,
    make_successor,
)
from quines_text.quine.check import run_program

# Printable text with the characters that break naive constructions mixed in.
PAYLOADS = st.lists(
    st.one_of(
        st.sampled_from(list("\"'\\%{}$`?\n\t") + ["%s", "%d", "{}", "??/", "*/", "é", "✓", "𝄞"]),
        st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    ),
    max_size=16,
).map("".join)


def _comment(payload: str) -> str:
    """The payload as one line of comment text (no line breaks, no comment terminator)."""
    return "".join(c for c in payload if c.isprintable() and c not in "\u2028\u2029").replace("*/", "* /")


def _template(payload: str, lang: str) -> str:
    """A template that writes the payload to stderr and SELF to stdout; the payload is also
    raw text in a comment.  The literals are written here independently of quines_text.quine.make."""
    if lang == "python":
        return f"# {_comment(payload)}\nimport sys\nsys.stderr.write({payload!r})\nsys.stdout.write(SELF)\n"
    if lang == "js":
        return (
            f"// {_comment(payload)}\nprocess.stderr.write({json.dumps(payload)});\n"
            "process.stdout.write(SELF);\n"
        )
    octal = "".join(f"\\{byte:03o}" for byte in payload.encode("utf-8"))
    return (
        f"/* {_comment(payload)} */\nint main(void)\n{{\n    fputs(\"{octal}\", stderr);\n"
        "    fputs(SELF, stdout);\n    return 0;\n}\n"
    )


def _assert_quine_and_payload_ran(payload: str, lang: str) -> None:
    verdict = check(make(_template(payload, lang), lang), lang)
    assert verdict.verdict == "quine", verdict.to_json()
    assert verdict.stderr == payload


@pytest.mark.parametrize("lang", MAKE_LANGS)
@settings(max_examples=25)
@given(payload=PAYLOADS)
def test_made_program_is_a_quine_and_runs_its_payload(lang, payload):
    _assert_quine_and_payload_ran(payload, lang)


@pytest.mark.slow
@pytest.mark.parametrize("lang", MAKE_LANGS)
@settings(max_examples=200)
@given(payload=PAYLOADS)
def test_made_program_is_a_quine_and_runs_its_payload_thorough(lang, payload):
    _assert_quine_and_payload_ran(payload, lang)


@pytest.mark.parametrize("lang", MAKE_LANGS)
def test_smallest_template_gives_a_quine(lang):
    assert check(make(QUINE_TEMPLATES[lang], lang), lang).verdict == "quine"


@pytest.mark.parametrize("lang", MAKE_LANGS)
@settings(max_examples=4)
@given(n=st.integers(0, 10**12), t=st.integers(0, 10**6))
def test_successor_program_prints_t_plus_n_and_its_successor(lang, n, t):
    program = make_successor(SUCCESSOR_TEMPLATES[lang], lang, n)
    value = run_program(program, lang, stdin_for(t))
    assert (value.status, value.text) == ("ok", str(t + n))
    successor = run_program(program, lang, stdin_for(-1))
    assert successor.status == "ok"
    assert successor.text == make_successor(SUCCESSOR_TEMPLATES[lang], lang, n + 1)


@pytest.mark.parametrize("lang", MAKE_LANGS)
def test_successor_differs_only_in_the_marked_integer(lang):
    one, two = (make_successor(SUCCESSOR_TEMPLATES[lang], lang, n) for n in (1, 2))
    first_line_one, rest_one = one.split("\n", 1)
    first_line_two, rest_two = two.split("\n", 1)
    assert rest_one == rest_two
    assert first_line_one.replace("1", "2") == first_line_two


@pytest.mark.parametrize(
    "call,message",
    [
        (lambda: make("print(SELF)", "cobol"), "cannot construct quines in 'cobol'"),
        (lambda: make("print('no placeholder')", "python"), "does not use the name SELF"),
        (lambda: make("SELF\0", "c"), "NUL"),
        (lambda: make_successor("print(SELF)", "python"), "does not use the name NEXT"),
        (lambda: make_successor("NEXT", "python", -1), "must be an int >= 0"),
    ],
)
def test_bad_templates_are_value_errors_naming_the_problem(call, message):
    with pytest.raises(ValueError, match=message):
        call()

"""quines_text.quine.check: known quines are `quine`, self-readers `cheating`, one-character
variants `near` (with the right diff), other output `not_quine`, failures `error`."""
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quines_text.quine import (
    QuineVerdict,
    check,
    edit_distance,
    lang_from_path,
    near_bound,
    unified_diff,
)
from quines_text.sandbox import SOURCE_NAMES

QUINES = Path(__file__).parent / "quines"
KNOWN = sorted(QUINES.iterdir())


def test_there_are_enough_known_quines_per_language():
    counts = {}
    for path in KNOWN:
        counts[lang_from_path(path)] = counts.get(lang_from_path(path), 0) + 1
    assert counts["python"] >= 4 and counts["c"] >= 4 and counts["js"] >= 4 and counts["bf"] >= 2


@pytest.mark.parametrize("path", KNOWN, ids=[p.name for p in KNOWN])
def test_known_quine_is_quine(path):
    verdict = check(path.read_text(encoding="utf-8"), lang_from_path(path))
    assert verdict.verdict == "quine", verdict.to_json()
    assert verdict.edit_distance == 0 and verdict.diff == ""


CHEATERS = {
    "python": "import sys\nsys.stdout.write(open(__file__).read())\n",
    "python-inspect": "import inspect\nimport sys\nsys.stdout.write(inspect.getsource(sys.modules[__name__]))\n",
    "c": (
        "#include <stdio.h>\nint main(void)\n{{\n    FILE *f = fopen(\"{}\", \"r\");\n"
        "    int c;\n    if (!f) return 1;\n    while ((c = fgetc(f)) != EOF) putchar(c);\n"
        "    return 0;\n}}\n".format(SOURCE_NAMES["c"])
    ),
    "js": "process.stdout.write(require('fs').readFileSync(__filename, 'utf8'));\n",
}


@pytest.mark.parametrize("name", sorted(CHEATERS))
def test_program_reading_its_own_file_is_cheating(name):
    lang = name.split("-")[0]
    verdict = check(CHEATERS[name], lang)
    assert verdict.verdict == "cheating", verdict.to_json()
    assert verdict.status != "ok" or verdict.edit_distance > 0


@pytest.mark.parametrize("lang", ["python", "c", "js"])
def test_quine_without_final_newline_output_is_near_with_newline_diff(lang):
    source = (QUINES / {"python": "python_percent_r.py", "c": "c_include_oneline.c",
                        "js": "js_format_j.js"}[lang]).read_text()
    # Each of these quines prints its text plus "\n"; take the final newline out of the file
    # and the program still prints it: the output has one character more than the source.
    trimmed = source[:-1]
    verdict = check(trimmed, lang)
    assert verdict.verdict == "near", verdict.to_json()
    assert verdict.edit_distance == 1
    assert "\\ No newline at end of file" in verdict.diff
    assert verdict.diff.startswith("--- source\n+++ output\n")


def test_output_missing_its_final_newline_is_near_with_newline_diff():
    source = "_='_=%r;print(_%%_,end=\"\")';print(_%_,end=\"\")\n"
    verdict = check(source, "python")
    assert verdict.verdict == "near", verdict.to_json()
    assert verdict.edit_distance == 1
    assert verdict.diff.endswith("\\ No newline at end of file\n")
    assert "-_='_=" in verdict.diff and "+_='_=" in verdict.diff


def test_python_quine_with_one_character_changed_outside_its_data_is_near():
    source = (QUINES / "python_percent_r.py").read_text()
    # Renaming the variable in the code line only: the program prints the data string, which
    # still spells `s`, so the output differs from the source in exactly that one character.
    edited = source.replace("print(s % s)\n", "print(s % s )\n")
    verdict = check(edited, "python")
    assert verdict.verdict == "near", verdict.to_json()
    assert verdict.edit_distance == 1
    assert "-print(s % s )\n" in verdict.diff and "+print(s % s)\n" in verdict.diff


@pytest.mark.parametrize(
    "lang,source",
    [
        ("python", "print('hello, world')\n"),
        ("c", "#include <stdio.h>\nint main(void) { puts(\"hello, world\"); return 0; }\n"),
        ("js", "console.log('hello, world');\n"),
        ("bf", "++++++++[>++++++++<-]>+.\n"),
    ],
)
def test_program_printing_something_else_is_not_quine(lang, source):
    verdict = check(source, lang)
    assert verdict.verdict == "not_quine", verdict.to_json()
    assert verdict.edit_distance > near_bound(len(source))


@pytest.mark.parametrize(
    "lang,source,status",
    [
        ("python", "print('unclosed\n", "compile_error"),
        ("c", "int main(void) { return }\n", "compile_error"),
        ("js", "console.log(;\n", "crash"),
        ("bf", "[[]\n", "compile_error"),
    ],
)
def test_syntax_error_is_error_with_run_status(lang, source, status):
    verdict = check(source, lang)
    assert verdict.verdict == "error"
    assert verdict.status == status
    assert verdict.edit_distance is None


def test_verdict_json_has_the_documented_fields():
    data = check((QUINES / "python_oneline.py").read_text(), "python").to_dict()
    assert {"verdict", "lang", "status", "diff", "edit_distance"} <= set(data)
    assert QuineVerdict(**data) == check((QUINES / "python_oneline.py").read_text(), "python")


def test_unknown_language_is_a_value_error():
    with pytest.raises(ValueError, match="unknown language 'cobol'"):
        check("x", "cobol")


@pytest.mark.parametrize("name,lang", [("a.py", "python"), ("b.C", "c"), ("c.js", "js"),
                                       ("d.bf", "bf"), ("e.b", "bf")])
def test_language_comes_from_the_extension(name, lang):
    assert lang_from_path(name) == lang


def test_unknown_extension_names_the_file():
    with pytest.raises(ValueError, match="notes.txt"):
        lang_from_path("notes.txt")


@given(st.text(max_size=60), st.integers(0, 60), st.characters(blacklist_categories=("Cs",)))
def test_one_inserted_character_is_edit_distance_one(text, position, char):
    position = min(position, len(text))
    assert edit_distance(text, text[:position] + char + text[position:]) == 1


@given(st.text(min_size=1, max_size=60), st.integers(0, 59))
def test_one_deleted_character_is_edit_distance_one(text, position):
    position = min(position, len(text) - 1)
    assert edit_distance(text, text[:position] + text[position + 1:]) == 1


@pytest.mark.parametrize("a, b, distance", [("aaa", "aba", 1), ("aaa", "bba", 2), ("kitten", "sitting", 3)])
def test_edit_distance_is_levenshtein_where_a_diff_script_costs_more(a, b, distance):
    assert edit_distance(a, b) == edit_distance(b, a) == distance


@given(st.text(max_size=20), st.text(max_size=20), st.text(max_size=20))
def test_edit_distance_obeys_the_triangle_inequality(a, b, c):
    assert edit_distance(a, c) <= edit_distance(a, b) + edit_distance(b, c)


@given(st.text(max_size=40), st.text(max_size=40))
def test_edit_distance_is_between_length_difference_and_longer_length(a, b):
    distance = edit_distance(a, b)
    assert abs(len(a) - len(b)) <= distance <= max(len(a), len(b))
    assert (distance == 0) == (a == b)


def test_near_bound_is_two_or_five_percent():
    assert near_bound(0) == 2 and near_bound(59) == 2 and near_bound(100) == 5
    assert near_bound(1000) == 50


def test_diff_of_missing_final_newline_marks_it():
    diff = unified_diff("a\nb\n", "a\nb")
    assert diff.endswith("+b\n\\ No newline at end of file\n")

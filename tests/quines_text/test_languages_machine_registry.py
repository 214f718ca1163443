"""The one registry of languages and machines (quines_text.languages): every table the toolkit
used to keep per module is derived from it, every machine it names exists, and `rsi run`
states the machine and its step unit."""
import importlib
import json
from pathlib import Path

import pytest

from quines_text import languages
from quines_text.languages import LANGUAGES, MACHINE_INFO
from rsi.app.cli import main

EXAMPLE6 = Path(__file__).parents[2] / "rsi" / "data" / "mahoney_example6.c"


@pytest.mark.parametrize("name", sorted(MACHINE_INFO))
def test_every_registered_machine_is_defined_by_its_module(name):
    info = MACHINE_INFO[name]
    module = importlib.import_module(info.module)
    machine = module.MACHINES[name]
    assert machine.name == name
    assert machine.metered is info.metered
    assert info.step_unit


def test_every_language_names_registered_machines_and_unique_extensions():
    seen: set[str] = set()
    for lang in LANGUAGES.values():
        assert lang.plain in MACHINE_INFO
        assert lang.metered is None or MACHINE_INFO[lang.metered].metered
        assert not seen & set(lang.extensions)
        seen |= set(lang.extensions)


def test_c_has_gcc_plain_and_c_wasm_metered():
    c = languages.language("c")
    assert (c.plain, c.metered) == ("c", "c-wasm")
    assert languages.language_of_path("prog.C").name == "c"
    with pytest.raises(ValueError, match="known"):
        languages.language_of_path("prog.rs")


def test_the_old_tables_are_derived_from_the_registry():
    from quines_text.machines import EXTENSIONS, MACHINE_MODULES
    from quines_text.paper_examples.example2_metered import PRINT_T
    from quines_text.quine import CHECK_LANGS, QUINE_TEMPLATES, SUCCESSOR_TEMPLATES

    assert {name: info.module for name, info in MACHINE_INFO.items()} == MACHINE_MODULES
    assert EXTENSIONS == languages.EXTENSIONS
    assert set(CHECK_LANGS) == {n for n, lang in LANGUAGES.items() if lang.quine_check}
    assert {n: lang.quine_template for n, lang in LANGUAGES.items() if lang.quine_template} == QUINE_TEMPLATES
    assert set(SUCCESSOR_TEMPLATES) == set(QUINE_TEMPLATES)
    assert set(PRINT_T) == {"python", "c-wasm", "bf"}


def test_step_units_table_lists_every_machine_once():
    rows = languages.step_units_table()
    assert [row["machine"] for row in rows] == list(MACHINE_INFO)
    assert all(row["step_unit"] for row in rows)


@pytest.mark.skipif(languages.machine_info("c-wasm").missing() is not None,
                    reason=f"c-wasm toolchain: {languages.machine_info('c-wasm').missing()}")
def test_rsi_run_metered_c_names_machine_and_step_unit(capsys):
    with pytest.raises(SystemExit) as done:
        main(["run", str(EXAMPLE6), "--t", "5000", "--metered", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert done.value.code == 0
    assert (data["machine"], data["metered"], data["value"]) == ("c-wasm", True, 5001)
    assert data["step_unit"] == MACHINE_INFO["c-wasm"].step_unit
    assert 0 < data["steps"] <= 5000


def test_a_missing_zig_is_a_named_toolchain_error(monkeypatch):
    from quines_text.machines import c_wasm, wasm_build
    from quines_text.sandbox import ToolchainMissing

    monkeypatch.setattr(wasm_build, "zig_path", lambda: None)
    assert "zig is not installed" in (MACHINE_INFO["c-wasm"].missing() or "")
    with pytest.raises(ToolchainMissing, match="zig"):
        c_wasm.CWasmMachine().run("int main(void){return 0;}\n", b"", 10)


# No other module keeps a list of languages: a collection literal (tuple, list, set, dict keys,
# nested collections included) that names two registered languages is a table that should be
# derived from the registry.  The one exception is each machine module's own MACHINES dict
# (machine names, some of which are language names): the design's "one small module".
ROOT = Path(__file__).parents[2]


def _language_names_in(node, names: set[str]) -> set[str]:
    import ast

    if isinstance(node, ast.Constant):
        return {node.value} & names if isinstance(node.value, str) else set()
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        elements = node.elts
    elif isinstance(node, ast.Dict):
        elements = [key for key in node.keys if key is not None]
    else:
        return set()
    found: set[str] = set()
    for element in elements:
        found |= _language_names_in(element, names)
    return found


def language_tables(path: Path, names: set[str]) -> list[tuple[int, list[str]]]:
    import ast

    tree = ast.parse(path.read_text())
    allowed = {id(node.value) for node in ast.walk(tree)
               if isinstance(node, (ast.Assign, ast.AnnAssign)) and path.parent.name == "machines"
               and any(isinstance(t, ast.Name) and t.id == "MACHINES"
                       for t in (node.targets if isinstance(node, ast.Assign) else [node.target]))}
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Tuple, ast.List, ast.Set, ast.Dict)) and id(node) not in allowed:
            named = _language_names_in(node, names)
            if len(named) >= 2:
                found.add((node.lineno, tuple(sorted(named))))
    return [(line, list(named)) for line, named in sorted(found)]


def test_language_tables_finds_a_reintroduced_table(tmp_path):
    table = tmp_path / "limits.py"
    table.write_text('LANGS = ("python", "c")\nfor lang, mark in (("c", 1), ("js", 2)):\n    pass\n'
                     'PAIRS = {("python", "js"): 1}\nONE = ("python", "prog.py")\n')
    assert language_tables(table, set(LANGUAGES)) == [(1, ["c", "python"]), (2, ["c", "js"]),
                                                      (4, ["js", "python"])]


def test_no_module_but_the_registry_lists_languages():
    names = set(LANGUAGES)
    files = [path for package in ("quines_text", "rsi") for path in sorted((ROOT / package).rglob("*.py"))]
    assert len(files) > 50
    tables = {str(path.relative_to(ROOT)): found for path in files
              if path != ROOT / "quines_text" / "languages.py" and (found := language_tables(path, names))}
    assert tables == {}


def test_a_language_added_to_the_registry_reaches_every_table(monkeypatch, tmp_path):
    from quines_text import sandbox
    from quines_text.quine import CHECK_LANGS, MAKE_LANGS, check, make
    from quines_text.quine.relay import detect_lang, make_relay, relay_pairs
    from rsi.app.cli.run import choose_machine

    python = LANGUAGES["python"]
    toy = languages.Language(
        "toy", (".toy",), "python-plain", None, "python", True,
        quine_scheme=python.quine_scheme, detect=r"^# toy\b", detect_rank=-1,
        writer=python.writer, printer=python.printer,
    )
    monkeypatch.setitem(LANGUAGES, "toy", toy)
    assert "toy" in CHECK_LANGS and "toy" in MAKE_LANGS and list(MAKE_LANGS)[-1] == "toy"
    template = "import sys\nsys.stdout.write(SELF)\n"
    assert make(template, "toy") == make(template, "python")
    assert detect_lang("# toy\nprint(1)\n") == "toy" and detect_lang("print(1)\n") == "python"
    assert ("toy", "js") in relay_pairs() and ("js", "toy") in relay_pairs()
    assert make_relay("toy", "js") == make_relay("python", "js")
    assert check(make(template, "toy"), "toy").verdict == "quine"  # run by the sandbox as python
    assert choose_machine(tmp_path / "prog.toy", None, False) == ("toy", "python-plain")
    assert languages.language_of_path("a.TOY") is toy

    monkeypatch.delitem(LANGUAGES, "js")  # and a language taken out is gone everywhere
    assert "js" not in sandbox.LANGS and "js" not in CHECK_LANGS and "js" not in MAKE_LANGS
    assert all("js" not in pair for pair in relay_pairs())
    with pytest.raises(ValueError, match="unknown language 'js'"):
        sandbox.run("1;", "js")
    with pytest.raises(ValueError, match="cannot construct quines in 'js'"):
        make(template, "js")

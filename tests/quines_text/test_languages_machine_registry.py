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

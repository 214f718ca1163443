"""The layering rule of DESIGN.md is enforced, not only written down: the theory core (the
modules directly in `rsi/`) imports nothing of quines_text, proofs, neural or rsi.app.

Three checks: import-linter (the contracts in pyproject.toml, run by `make lint`) rejects a
copy of the tree in which `rsi/definitions.py` imports neural and accepts the unmodified copy;
every core module is named by the core contract, so a new one cannot escape it; and importing
`rsi.definitions` loads no module of the other three packages.
"""
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("rsi", "quines_text", "proofs", "neural")
OUTER = {"quines_text", "proofs", "neural"}


def _contracts() -> list[dict]:
    with open(ROOT / "pyproject.toml", "rb") as file:
        return tomllib.load(file)["tool"]["importlinter"]["contracts"]


def _core_contract() -> dict:
    """The forbidden contract whose sources include rsi.definitions and that forbids neural."""
    found = [c for c in _contracts() if c["type"] == "forbidden" and "rsi.definitions" in c["source_modules"]
             and "neural" in c["forbidden_modules"]]
    assert len(found) == 1, f"expected one core contract in pyproject.toml, found {len(found)}"
    return found[0]


def _lint_imports(tree: Path) -> subprocess.CompletedProcess:
    pytest.importorskip("importlinter")
    script = Path(sys.executable).with_name("lint-imports")
    command = [str(script)] if script.exists() else [shutil.which("lint-imports") or "lint-imports"]
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run([*command, "--config", "pyproject.toml", "--no-cache"], cwd=tree, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def tree_copy(tmp_path: Path) -> Path:
    """The four packages and pyproject.toml, copied without caches or compiled extensions."""
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package,
                        ignore=shutil.ignore_patterns("__pycache__", "*.so"))
    shutil.copy2(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_unmodified_tree_keeps_every_contract(tree_copy):
    result = _lint_imports(tree_copy)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_importing_neural_from_the_core_breaks_the_core_contract(tree_copy):
    definitions = tree_copy / "rsi" / "definitions.py"
    definitions.write_text(definitions.read_text(encoding="utf-8") + "\nimport neural\n", encoding="utf-8")
    result = _lint_imports(tree_copy)
    assert result.returncode != 0
    name = _core_contract()["name"]
    assert f"{name} BROKEN" in result.stdout, result.stdout
    assert "rsi.definitions -> neural" in result.stdout, result.stdout


def test_every_core_module_is_named_by_the_core_contract():
    """Each module or subpackage directly in rsi/, except the entry points and the shell."""
    core = set()
    for entry in (ROOT / "rsi").iterdir():
        if entry.suffix == ".py" and entry.stem not in {"__init__", "__main__"}:
            core.add(f"rsi.{entry.stem}")
        elif entry.is_dir() and (entry / "__init__.py").exists() and entry.name != "app":
            core.add(f"rsi.{entry.name}")
    assert {"rsi.definitions", "rsi.verdict"} <= core
    missing = core - set(_core_contract()["source_modules"])
    assert not missing, f"core modules outside the core contract in pyproject.toml: {sorted(missing)}"


def test_importing_the_definitions_loads_nothing_of_the_other_packages():
    check = (f"import rsi.definitions, sys; "
             f"print(sorted(m for m in sys.modules if m.split('.')[0] in {sorted(OUTER)!r}))")
    result = subprocess.run([sys.executable, "-c", check], cwd=ROOT, capture_output=True, text=True,
                            timeout=120, check=True)
    assert result.stdout.strip() == "[]"

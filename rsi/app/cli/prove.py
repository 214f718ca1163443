"""`rsi prove`: the proof obligations of Mahoney 2008's definitions (proofs package).

Exit 0 iff every law that should hold holds and every necessity counterexample was found;
1 otherwise.  `--thorough` draws 2,000 cases per property law instead of a quick 60.
`--definitions MODULE:ATTR` checks a user's own definitions instead: ATTR is a
`proofs.laws.Definitions` or has `has_goal` and `improves` (ATTR may be omitted when the
module itself has them); MODULE is an importable module name or a path to a .py file.  Exit 1
lists the broken laws, each with its shrunk witness as a program table; 2 for a module that
cannot be loaded.
"""
from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path
from typing import Any

import typer

from rsi.app.cli._common import DOES_NOT_HOLD, HOLDS, BadInput, emit


def load_definitions(spec: str) -> Any:
    """The `proofs.laws.Definitions` named by MODULE[:ATTR] (module docstring)."""
    from proofs.laws import definitions_from

    module_name, _, attr = spec.rpartition(":") if ":" in spec else (spec, "", "")
    if not module_name:
        raise BadInput(f"--definitions needs MODULE or MODULE:ATTR, got {spec!r}")
    path = Path(module_name)
    try:
        if module_name.endswith(".py") or path.exists():
            if not path.is_file():
                raise BadInput(f"--definitions: no file {module_name}")
            unique = f"rsi_user_definitions_{abs(hash(str(path.resolve())))}"
            loader_spec = importlib.util.spec_from_file_location(unique, path)
            if loader_spec is None or loader_spec.loader is None:
                raise BadInput(f"--definitions: cannot load {module_name} as a Python module")
            module = importlib.util.module_from_spec(loader_spec)
            sys.modules[unique] = module
            sys.path.insert(0, str(path.resolve().parent))  # its sibling modules import
            loader_spec.loader.exec_module(module)
        else:
            module = importlib.import_module(module_name)
    except BadInput:
        raise
    except Exception as error:  # the user's module failed to import: bad input, one line
        raise BadInput(f"--definitions: importing {module_name} failed: "
                       f"{type(error).__name__}: {error}") from None
    thing = module
    if attr:
        if not hasattr(module, attr):
            raise BadInput(f"--definitions: {module_name} has no attribute {attr!r}")
        thing = getattr(module, attr)
    try:
        return definitions_from(thing, spec)
    except ValueError as error:
        raise BadInput(f"--definitions: {error}") from None


def _render(data: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(title="Proof obligations (Mahoney 2008)")
    for column in ("law", "definitions", "method", "expected", "result", "cases"):
        table.add_column(column)
    for row in data["obligations"]:
        table.add_row(row["law"], row["definitions"], row["method"], row["expect"],
                      row["outcome"], "" if row["cases"] is None else str(row["cases"]))
    console.print(table)
    for row in data["obligations"]:
        verdict = row["verdict"]
        if verdict["kind"] != "refuted":
            continue
        console.print(f"\n[bold]{row['law']}[/bold] ({row['definitions']}, {row['method']}): "
                      f"{verdict['reason']}")
        witness = verdict["witness"]
        if isinstance(witness, dict) and "table" in witness:
            for name, program in witness.get("programs", {}).items():
                console.print(f"  {name} = {program}")
            for name, value in witness.get("other", {}).items():
                console.print(f"  {name} = {value}")
            if "goal" in witness:
                console.print(f"  G = {witness['goal']}")
            counter = Table(show_header=True)
            columns = list(witness["table"][0])
            for column in columns:
                counter.add_column(column, justify="right")
            for line in witness["table"]:
                counter.add_row(*(str(line[c]) for c in columns))
            console.print(counter)
        else:
            console.print(f"  witness: {witness}")
    if "broken" in data:
        console.print("\nno law broken" if not data["broken"] else
                      "\nbroken laws:\n  " + "\n  ".join(data["broken"]))
        return
    console.print("\nall obligations met" if data["ok"] else
                  "\nNOT met:\n  " + "\n  ".join(data["failures"]))


def register(app: typer.Typer) -> None:
    @app.command()
    def prove(
        json_output: bool = typer.Option(False, "--json", help="Machine-readable output."),
        thorough: bool = typer.Option(
            False, "--thorough", help="2,000 cases per property law (slow) instead of 60."),
        definitions: str | None = typer.Option(
            None, "--definitions", metavar="MODULE:ATTR",
            help="check your own definitions (a proofs.laws.Definitions, or has_goal and "
                 "improves; MODULE may be a path to a .py file)"),
    ) -> None:
        """Check the laws of has-goal / improves (property, exhaustive, symbolic)."""
        from proofs.obligations import QUICK_EXAMPLES, THOROUGH_EXAMPLES, prove_all, prove_definitions

        examples = THOROUGH_EXAMPLES if thorough else QUICK_EXAMPLES
        if definitions is None:
            report = prove_all(examples)
            data = report.to_dict()
        else:
            report = prove_definitions(load_definitions(definitions), examples)
            data = {**report.to_dict(), "broken": [f"{o.law}: {o.verdict['reason']}" for o in report.broken]}
        emit(data, json_output, _render)
        raise typer.Exit(HOLDS if report.ok else DOES_NOT_HOLD)

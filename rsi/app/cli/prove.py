"""`rsi prove`: the proof obligations of Mahoney 2008's definitions (proofs package).

Exit 0 iff every law that should hold holds and every necessity counterexample was found;
1 otherwise.  `--thorough` draws 2,000 cases per property law instead of a quick 60.
"""
from __future__ import annotations

from typing import Any

import typer

from rsi.app.cli._common import DOES_NOT_HOLD, HOLDS, emit


def _render(data: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(title="Proof obligations (Mahoney 2008)")
    for column in ("law", "definitions", "method", "expected", "status", "cases"):
        table.add_column(column)
    for row in data["obligations"]:
        table.add_row(row["law"], row["definitions"], row["method"], row["expect"],
                      row["status"], "" if row["cases"] is None else str(row["cases"]))
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
    console.print("\nall obligations met" if data["ok"] else
                  "\nNOT met:\n  " + "\n  ".join(data["failures"]))


def register(app: typer.Typer) -> None:
    @app.command()
    def prove(
        json_output: bool = typer.Option(False, "--json", help="Machine-readable output."),
        thorough: bool = typer.Option(
            False, "--thorough", help="2,000 cases per property law (slow) instead of 60."),
    ) -> None:
        """Check the laws of has-goal / improves (property, exhaustive, symbolic)."""
        from proofs.obligations import QUICK_EXAMPLES, THOROUGH_EXAMPLES, prove_all

        report = prove_all(THOROUGH_EXAMPLES if thorough else QUICK_EXAMPLES)
        data = report.to_dict()
        emit(data, json_output, _render)
        raise typer.Exit(HOLDS if report.ok else DOES_NOT_HOLD)

"""`rsi improves Q P`: does program Q improve on program P (Mahoney 2008, Definition: Q
improves on P with respect to goal G)?  Both files are run as text programs on their
machines for t = 0 .. T (one run per t and program: keep T small for slow languages).

Exit 0 iff the verdict is holds_up_to or proven, 1 otherwise, 2 for bad input.
"""
from __future__ import annotations

from pathlib import Path

import typer

from rsi.app.cli._common import DOES_NOT_HOLD, HOLDS, BadInput, emit, language_of, read_text_file


def _render(data: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    from rsi.verdict import verdict_from_dict

    console = Console()
    verdict = verdict_from_dict(data["verdict"])
    console.print(f"{data['q']} improves on {data['p']} (goal {data['goal']}, horizon "
                  f"{data['horizon']}): [bold]{verdict.summary()}[/bold]", soft_wrap=True)
    table = Table("condition", "verdict")
    names = {
        "1": "P has goal G", "2": "Q has goal G", "3": "∃t: G(Q(t)) > G(P(t))",
        "4": "∄t' > t: G(Q(t')) < G(P(t'))",
    }
    for label, part in data["verdict"]["evidence"]["conditions"].items():
        table.add_row(f"{label}. {names[label]}", verdict_from_dict(part).summary())
    console.print(table)


def register(app: typer.Typer) -> None:
    @app.command("improves")
    def improves_command(
        q_file: Path = typer.Argument(..., metavar="Q", help="the program that should be better"),
        p_file: Path = typer.Argument(..., metavar="P", help="the program it is compared with"),
        lang: str | None = typer.Option(
            None, "--lang", help="machine (default: from the extension)"
        ),
        goal: str = typer.Option("identity", "--goal", help="identity or prime"),
        horizon: int = typer.Option(32, "--horizon", help="check times t = 0 .. T (T >= 1)"),
        as_json: bool = typer.Option(False, "--json", help="print the verdict as JSON"),
    ) -> None:
        """Check Mahoney's four conditions for "Q improves on P" up to a horizon."""
        from quines_text.machines import MACHINE_MODULES, TextProgram
        from rsi.definitions import improves
        from rsi.goals import goal_by_name
        from rsi.verdict import supports

        try:
            goal_function = goal_by_name(goal)
        except ValueError as error:
            raise BadInput(str(error)) from None
        if horizon < 1:
            raise BadInput(f"--horizon must be >= 1, got {horizon}")
        q = TextProgram(read_text_file(q_file, "program file Q"), language_of(q_file, lang, MACHINE_MODULES))
        p = TextProgram(read_text_file(p_file, "program file P"), language_of(p_file, lang, MACHINE_MODULES))
        try:
            verdict = improves(q, p, goal_function, horizon)
        except RuntimeError as error:  # the harness itself failed (e.g. no gcc), not a program
            raise BadInput(f"cannot run the programs: {error}") from None
        data = {
            "q": str(q_file), "p": str(p_file), "goal": goal, "horizon": horizon,
            "verdict": verdict.to_dict(),
        }
        emit(data, as_json, _render)
        raise typer.Exit(HOLDS if supports(verdict) else DOES_NOT_HOLD)

"""`rsi examples`: recompute every claim of Mahoney 2008's Examples 1-6 (rsi.examples) and say
whether each computed verdict agrees with the paper.

Exit 0 iff every example agrees, 1 otherwise.
"""
from __future__ import annotations

import typer

from rsi.app.cli._common import DOES_NOT_HOLD, HOLDS, emit


def _render(data: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    from rsi.verdict import verdict_from_dict

    table = Table(
        "example", "claim checked", "paper", "verdict", "evidence", "agrees", show_lines=True
    )
    for example in data["examples"]:
        for label, verdict_data in example["verdicts"].items():
            verdict = verdict_from_dict(verdict_data)
            table.add_row(
                str(example["number"]),
                label,
                example["expected"][label],
                verdict.kind,
                verdict.summary().split(": ", 1)[1],
                "yes" if example["agreement"][label] else "NO",
            )
    console = Console()
    console.print(table)
    agreeing = sum(example["agrees"] for example in data["examples"])
    console.print(f"{agreeing} of {len(data['examples'])} examples agree with the paper")
    for real in data.get("metered_example2", []):
        console.print(
            f"Example 2 on the metered {real['lang']} machine: P(t) = t from t = "
            f"{real['first_halting_t']}; has goal PRIME (t <= {real['checked_upto']}, horizon "
            f"{real['horizon']}) differs from the paper's idealised P at t = {real['differ']}"
        )
    six = data.get("metered_example6")
    if six is not None:
        verdict = verdict_from_dict(six["improving"])
        console.print(
            f"Example 6 on the metered {six['machine']} machine (one step = one {six['step_unit']}): "
            f"P_n(t) = 0 until t = {six['first_output_t']} (n = 1..{six['programs']}), then t + n "
            f"(values: {verdict_from_dict(six['values']).kind}); P_1 .. P_{six['programs']} an improving "
            f"sequence up to t = {six['horizon']}: {verdict.kind}; agrees: {'yes' if six['agrees'] else 'NO'}"
        )


def register(app: typer.Typer) -> None:
    @app.command("examples")
    def examples_command(
        as_json: bool = typer.Option(False, "--json", help="print the results as JSON"),
        metered: bool = typer.Option(
            False, "--metered",
            help="also run Example 2 on the metered python and bf machines and Example 6 on c-wasm",
        ),
    ) -> None:
        """Recompute Mahoney's Examples 1-6 and check each against the paper."""
        from quines_text.paper_examples import example6
        from rsi.examples import check_examples

        results = check_examples(example6.ALL_EXAMPLES)
        data = {
            "examples": [result.to_dict() for result in results],
            "all_agree": all(result.agrees for result in results),
        }
        if metered:
            from quines_text.paper_examples.example2_metered import example2_on_machine

            data["metered_example2"] = [
                example2_on_machine("python", horizon=32, checked_upto=16).to_dict(),
                example2_on_machine("bf").to_dict(),
            ]
            from quines_text.paper_examples.example6_metered import example6_on_machine

            six = example6_on_machine()
            data["metered_example6"] = six.to_dict()
            data["all_agree"] = data["all_agree"] and six.agrees
        emit(data, as_json, _render)
        raise typer.Exit(HOLDS if data["all_agree"] else DOES_NOT_HOLD)

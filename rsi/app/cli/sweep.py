"""`rsi sweep SPEC.toml`: one experiment over a grid of parameters and seeds, on a local
process pool (default) or a Ray cluster (`rsi.app.sweep`).

Rows go to DIR/results.jsonl as tasks finish, the summary to DIR/summary.json and, for
people, a table: one line per grid point with the experiment's headline metrics (mean ± std
over the seeds).  Exit 0 when every task succeeded, 1 when some failed after their retries
(listed with their errors), 2 for bad input (unknown experiment or parameter, bad spec,
results already in DIR without --resume, ray missing).
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer

from rsi.app.cli._common import DOES_NOT_HOLD, HOLDS, BadInput, emit


def _cell(stat: dict[str, Any] | None) -> str:
    if stat is None:
        return "-"
    if stat["n"] == 1 or stat["std"] == 0:
        return f"{stat['mean']:.4g}"
    return f"{stat['mean']:.4g} ± {stat['std']:.2g}"


def _print_summary(data: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False)
    groups = data["groups"]
    varied = list(groups[0]["params"]) if groups else []
    table = Table(title=f"{data['name']}: {data['experiment']} on {data['executor']}")
    for name in varied:
        table.add_column(name)
    table.add_column("ok", justify="right")
    for metric in data["headline"]:
        table.add_column(metric, justify="right")
    for group in groups:
        table.add_row(
            *(str(group["params"][name]) for name in varied),
            f"{group['ok']}/{group['tasks']}",
            *(_cell(group["metrics"].get(metric)) for metric in data["headline"]),
        )
    console.print(table)
    console.print(f"{data['ok']} of {data['tasks']} tasks ok, {data['failed']} failed; ran "
                  f"{data['ran']}, {data['skipped']} already finished; {data['wall_s']:.1f} s; "
                  f"rows in {data['out']}/results.jsonl")
    for failure in data["failures"]:
        console.print(f"[red]failed[/] {failure['task_id']} seed {failure['seed']} "
                      f"{failure['params']} after {failure['attempts']} attempts: {failure['error']}")


def register(app: typer.Typer) -> None:
    @app.command("sweep")
    def sweep_command(
        spec_file: Path = typer.Argument(..., metavar="SPEC.toml", help="the sweep spec (TOML)"),
        executor: str = typer.Option("local", "--executor", help="local (process pool) or ray"),
        address: str | None = typer.Option(
            None, "--address", help="Ray cluster address (default: start a local one)"),
        out: Path | None = typer.Option(
            None, "--out", help="results folder (default: sweeps/<spec file name without .toml>)"),
        resume: bool = typer.Option(False, "--resume", help="skip the tasks finished in --out"),
        retries: int = typer.Option(1, "--retries", help="extra attempts for a failed task"),
        workers: int | None = typer.Option(
            None, "--workers", help="processes (local) or CPUs of a started Ray cluster; default: all"),
        as_json: bool = typer.Option(False, "--json", help="print the summary as JSON"),
    ) -> None:
        """Run an experiment over a grid of parameters and seeds, resumably."""
        from rsi.app.sweep import SpecError, load_spec, make_executor, run_sweep

        folder = out if out is not None else Path("sweeps") / spec_file.stem
        try:
            spec = load_spec(spec_file)
            runner = make_executor(executor, address, workers)
        except SpecError as error:
            raise BadInput(str(error)) from None
        try:
            if as_json or not sys.stderr.isatty():
                summary = run_sweep(spec, folder, runner, resume=resume, retries=retries)
            else:
                from rich.console import Console
                from rich.progress import Progress

                with Progress(console=Console(stderr=True), transient=True) as bar:
                    task = bar.add_task(spec.name, total=len(spec.tasks))
                    summary = run_sweep(
                        spec, folder, runner, resume=resume, retries=retries,
                        on_row=lambda row, finished, total: bar.update(task, completed=finished),
                    )
        except SpecError as error:
            raise BadInput(str(error)) from None
        finally:
            runner.close()
        emit(summary.to_dict(), as_json, _print_summary)
        raise typer.Exit(HOLDS if summary.succeeded else DOES_NOT_HOLD)

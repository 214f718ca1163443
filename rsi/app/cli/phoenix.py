"""`rsi phoenix run`: the DeepPhoenix self-reprogramming loop, audited with Mahoney's
"improves" (Sheng, Algorithm 1; Mahoney 2008, section Improvement).

Runs the loop with a progress bar, checkpoints --out DIR/phoenix.json after every iteration
(atomically), continues it with --resume (--iterations is then the total to reach) and saves
DIR/phoenix.png (loss curves per iteration and the audit verdicts).  Candidate sources run only
in the sandbox; --inject FILE adds a candidate of your own to the first search batch of every
iteration.  Exit 0 when the run finished, 2 for bad input.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer

from rsi.app.cli._common import HOLDS, BadInput, emit, read_text_file


def _loss(value: float | None) -> str:
    return "-" if value is None else f"{value:.4f}"


def _render(data: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="DeepPhoenix: greedy rule vs Mahoney's \"improves\" (step i -> i+1)")
    for column in ("i", "few-shot loss of P_i", "kept loss", "greedy kept new",
                   "improves (1-4)", "improves (3-4)", "candidates (valid/all)", "bytes"):
        table.add_column(column)
    for it in data["iterations"]:
        search, audit = it["search"], it["audit"]
        valid = sum(c["status"] == "valid" for c in search["candidates"])
        table.add_row(
            str(it["index"]), _loss(search["query_loss"]), _loss(search["kept_loss"]),
            "yes" if audit["greedy_kept_new"] else "no", audit["verdict"]["kind"],
            audit["verdict_3_4"]["kind"], f"{valid}/{len(search['candidates'])}",
            str(data["complexity"][it["index"]]["bytes"]),
        )
    console = Console(highlight=False)
    console.print(table)
    counts = data["disagreements"]
    console.print(f"disagreements: {counts['disagree']} of {counts['steps']} steps "
                  f"(conditions 3-4 only: {counts['disagree_3_4']}); candidate statuses: "
                  f"{data['candidate_statuses']}; {data['wall_s']:.1f} s")
    if "plot" in data:
        console.print(f"plot: {data['plot']}")


def register(app: typer.Typer) -> None:
    phoenix_app = typer.Typer(no_args_is_help=True,
                              help="DeepPhoenix: a model that rewrites its own source, audited.")
    app.add_typer(phoenix_app, name="phoenix")

    @phoenix_app.command("run")
    def run_command(
        iterations: int | None = typer.Option(None, "--iterations", help="I (paper: 10)"),
        candidates: int | None = typer.Option(None, "--candidates", help="C (paper: 8)"),
        batches: int | None = typer.Option(None, "--batches", help="B (paper: 8)"),
        samples: int | None = typer.Option(None, "--samples", help="M (paper: 1024)"),
        train_steps: int | None = typer.Option(None, "--train-steps",
                                                  help="steps of each training stage"),
        seed: int | None = typer.Option(None, "--seed", help="random seed (default 0)"),
        quick: bool = typer.Option(False, "--quick", help="tiny sizes for tests and the report"),
        device: str = typer.Option("auto", "--device", help="auto (cuda if present), cpu, cuda"),
        out: Path | None = typer.Option(None, "--out", help="folder for checkpoint and plot"),
        resume: bool = typer.Option(False, "--resume", help="continue the run saved in --out"),
        inject: list[Path] = typer.Option([], "--inject",
                                          help="a candidate source added to every iteration"),
        as_json: bool = typer.Option(False, "--json", help="print the run as JSON"),
    ) -> None:
        """Train, reprogram (candidates run in the sandbox), keep the best, audit every step."""
        from dataclasses import replace

        from neural.phoenix.records import CHECKPOINT, PhoenixConfig, PhoenixRun

        options: dict[str, Any] = {"iterations": iterations, "candidates": candidates, "search_batches": batches,
                                   "few_shot_samples": samples, "train_steps": train_steps, "seed": seed}
        given = {k: v for k, v in options.items() if v is not None}  # PhoenixConfig's defaults fill the rest
        injected = [read_text_file(path, "candidate file") for path in inject]
        if resume and out is None:
            raise BadInput("--resume needs --out DIR holding a checkpoint")
        if not resume and out is not None and (out / CHECKPOINT).exists():
            raise BadInput(f"{out} already holds a run; use --resume or another --out")
        previous = None
        try:
            if resume and out is not None:  # --resume without --out is refused above
                previous = PhoenixRun.load(out)
                clash = sorted(k for k, v in given.items()
                               if k != "iterations" and getattr(previous.config, k) != v)
                if clash or quick:
                    raise BadInput(f"options differ from the checkpoint in {out}: "
                                   f"{clash or ['--quick']} (only --iterations may change)")
                config = replace(previous.config, **given)
            else:
                config = PhoenixConfig.quick(**given) if quick else PhoenixConfig(**given)
        except ValueError as error:
            raise BadInput(str(error)) from None

        import importlib.util

        if importlib.util.find_spec("transformers") is None:
            raise BadInput("rsi phoenix needs transformers: pip install -e '.[phoenix]'")
        from neural.phoenix import plot_run, run_phoenix
        from neural.phoenix.loop import work_units
        from neural.phoenix.model import choose_device

        try:
            choose_device(device)
        except ValueError as error:
            raise BadInput(str(error)) from None

        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        done = 0 if previous is None else len(previous.searches) * (1 + config.search_batches)
        quiet = as_json or not sys.stderr.isatty()
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                   TimeElapsedColumn())
        with Progress(*columns, disable=quiet, transient=True) as progress:
            task = progress.add_task("phoenix", total=work_units(config), completed=done)
            run = run_phoenix(config, out=out, resume_from=previous, device=device,
                              inject=injected,
                              progress=lambda message: progress.update(task, advance=1,
                                                                       description=message))
        data = run.to_dict()
        if out is not None:
            data["plot"] = str(plot_run(run, out / "phoenix.png"))
        emit(data, as_json, _render)
        raise typer.Exit(HOLDS)

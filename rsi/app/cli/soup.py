"""`rsi soup run|show`: the Computational Life soup of BFF programs (Aguera y Arcas et al. 2024).

`run` evolves a soup with a progress bar (epochs/s, high-order entropy), checkpoints it to
--out every K epochs (atomically) and resumes from there with --resume (--epochs is then the
total to reach); `show DIR` prints a saved soup's measurements and its most frequent programs
(instructions shown, no-ops dimmed).  Exit 0 when the job ran, 2 for bad input.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer

from rsi.app.cli._common import HOLDS, BadInput, emit


def _render_program(hex_program: str) -> str:
    """Rich markup: instructions bold, no-ops dimmed (one span per run of either)."""
    from itertools import groupby

    from rich.markup import escape

    from quines_text.soup.metrics import readable

    return "".join(
        f"[{'bold' if op else 'dim'}]{escape(''.join(c for c, _ in run))}[/]"
        for op, run in groupby(readable(bytes.fromhex(hex_program)), key=lambda cell: cell[1])
    )


def _transition_text(transition: int | None, crossing: int | None) -> str:
    """The transition line: sustained epoch, and the first crossing when it came earlier."""
    if crossing is None:
        return "not seen"
    if transition is None:
        return f"not sustained (high-order entropy reached 1 bit/byte at epoch {crossing} and fell back)"
    return f"epoch {transition}" + ("" if crossing == transition else f" (first crossed at epoch {crossing})")


def _print_summary(data: dict) -> None:
    from rich.console import Console

    console = Console(highlight=False)
    last, rep = data["last"], data["replicator"]
    console.print(
        f"epoch {data['epoch']}: high-order entropy {last['high_order_entropy']:.3f} bits/byte "
        f"(Shannon {last['shannon_entropy']:.3f} - compressed "
        f"{last['compressed_bits_per_byte']:.3f}), {last['distinct_programs']} distinct programs"
    )
    if "interactions_per_s" in data:
        console.print(f"{data['epochs_run']} epochs in {data['wall_s']:.1f} s: "
                      f"{data['interactions_per_s']:.3g} interactions/s")
    console.print(f"transition: {_transition_text(data['transition_epoch'], data['first_crossing'])}")
    verdict = "a replicator" if rep["is_replicator"] else "not a replicator"
    span = _span_text(rep["span_start"], rep["span_length"], len(rep["program"]) // 2)
    console.print(
        f"replicator check of the top program ({verdict}): over {rep['trials']} random partners, "
        f"exact copies {rep['copy_fraction']:.2f}, byte match {rep['byte_match']:.2f}, "
        f"{span}, copied again by {rep['heritable']:.2f} of the copies"
    )
    for hex_program, count in last["top_programs"]:
        console.print(f"{count:>8}  {_render_program(hex_program)}")


def _span_text(start: int, length: int, program_length: int) -> str:
    if length == 0:
        return "no byte copied by the quorum"
    return f"copied bytes {start}..{start + length - 1} ({length} of {program_length})"


def register(app: typer.Typer) -> None:
    soup_app = typer.Typer(no_args_is_help=True, help="Computational Life: a soup of BFF programs.")
    app.add_typer(soup_app, name="soup")

    @soup_app.command("run")
    def run_command(
        programs: int | None = typer.Option(None, "--programs", help="soup size (default 2^17)"),
        epochs: int = typer.Option(
            1024, "--epochs", help="epochs to run (with --resume: to reach)"
        ),
        seed: int | None = typer.Option(None, "--seed", help="random seed (default 0)"),
        variant: str | None = typer.Option(None, "--variant", help="bff or bff_noheads"),
        mutation: float | None = typer.Option(
            None, "--mutation", help="per byte per epoch (default 1/4096)"
        ),
        max_steps: int | None = typer.Option(
            None, "--max-steps", help="steps per interaction (default 2^13)"
        ),
        out: Path | None = typer.Option(
            None, "--out", help="folder for checkpoints, history and plot"
        ),
        checkpoint_every: int = typer.Option(
            256, "--checkpoint-every", help="epochs between checkpoints"
        ),
        metrics_every: int = typer.Option(
            64, "--metrics-every", help="epochs between entropy measurements"
        ),
        resume: bool = typer.Option(False, "--resume", help="continue the soup saved in --out"),
        threads: int | None = typer.Option(
            None, "--threads", help="engine threads (default: all CPUs)"
        ),
        as_json: bool = typer.Option(False, "--json", help="print the report as JSON"),
    ) -> None:
        """Evolve a soup of random BFF programs and report entropy, diversity and replicators."""
        from quines_text.soup.plot import plot_history
        from quines_text.soup.pool import CHECKPOINT, Soup, SoupConfig
        from quines_text.soup.run import History, run_soup

        options: dict[str, Any] = {"programs": programs, "seed": seed, "variant": variant,
                                   "mutation_rate": mutation, "max_steps": max_steps}
        given = {k: v for k, v in options.items() if v is not None}  # SoupConfig's defaults fill the rest
        if resume:
            if out is None:
                raise BadInput("--resume needs --out DIR holding a checkpoint")
            try:
                soup = Soup.load(out, threads)
                history = History.load(out, soup.epoch)
            except ValueError as error:
                raise BadInput(str(error)) from None
            clash = {k: v for k, v in given.items() if getattr(soup.config, k) != v}
            if clash:
                raise BadInput(f"options differ from the checkpoint in {out}: {sorted(clash)}")
            todo = epochs - soup.epoch
            if todo < 0:
                raise BadInput(f"the soup in {out} is at epoch {soup.epoch}, past --epochs {epochs}")
        else:
            if out is not None and out.exists() and not out.is_dir():
                raise BadInput(f"--out must be a folder, {out} is a file")
            if out is not None and (out / CHECKPOINT).exists():
                raise BadInput(f"{out} already holds a soup; use --resume or another --out")
            try:
                soup = Soup(SoupConfig(**given, threads=threads))
            except ValueError as error:
                raise BadInput(str(error)) from None
            history, todo = None, epochs
        if todo < 0 or min(checkpoint_every, metrics_every) < 1:
            raise BadInput("need --epochs >= 0 and --checkpoint-every, --metrics-every, --threads >= 1")

        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        quiet = as_json or not sys.stderr.isatty()
        columns = (
            TextColumn("soup"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[rate]}"),
            TextColumn("H_high {task.fields[entropy]}"), TimeElapsedColumn(),
        )
        with Progress(*columns, disable=quiet, transient=True) as progress:
            task = progress.add_task("soup", total=todo, rate="", entropy="-")

            def on_epoch(stats, shot) -> None:
                speed = progress.tasks[0].speed
                fields: dict[str, Any] = {"rate": f"{speed:.1f} epochs/s" if speed else ""}
                if shot is not None:
                    fields["entropy"] = f"{shot.high_order_entropy:.3f}"
                progress.update(task, advance=1, **fields)

            report, history = run_soup(soup, todo, out, history, checkpoint_every, metrics_every,
                                       on_epoch=on_epoch)
        data = report.to_dict()
        if out is not None:
            data["plot"] = str(plot_history(history, out / "soup.png", report.transition_epoch))
        emit(data, as_json, _print_summary)
        raise typer.Exit(HOLDS)

    @soup_app.command("show")
    def show_command(
        directory: Path = typer.Argument(..., help="a folder written by `rsi soup run --out`"),
        top: int = typer.Option(5, "--top", help="how many programs to show"),
        as_json: bool = typer.Option(False, "--json", help="print as JSON"),
    ) -> None:
        """Show a saved soup: entropy, transition, replicator check and top programs."""
        from quines_text.soup.metrics import first_crossing, replicator_check, snapshot, transition_epoch
        from quines_text.soup.pool import Soup
        from quines_text.soup.run import History

        if top < 1:
            raise BadInput(f"--top must be >= 1, got {top}")
        try:
            soup = Soup.load(directory)
            history = History.load(directory, soup.epoch)
        except ValueError as error:
            raise BadInput(str(error)) from None
        last = snapshot(soup.programs, soup.epoch, top=top)
        check = replicator_check(bytes.fromhex(last.top_programs[0][0]), soup.config.variant,
                                 seed=soup.config.seed, max_steps=soup.config.max_steps)
        data = {
            "config": soup.config.to_dict(),
            "epoch": soup.epoch,
            "transition_epoch": transition_epoch(history.snapshots),
            "first_crossing": first_crossing(history.snapshots),
            "last": last.to_dict(),
            "replicator": check.to_dict(),
        }
        emit(data, as_json, _print_summary)
        raise typer.Exit(HOLDS)

"""`rsi report --out DIR [--quick] [--device D] [--resume] [--json]`: the main job (rsi.app.report).

Runs the fixed, seeded stages (sizes preset `quick` with --quick, `full` by default, `tiny`
for tests through --sizes), writes DIR/index.html, DIR/results.json and the PNG plots, and
prints the path of index.html.  --resume keeps the stages already saved in DIR/stages.
Exit 0 when the report was written; 2 for bad input; 130 when interrupted (finished stages
stay saved, so a rerun with --resume goes on from there).
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from rsi.app.cli._common import HOLDS, BadInput, emit

if TYPE_CHECKING:
    from rsi.app.report import ReportSizes, ReportSummary

INTERRUPTED = 130


class _RichProgress:
    """One bar over the stages, the current step as its description, a line per stage."""

    def __init__(self, bar: Any, total: int):
        self.bar = bar
        self.task = bar.add_task("report", total=total)
        self.title = ""

    def start(self, stage: Any, index: int, total: int) -> None:
        self.title = stage.title
        self.bar.update(self.task, description=stage.title)

    def tick(self, label: str) -> None:
        self.bar.update(self.task, description=f"{self.title}: {label}")

    def end(self, stage: Any, status: str) -> None:
        self.bar.console.print(f"{stage.name}: {'resumed (saved earlier)' if status == 'skipped' else 'done'}")
        self.bar.advance(self.task)


def _sizes(quick: bool, preset: str | None) -> Any:
    from rsi.app.report import FULL, PRESETS, QUICK

    if quick and preset not in (None, "quick"):
        raise BadInput(f"--quick and --sizes {preset} disagree; give one of them")
    if preset is None:
        return QUICK if quick else FULL
    if preset not in PRESETS:
        raise BadInput(f"unknown --sizes {preset!r}; presets: {', '.join(PRESETS)}")
    return PRESETS[preset]


def _device(device: str) -> str:
    """The resolved --device ("cpu" or "cuda"); BadInput when it is unknown or unavailable."""
    from neural.population import resolve_device

    try:
        return str(resolve_device(device))
    except ValueError as error:
        raise BadInput(str(error)) from None


def _build(out: Path, sizes: ReportSizes, device: str, resume: bool, as_json: bool) -> ReportSummary:
    """build_report, with a progress bar on stderr when it is a terminal and --json is off."""
    from rsi.app.report import STAGES, build_report

    if as_json or not sys.stderr.isatty():
        return build_report(out, sizes, device, resume)
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        return build_report(out, sizes, device, resume, _RichProgress(bar, len(STAGES)))


def _print_summary(data: dict) -> None:
    ran = ", ".join(data["ran"]) or "none"
    print(f"stages run: {ran}; resumed: {', '.join(data['skipped']) or 'none'}; {data['seconds']} s")
    print(data["index"])


def register(app: typer.Typer) -> None:
    @app.command("report")
    def report_command(
        out: Path = typer.Option(..., "--out", help="folder for index.html, results.json and the plots"),
        quick: bool = typer.Option(False, "--quick", help="the small preset (make demo; minutes on a CPU)"),
        sizes: str | None = typer.Option(None, "--sizes", help="preset: tiny, quick or full (default full)"),
        device: str = typer.Option("auto", "--device", help="neural stages: auto, cpu or cuda"),
        resume: bool = typer.Option(False, "--resume", help="keep the stages already saved in OUT/stages"),
        as_json: bool = typer.Option(False, "--json", help="print the summary as JSON, no progress display"),
    ) -> None:
        """Run the seeded experiments and write the HTML report (theory beside trained quines)."""
        chosen = _sizes(quick, sizes)
        if out.exists() and not out.is_dir():
            raise BadInput(f"--out is not a folder: {out}")
        from rsi.app.report import interrupt

        try:
            with interrupt.sigint_caught():  # before torch's import: SIGINT from here on exits 130
                summary = _build(out, chosen, _device(device), resume, as_json)
        except KeyboardInterrupt:
            print(f"rsi: interrupted; finished stages are saved in {out / 'stages'}: rerun with --resume",
                  file=sys.stderr)
            raise typer.Exit(INTERRUPTED) from None
        emit(summary.to_dict(), as_json, _print_summary)
        raise typer.Exit(HOLDS)

"""`rsi neural train`: train neural quines (Chang & Lipson 2018; issue 8) and print the honest
metrics table (self-replication loss, R², loss/Σθ², rms, zero-quine flag, accuracy).

Exit 0 when training ran (the table says what was reached), 2 for bad input.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from rsi.cli._common import HOLDS, BadInput, emit


def _number(value: float | None, spec: str) -> str:
    return "undefined" if value is None else format(value, spec)


def _print_table(data: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    config = data["config"]
    title = (f"{config['quine']['arch']} {config['quine']['task']} · {config['method']} · "
             f"{data['epochs_done']} epochs · {data['device']} · {data['wall_s']:.1f} s")
    table = Table(title=title)
    for column in ("seed", "n", "sr_loss", "MAE", "MSE", "R²", "loss/Σθ²", "‖θ‖", "rms", "zero quine",
                   "accuracy"):
        table.add_column(column, justify="right")
    for net in data["nets"]:
        flag = "diverged" if net["diverged"] else ("[red]yes[/]" if net["zero_quine"] else "no")
        accuracy = "—" if net["accuracy"] is None else f"{net['accuracy']:.4f}"
        numbers = [_number(net[key], spec) for key, spec in (
            ("sr_loss", ".4g"), ("mae", ".3g"), ("mse", ".3g"), ("r2", ".4f"), ("relative_loss", ".3g"),
            ("norm", ".4g"), ("rms", ".3g"))]
        table.add_row(str(net["seed"]), str(net["n"]), *numbers, flag, accuracy)
    Console().print(table)


def register(app: typer.Typer) -> None:
    neural_app = typer.Typer(no_args_is_help=True, help="Neural quines and self-replicating nets.")
    app.add_typer(neural_app, name="neural")

    @neural_app.command("train")
    def train_command(
        arch: str = typer.Option("chang-lipson", "--arch", help="chang-lipson or blog"),
        method: str = typer.Option("gradient", "--method",
                                   help="gradient, regeneration, evolution or newton (ours)"),
        aux: bool = typer.Option(False, "--aux", help="auxiliary quine: also classify 8×8 digits"),
        solo: bool = typer.Option(False, "--solo", help="solo classifier of the same size (baseline)"),
        aux_lambda: float = typer.Option(0.01, "--lambda", help="weight of the cross-entropy (--aux)"),
        population: int = typer.Option(1, "--population", help="K nets with seeds seed … seed+K−1"),
        epochs: int = typer.Option(10, "--epochs", help="epochs (with --resume: total to reach)"),
        width: Optional[int] = typer.Option(None, "--width", help="override the preset's width"),
        seed: int = typer.Option(0, "--seed"),
        lr: float = typer.Option(1e-3, "--lr"),
        optimizer: str = typer.Option("adamax", "--optimizer", help="adam or adamax"),
        init: str = typer.Option("", "--init", help="pytorch or he (default: he for newton)"),
        batch_size: int = typer.Option(256, "--batch-size", help="coordinates per step"),
        device: str = typer.Option("auto", "--device", help="auto, cpu or cuda"),
        checkpoint: Optional[Path] = typer.Option(None, "--checkpoint", help="checkpoint file"),
        resume: bool = typer.Option(False, "--resume", help="continue from --checkpoint"),
        as_json: bool = typer.Option(False, "--json", help="machine-readable output"),
    ) -> None:
        """Train K quines at once and print their metrics."""
        if aux and solo:
            raise BadInput("--aux and --solo exclude each other")
        if resume and checkpoint is None:
            raise BadInput("--resume needs --checkpoint")
        from neural.config import TrainConfig, preset
        from neural.population import CheckpointMismatch, train

        task = "auxiliary" if aux else "solo" if solo else "vanilla"
        try:
            config = TrainConfig(
                quine=preset(arch, task, width), method=method, epochs=epochs, population=population,
                seed=seed, optimizer=optimizer, lr=lr, init=init, batch_size=batch_size,
                aux_lambda=aux_lambda)
            progress = _progress(quiet=as_json)
            with progress as bar:
                task_id = bar.add_task("training", total=epochs)
                result = train(config, device=device, checkpoint=checkpoint, resume=resume,
                               on_epoch=lambda done, total: bar.update(task_id, completed=done))
        except (ValueError, CheckpointMismatch) as error:
            raise BadInput(str(error).splitlines()[0]) from None
        emit(result.to_dict(), as_json, _print_table)
        raise typer.Exit(HOLDS)


def _progress(quiet: bool):  # noqa: ANN202 (rich.progress.Progress, imported lazily)
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                    TimeElapsedColumn(), disable=quiet, transient=True)

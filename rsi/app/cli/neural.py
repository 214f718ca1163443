"""`rsi neural train`: train neural quines (Chang & Lipson 2018) and print the honest
metrics table (self-replication loss, R², loss/Σθ², rms, zero-quine flag, accuracy).

`rsi neural selfrep apply|train|noise|soup`: self-replicating nets (Gabor et al. 2022):
class counts of self-application and self-training runs, the noise-robustness table, soups.

Exit 0 when the run finished (the tables say what was reached), 2 for bad input.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import typer

from rsi.app.cli._common import HOLDS, BadInput, emit

if TYPE_CHECKING:  # imported lazily at run time: `rsi --help` works without torch
    from neural.selfrep.net import SelfRepNet

_Built = TypeVar("_Built")


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
    _register_selfrep(neural_app)

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
        width: int | None = typer.Option(None, "--width", help="override the preset's width"),
        seed: int = typer.Option(0, "--seed"),
        lr: float = typer.Option(1e-3, "--lr"),
        optimizer: str = typer.Option("adamax", "--optimizer", help="adam or adamax"),
        init: str = typer.Option("", "--init", help="pytorch or he (default: he for newton)"),
        batch_size: int = typer.Option(256, "--batch-size", help="coordinates per step"),
        device: str = typer.Option("auto", "--device", help="auto, cpu or cuda"),
        checkpoint: Path | None = typer.Option(None, "--checkpoint", help="checkpoint file"),
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


# --- rsi neural selfrep (Gabor et al. 2022) -------------------------------------------------

_NET = typer.Option("weightwise", "--net", help="weightwise or aggregating")
_WIDTH = typer.Option(2, "--width", help="hidden units per layer")
_DEPTH = typer.Option(2, "--depth", help="hidden layers")
_AGGREGATES = typer.Option(4, "--aggregates", help="aggregating net: aggregated values a")
_AGGREGATOR = typer.Option("mean", "--aggregator", help="aggregating net: mean or max")
_ACTIVATION = typer.Option("linear", "--activation", help="linear, sigmoid, tanh or relu")
_INIT = typer.Option("glorot", "--init", help="glorot (Keras default) or pytorch")
_EPS = typer.Option(1e-5, "--eps", help="ε of the zero and fixpoint classes")
_SEED = typer.Option(0, "--seed")
_DEVICE = typer.Option("auto", "--device", help="auto, cpu or cuda")
_JSON = typer.Option(False, "--json", help="machine-readable output")


def _selfrep_net(kind: str, width: int, depth: int, aggregates: int, aggregator: str, activation: str,
                 init: str) -> SelfRepNet:
    from neural.selfrep.net import SelfRepNet

    return SelfRepNet(kind=kind, width=width, depth=depth, aggregates=aggregates, aggregator=aggregator,
                      activation=activation, init=init)


def _print_counts(data: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    budget = "steps" if data["mode"] == "self-application" else "epochs"
    table = Table(title=f"{data['net']['kind']} · {data['mode']} · {len(data['runs'])} runs · "
                        f"{data['budget']} {budget} · ε = {data['eps']:g}")
    for column in data["counts"]:
        table.add_column(column, justify="right")
    table.add_row(*(str(v) for v in data["counts"].values()))
    Console().print(table)


def _print_noise(data: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"noise robustness · {data['fixpoints']} fixpoint(s) × {data['trials']} copies · "
                        f"k = {data['steps']} · ε = {data['eps']:g}",
                  caption="returned: fixpoint again within k steps; as fixpoint: mean steps spent as one; "
                          "to 0/div: mean first step zero or divergent; div/zero/fix/other: final classes")
    for column in ("d", "noise", "returned", "as fixpoint", "to 0/div", "div", "zero", "fix", "other"):
        table.add_column(column, justify="right")
    for level in data["levels"]:
        table.add_row(str(level["d"]), f"{level['scale']:.0e}", f"{level['returned']}/{level['copies']}",
                      f"{level['mean_steps_as_fixpoint']:.2f}", f"{level['mean_steps_to_vergence']:.2f}",
                      *(str(v) for v in level["final"].values()))
    Console().print(table)


def _soup_printer(every: int):  # noqa: ANN202 (a renderer for emit)
    def render(data: dict) -> None:
        from rich.console import Console
        from rich.table import Table

        config = data["config"]
        table = Table(title=f"soup · {config['soups']} × {config['size']} {data['net']['kind']} particles · "
                            f"{data['device']} · {data['wall_s']:.1f} s")
        table.add_column("generation", justify="right")
        for column in data["final"]:
            table.add_column(column, justify="right")
        total = len(data["counts"])
        for g, counts in enumerate(data["counts"], start=1):
            if g % every == 0 or g == total:
                table.add_row(str(g), *(str(v) for v in counts.values()))
        Console().print(table)
    return render


def _register_selfrep(neural_app: typer.Typer) -> None:
    selfrep_app = typer.Typer(no_args_is_help=True, help="Self-replicating nets (Gabor et al. 2022).")
    neural_app.add_typer(selfrep_app, name="selfrep")

    def runs_command(mode: str, runs: int, budget: int, lr: float, net: SelfRepNet, seed: int, eps: float,
                     device: str, as_json: bool) -> None:
        from neural.population import resolve_device
        from neural.selfrep.dynamics import run_self_replication

        try:
            result = run_self_replication(net, mode, runs, budget, seed=seed, lr=lr, eps=eps,
                                          device=resolve_device(device))
        except ValueError as error:
            raise BadInput(str(error).splitlines()[0]) from None
        emit(result.to_dict(), as_json, _print_counts)
        raise typer.Exit(HOLDS)

    @selfrep_app.command("apply")
    def apply_command(
        kind: str = _NET, runs: int = typer.Option(50, "--runs", help="random nets, seeds seed … seed+R−1"),
        steps: int = typer.Option(100, "--steps", help="self-application steps at most"),
        width: int = _WIDTH, depth: int = _DEPTH, aggregates: int = _AGGREGATES, aggregator: str = _AGGREGATOR,
        activation: str = _ACTIVATION, init: str = _INIT, eps: float = _EPS, seed: int = _SEED,
        device: str = _DEVICE, as_json: bool = _JSON,
    ) -> None:
        """Self-apply R random nets (θ ← N ⊙ θ) and count divergent / zero / fixpoint / other."""
        net = _checked(_selfrep_net, kind, width, depth, aggregates, aggregator, activation, init)
        runs_command("self-application", runs, steps, 0.1, net, seed, eps, device, as_json)

    @selfrep_app.command("train")
    def train_command(
        kind: str = _NET, runs: int = typer.Option(50, "--runs", help="random nets, seeds seed … seed+R−1"),
        epochs: int = typer.Option(2000, "--epochs", help="full-batch gradient steps"),
        lr: float = typer.Option(0.1, "--lr", help="gradient-descent step size"),
        width: int = _WIDTH, depth: int = _DEPTH, aggregates: int = _AGGREGATES, aggregator: str = _AGGREGATOR,
        activation: str = _ACTIVATION, init: str = _INIT, eps: float = _EPS, seed: int = _SEED,
        device: str = _DEVICE, as_json: bool = _JSON,
    ) -> None:
        """Self-train R random nets (gradient steps on ‖N ⊙ θ − θ‖²) and count the classes."""
        net = _checked(_selfrep_net, kind, width, depth, aggregates, aggregator, activation, init)
        runs_command("self-training", runs, epochs, lr, net, seed, eps, device, as_json)

    @selfrep_app.command("noise")
    def noise_command(
        fixpoints: int = typer.Option(0, "--fixpoints",
                                      help="self-train this many nets and use those that are fixpoints; "
                                           "0: the hand-built identity fixpoint"),
        trials: int = typer.Option(100, "--trials", help="noisy copies of each fixpoint per level"),
        levels: int = typer.Option(10, "--levels", help="noise 10^-d for d = 0 … levels−1"),
        steps: int = typer.Option(100, "--steps", help="self-application steps k"),
        epochs: int = typer.Option(2000, "--epochs", help="self-training epochs (with --fixpoints)"),
        lr: float = typer.Option(0.1, "--lr", help="self-training step size (with --fixpoints)"),
        eps: float = _EPS, seed: int = _SEED, device: str = _DEVICE, as_json: bool = _JSON,
    ) -> None:
        """Noise robustness of fixpoints of the linear weightwise net: noise 10^-d, d = 0 … 9."""
        from neural.population import resolve_device
        from neural.selfrep.dynamics import identity_fixpoint, noise_robustness, run_self_replication
        from neural.selfrep.net import SelfRepNet

        if fixpoints < 0 or levels < 1:
            raise BadInput(f"--fixpoints must be ≥ 0 and --levels ≥ 1, got {fixpoints} and {levels}")
        net = SelfRepNet()
        try:
            dev = resolve_device(device)
            if fixpoints:
                trained = run_self_replication(net, "self-training", fixpoints, epochs, seed=seed, lr=lr, eps=eps,
                                               device=dev)
                points = trained.theta[[c == "fixpoint" for c in trained.classes]]
                if points.shape[0] == 0:
                    raise ValueError(f"none of the {fixpoints} self-trained nets reached a fixpoint")
            else:
                points = identity_fixpoint(net)[None]
            result = noise_robustness(net, points.to(dev), trials, range(levels), steps, seed=seed, eps=eps)
        except ValueError as error:
            raise BadInput(str(error).splitlines()[0]) from None
        emit(result.to_dict(), as_json, _print_noise)
        raise typer.Exit(HOLDS)

    @selfrep_app.command("soup")
    def soup_command(
        size: int = typer.Option(10, "--size", help="particles per soup"),
        soups: int = typer.Option(1, "--soups", help="independent soups run side by side"),
        generations: int = typer.Option(100, "--generations", help="generations (with --resume: total)"),
        attack_rate: float = typer.Option(0.1, "--attack-rate", help="chance a particle attacks another"),
        learn_rate: float = typer.Option(0.1, "--learn-rate", help="chance a particle learns from another"),
        learn_severity: int = typer.Option(1, "--learn-severity", help="gradient steps per learn-from"),
        train: int = typer.Option(0, "--train", help="self-training steps per particle and generation"),
        lr: float = typer.Option(0.1, "--lr", help="step size of learn-from and self-training"),
        remove_divergent: bool = typer.Option(False, "--remove-divergent", help="replace divergent particles"),
        remove_zero: bool = typer.Option(False, "--remove-zero", help="replace zero particles"),
        every: int = typer.Option(10, "--every", help="print the counts every N generations"),
        kind: str = _NET, width: int = _WIDTH, depth: int = _DEPTH, aggregates: int = _AGGREGATES,
        aggregator: str = _AGGREGATOR, activation: str = _ACTIVATION, init: str = _INIT, eps: float = _EPS,
        seed: int = _SEED, device: str = _DEVICE,
        checkpoint: Path | None = typer.Option(None, "--checkpoint", help="checkpoint file"),
        resume: bool = typer.Option(False, "--resume", help="continue from --checkpoint"),
        as_json: bool = _JSON,
    ) -> None:
        """Run soups of interacting nets (attack, learn from, self-train) and count classes per generation."""
        from neural.population import CheckpointMismatch
        from neural.selfrep.soup import SoupConfig, run_soup

        if resume and checkpoint is None:
            raise BadInput("--resume needs --checkpoint")
        if every < 1:
            raise BadInput(f"--every must be at least 1, got {every}")
        net = _checked(_selfrep_net, kind, width, depth, aggregates, aggregator, activation, init)
        try:
            config = SoupConfig(size=size, soups=soups, generations=generations, attack_rate=attack_rate,
                                learn_rate=learn_rate, learn_severity=learn_severity, train=train, lr=lr,
                                remove_divergent=remove_divergent, remove_zero=remove_zero, eps=eps, seed=seed)
            with _progress(quiet=as_json) as bar:
                task_id = bar.add_task("soup", total=generations)
                result = run_soup(net, config, device=device, checkpoint=checkpoint, resume=resume,
                                  on_generation=lambda done, total: bar.update(task_id, completed=done))
        except (ValueError, CheckpointMismatch) as error:
            raise BadInput(str(error).splitlines()[0]) from None
        emit(result.to_dict(), as_json, _soup_printer(every))
        raise typer.Exit(HOLDS)


def _checked(build: Callable[..., _Built], *args: Any) -> _Built:
    """build(*args), a ValueError turned into BadInput."""
    try:
        return build(*args)
    except ValueError as error:
        raise BadInput(str(error).splitlines()[0]) from None

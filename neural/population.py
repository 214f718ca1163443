"""Train a population of K quines at once (Chang & Lipson 2018 §4), with checkpoints and resume.

Net k starts from the configured initialisation (`config.init`) with seed `seed + k` and draws
its data order from its own generator, so a population member is the same net as that seed
trained alone, and a run is deterministic on the CPU.  Checkpoints are written atomically
(`rsi.atomic`: a temporary file, fsynced and moved into place with `os.replace`), so a crash
never leaves a half-written checkpoint.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import Tensor

from neural.config import TrainConfig
from neural.digits import load_split
from neural.methods import Evolution, Gradient, Method, Regeneration
from neural.metrics import QuineMetrics, accuracy_of, quine_metrics, rms_of
from neural.newton import Newton
from neural.quine import BatchedQuine
from neural.sampling import net_generators
from rsi.atomic import atomic_path

METHODS: dict[str, type[Method]] = {"gradient": Gradient, "regeneration": Regeneration,
                                    "evolution": Evolution, "newton": Newton}
CHECKPOINT_VERSION = 1


class CheckpointMismatch(ValueError):
    """The checkpoint to resume cannot be used: unreadable, or written by a different
    training configuration."""


def resolve_device(name: str) -> torch.device:
    """`auto` → cuda when available, else cpu; `cuda` without a GPU is an error."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise ValueError("device 'cuda' requested but torch.cuda.is_available() is False")
    if name not in ("cpu", "cuda"):
        raise ValueError(f"device must be auto, cpu or cuda, got {name!r}")
    return torch.device(name)


@dataclass(frozen=True)
class NetResult:
    seed: int
    metrics: QuineMetrics

    def to_dict(self) -> dict[str, Any]:
        return {"seed": self.seed, **self.metrics.to_dict()}


@dataclass(frozen=True)
class TrainResult:
    config: TrainConfig
    device: str
    epochs_done: int
    wall_s: float
    nets: tuple[NetResult, ...]
    theta: Tensor = field(repr=False, compare=False)  # final (K, m) parameters, on the CPU

    def to_dict(self) -> dict[str, Any]:
        return {"config": self.config.to_dict(), "device": self.device, "epochs_done": self.epochs_done,
                "wall_s": self.wall_s, "nets": [net.to_dict() for net in self.nets]}


def evaluate(model: BatchedQuine, theta: Tensor, initial_rms: list[float]) -> list[QuineMetrics]:
    """Metrics of every net in the batch (held-out accuracy when it classifies)."""
    with torch.no_grad():
        weights, preds = model.predicted(theta), model.predict_all(theta)
        accuracies: Sequence[float | None] = [None] * theta.shape[0]
        if model.config.classifies:
            digits = load_split().to(model.device)
            accuracies = accuracy_of(model.logits(theta, digits.test_images), digits.test_labels)
    return [quine_metrics(weights[k].cpu(), preds[k].cpu(), initial_rms[k], accuracies[k])
            for k in range(theta.shape[0])]


def save_atomically(path: Path, payload: dict[str, Any]) -> None:
    """`torch.save(payload)` to `path` atomically (`rsi.atomic`), creating its folder when missing."""
    with atomic_path(path, create_parents=True) as temporary:
        torch.save(payload, temporary)


def load_checkpoint(path: Path, version: int) -> dict[str, Any]:
    """The payload `save_atomically` wrote to `path`; CheckpointMismatch when the file is not
    such a checkpoint or has another format version."""
    try:
        state = torch.load(path, map_location="cpu", weights_only=False)
    except Exception as error:  # torch raises many kinds for a file it cannot read
        raise CheckpointMismatch(f"cannot read checkpoint {path}: {error}") from None
    if not isinstance(state, dict) or state.get("version") != version:
        raise CheckpointMismatch(f"{path} is not a checkpoint of format version {version}")
    return state


def start(config: TrainConfig, device: torch.device | str) -> tuple[BatchedQuine, Method, list[float]]:
    """A fresh model of `config.quine` on `device`, its training method holding θ at
    initialisation (seeds `config.seeds`), and the initial rms of each net."""
    model = BatchedQuine(config.quine, device)
    theta = model.init(config.seeds, config.init)
    digits = load_split().to(device) if config.quine.classifies else None
    method = METHODS[config.method](model, config, theta, net_generators(config.seeds), digits)
    return model, method, rms_of(model.predicted(theta))


def trajectory(config: TrainConfig, device: torch.device | str,
               epochs: int) -> Iterator[tuple[Tensor, list[QuineMetrics]]]:
    """θ (K, m) and the metrics of every net at initialisation and after each of `epochs`
    epochs (θ is the live tensor: read it before taking the next item)."""
    model, method, initial_rms = start(config, device)
    for epoch in range(epochs + 1):
        if epoch:
            method.run_epoch()
        weights = method.theta.detach()
        yield weights, evaluate(model, weights, initial_rms)


def _comparable(config: TrainConfig) -> dict[str, Any]:
    """What must match for a resume: everything except the epoch budget."""
    return {k: v for k, v in config.to_dict().items() if k != "epochs"}


def train(config: TrainConfig, device: str = "auto", checkpoint: Path | None = None,
          resume: bool = False, on_epoch: Callable[[int, int], None] | None = None) -> TrainResult:
    """Train K = config.population nets for config.epochs epochs; checkpoint after each epoch."""
    dev = resolve_device(device)
    model, method, initial_rms = start(config, dev)
    generators = method.generators
    start_epoch = 0
    if resume and checkpoint is not None and checkpoint.exists():
        state = load_checkpoint(checkpoint, CHECKPOINT_VERSION)
        if state.get("config") != _comparable(config):
            raise CheckpointMismatch(f"checkpoint {checkpoint} was written by a different configuration")
        with torch.no_grad():
            method.theta.copy_(state["theta"].to(dev))
        method.load_state_dict(state["method"])
        for generator, gen_state in zip(generators, state["generators"], strict=False):
            generator.set_state(gen_state)
        initial_rms, start_epoch = state["initial_rms"], state["epoch"]
    started = time.perf_counter()
    for epoch in range(start_epoch, config.epochs):
        method.run_epoch()
        if checkpoint is not None:
            save_atomically(checkpoint, {
                "version": CHECKPOINT_VERSION, "config": _comparable(config), "epoch": epoch + 1,
                "theta": method.theta.detach().cpu(), "method": method.state_dict(),
                "generators": [g.get_state() for g in generators], "initial_rms": initial_rms})
        if on_epoch is not None:
            on_epoch(epoch + 1, config.epochs)
    wall = time.perf_counter() - started
    metrics = evaluate(model, method.theta.detach(), initial_rms)
    nets = tuple(NetResult(seed, m) for seed, m in zip(config.seeds, metrics, strict=False))
    return TrainResult(config, str(dev), max(start_epoch, config.epochs), wall, nets,
                       method.theta.detach().cpu())


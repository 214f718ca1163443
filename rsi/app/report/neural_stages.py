"""The report's stages on trained nets: neural quine training curves per method (Chang &
Lipson 2018 §4), auxiliary accuracy against λ with the solo classifier, self-replicating nets
(Gabor et al. 2022).  The weights stage is in `weights`.  torch and `neural` are imported
inside the functions."""
from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

from rsi.app.report.sizes import ReportSizes

Tick = Callable[[str], None]


@contextlib.contextmanager
def one_cpu_thread() -> Iterator[None]:
    """torch on one CPU thread for the block: these nets are small, so more threads only add
    overhead (ten times slower on 2 busy cores, measured), and replay needs the same count."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _train(config: Any, device: str, tick: Tick, label: str) -> list[dict[str, Any]]:
    """Train one net (population 1) for config.epochs; its metrics after each epoch (epoch 0:
    at initialisation), with held-out digit accuracy when the net classifies."""
    from neural.population import trajectory

    curve = []
    with one_cpu_thread():
        for epoch, (_, found) in enumerate(trajectory(config, device, config.epochs)):
            curve.append({"epoch": epoch, **found[0].to_dict()})
            tick(f"{label} epoch {epoch}/{config.epochs}")
    return curve


def quine_curves_stage(sizes: ReportSizes, device: str, tick: Tick) -> dict[str, Any]:
    """A vanilla chang-lipson quine of width `quine_width` trained by each method."""
    from neural.config import TrainConfig, preset

    runs = {}
    for method in sizes.methods:
        config = TrainConfig(quine=preset("chang-lipson", width=sizes.quine_width), method=method,
                             epochs=sizes.quine_epochs, seed=sizes.seed)
        runs[method] = {"config": config.to_dict(), "curve": _train(config, device, tick, method)}
    return {"device": device, "runs": runs}


def auxiliary_stage(sizes: ReportSizes, device: str, tick: Tick) -> dict[str, Any]:
    """Auxiliary quines (replication + λ·cross-entropy on 8×8 digits) for each λ, and the solo
    classifier baseline; held-out accuracy after `aux_epochs` epochs."""
    from neural.config import TrainConfig, preset

    runs = []
    for aux_lambda in sizes.aux_lambdas:
        config = TrainConfig(quine=preset("chang-lipson", "auxiliary", width=sizes.quine_width),
                             method="gradient", epochs=sizes.aux_epochs, seed=sizes.seed, aux_lambda=aux_lambda)
        curve = _train(config, device, tick, f"λ = {aux_lambda}")
        runs.append({"lambda": aux_lambda, "final": curve[-1], "curve": curve})
    solo = TrainConfig(quine=preset("chang-lipson", "solo", width=sizes.quine_width), method="gradient",
                       epochs=sizes.aux_epochs, seed=sizes.seed)
    solo_curve = _train(solo, device, tick, "solo")
    return {"device": device, "runs": runs, "solo": {"final": solo_curve[-1], "curve": solo_curve}}


def gabor_stage(sizes: ReportSizes, device: str, tick: Tick) -> dict[str, Any]:
    """The paper's weightwise net (4 → 2 → 2 → 1, linear): `selfrep_runs` random nets
    self-applied and as many self-trained, their trajectory classes, and the noise robustness
    of the self-trained fixpoints (the hand-built identity fixpoint when none was reached)."""
    from neural.selfrep.dynamics import identity_fixpoint, noise_robustness, run_self_replication
    from neural.selfrep.net import SelfRepNet

    net = SelfRepNet()
    with one_cpu_thread():
        applied = run_self_replication(net, "self-application", sizes.selfrep_runs, sizes.selfrep_steps,
                                       seed=sizes.seed, device=device)
        tick("self-application")
        trained = run_self_replication(net, "self-training", sizes.selfrep_runs, sizes.selfrep_epochs,
                                       seed=sizes.seed, device=device)
        tick("self-training")
        fixpoints = trained.theta[[name == "fixpoint" for name in trained.classes]]
        source = f"{fixpoints.shape[0]} self-trained fixpoints"
        if fixpoints.shape[0] == 0:
            fixpoints, source = identity_fixpoint(net)[None], "the hand-built identity fixpoint"
        noise = noise_robustness(net, fixpoints.to(device), sizes.noise_trials, range(10), sizes.selfrep_steps,
                                 seed=sizes.seed)
        tick("noise robustness")
    return {"self_application": _finite_runs(applied.to_dict()),
            "self_training": _finite_runs(trained.to_dict()), "noise": noise.to_dict(), "noise_of": source}


def _finite_runs(result: dict[str, Any]) -> dict[str, Any]:
    from neural.metrics import finite_or_none

    return {**result, "runs": [finite_or_none(run) for run in result["runs"]]}

"""The report's stages on trained nets: neural quine training curves per method (Chang &
Lipson 2018 §4), auxiliary accuracy against λ with the solo classifier, self-replicating nets
(Gabor et al. 2022, when `neural.selfrep.net` is in the build), and the weight complexity of
regeneration against the constructive bound of Mahoney 2008's Theorem (`neural.complexity`).
torch and `neural` are imported inside the functions."""
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


def weights_stage(sizes: ReportSizes, device: str, tick: Tick) -> dict[str, Any]:
    """Regeneration of a chang-lipson quine of width `weight_width` for `generations`
    generations on the CPU (the constructive bound rests on bitwise replay on the CPU):
    compressed k-bit weights against the constructive bound, and what that comparison says."""
    from neural.complexity import replay_sample, weight_chain
    from neural.config import TrainConfig, preset

    config = TrainConfig(quine=preset("chang-lipson", width=sizes.weight_width), method="regeneration",
                         seed=sizes.seed)
    with one_cpu_thread():
        chain = weight_chain(config, sizes.generations, sizes.bits,
                             replay_sample(sizes.generations, sizes.replay_all_up_to), tick).to_dict()
    return {**chain, "statement": exceedance_statement(chain)}


def exceedance_statement(chain: dict[str, Any]) -> str:
    """Where the compressed weights exceed the constructive bound, and what that means."""
    total = [bound["total"] for bound in chain["bounds"]]
    parts = []
    for k in chain["bits"]:
        over = chain["exceeds"][str(k)]
        what = "float32" if k == 32 else f"{k}-bit"
        if not over:
            parts.append(f"{what} weights stay below it at every generation")
        elif len(over) == chain["generations"]:
            parts.append(f"{what} weights exceed it at every generation n = 1..{chain['generations']}")
        else:
            parts.append(f"{what} weights exceed it at n = {', '.join(map(str, over))}")
    sentence = (f"The constructive bound is {min(total)}-{max(total)} bytes; " + "; ".join(parts) + ". ")
    if chain["diverged_at"] is not None:
        sentence += (f"Regeneration diverged at generation {chain['diverged_at']} (non-finite weights), so from "
                     "there only the float32 bytes describe the weights. ")
    zero_quine = next((m for m in chain["metrics"] if m["zero_quine"]), None)
    if zero_quine is not None:
        sentence += (f"From generation {zero_quine['generation']} on θ_n is flagged as the zero quine "
                     f"(rms {zero_quine['rms']:.2g} against {zero_quine['initial_rms']:.2g} at the start)")
        exact_zero = next((m["generation"] for m in chain["metrics"] if m["norm"] == 0), None)
        if exact_zero is not None:
            sentence += (f"; from generation {exact_zero} every weight is exactly 0 and the compressed "
                         "size is the compressor's overhead: θ = 0 is the simplest fixpoint")
        sentence += ". "
    sentence += ("Where the compressed weights exceed the constructive bound, compression is the loose "
                 "bound: it sees the weights as data, while the theorem's bound describes them by the "
                 "process that made them (training code, seed and n) and grows only with the digits of n. "
                 "Where they stay below it, the net is smaller than its training code: the O(log n) bound "
                 "holds but its constant dominates.")
    return sentence

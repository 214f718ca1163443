"""Self-application, self-training, fixpoint classes and noise robustness of self-replicating
nets (Gabor et al. 2022, §2.3 and §3.1–3.3; NOTES.md for the reference code's settings).

- **Self-application**: θ ← N_θ ⊙ θ, repeated; a run stops early once it is divergent, zero or
  a fixpoint (as the reference's `run_net` does).
- **Self-training**: gradient steps on the mean of (N_θ ⊙ θ − θ)² where the θ on the input and
  target side is data (detached), as in the reference, which fits N to the samples
  ((v_i, l, c, p) → v_i) of its current weights.  Full-batch gradient descent.
- **Classes** of a state θ (first that applies): ``divergent`` (NaN or ±Inf in θ or in N ⊙ θ),
  ``zero`` (every |θ_i| < ε), ``fixpoint`` (max_i |(N ⊙ θ)_i − θ_i| < ε), ``other``; ε default
  1e-5 (the reference used 1e-4; NOTES.md).  The norm is the maximum, as in the reference.
- **Noise robustness**: Gaussian noise of scale 10^−d (d = 0 … 9) is added to fixpoints and
  each copy is self-applied for k steps (in float64, so that noise of 1e-9 is not rounded
  away); we count the copies that are a non-zero fixpoint again after some step 1 … k, the
  steps they spend as one, the step they become zero or divergent, and their final class.

Every operation runs on K nets at once; results reuse the quine metrics (neural.metrics) of
θ against N ⊙ θ.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import torch
from torch import Tensor

from neural.metrics import QuineMetrics, quine_metrics, rms_of
from neural.selfrep.net import SelfRepNet, apply, init_weights
from rsi.records import JsonRecord

CLASSES = ("divergent", "zero", "fixpoint", "other")
EPSILON = 1e-5
DIVERGENT, ZERO, FIXPOINT, OTHER = range(4)


def class_codes(net: SelfRepNet, theta: Tensor, eps: float = EPSILON) -> Tensor:
    """(K,) index into CLASSES of every state θ (K, n)."""
    with torch.no_grad():
        image = apply(net, theta, theta)
        finite = torch.isfinite(theta).all(-1) & torch.isfinite(image).all(-1)
        zero = (theta.abs() < eps).all(-1)
        fixed = (image - theta).abs().amax(-1) < eps
    codes = torch.full(finite.shape, OTHER, dtype=torch.long, device=theta.device)
    codes[fixed] = FIXPOINT
    codes[zero] = ZERO
    codes[~finite] = DIVERGENT
    return codes


def classify(net: SelfRepNet, theta: Tensor, eps: float = EPSILON) -> tuple[str, ...]:
    """The class name of every state θ (K, n)."""
    return tuple(CLASSES[c] for c in class_codes(net, theta, eps).tolist())


def class_counts(codes: Tensor) -> dict[str, int]:
    """How many states fall in each class, every class listed."""
    counts = torch.bincount(codes.cpu(), minlength=len(CLASSES)).tolist()
    return dict(zip(CLASSES, counts, strict=False))


def replication_loss(net: SelfRepNet, theta: Tensor, teachers: Tensor) -> Tensor:
    """(K,) mean of (N_θk ⊙ T_k − T_k)² with the teachers T as data (T = θ: self-training)."""
    teachers = teachers.detach()
    return (apply(net, theta, teachers) - teachers).pow(2).mean(-1)


def gradient_step(net: SelfRepNet, theta: Tensor, teachers: Tensor, lr: float,
                  mask: Tensor | None = None) -> Tensor:
    """One gradient-descent step of every net θ_k toward replicating its teacher; rows where
    `mask` is False stay as they are."""
    theta = theta.detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(replication_loss(net, theta, teachers).sum(), theta)
    stepped = (theta - lr * grad).detach()
    return stepped if mask is None else torch.where(mask[:, None], stepped, theta.detach())


def self_apply(net: SelfRepNet, theta: Tensor, steps: int, eps: float = EPSILON) -> tuple[Tensor, Tensor]:
    """Self-application of every net for up to `steps` steps; a net stops once divergent, zero or
    a fixpoint.  Returns the final states and the steps each took."""
    taken = torch.zeros(theta.shape[0], dtype=torch.long, device=theta.device)
    with torch.no_grad():
        for _ in range(steps):
            running = class_codes(net, theta, eps) == OTHER
            if not running.any():
                break
            theta = torch.where(running[:, None], apply(net, theta, theta), theta)
            taken += running
    return theta, taken


def self_train(net: SelfRepNet, theta: Tensor, epochs: int, lr: float) -> Tensor:
    """`epochs` full-batch gradient steps of self-training for every net."""
    for _ in range(epochs):
        theta = gradient_step(net, theta, theta, lr)
    return theta


def identity_fixpoint(net: SelfRepNet) -> Tensor:
    """(n,) a hand-built non-trivial fixpoint of the linear weightwise net: one path of weights 1
    from the weight-value input to the output, every other weight 0, so N is the identity on
    the value and N ⊙ θ = θ exactly (the reference's synthetic fixpoint)."""
    if net.kind != "weightwise" or net.activation != "linear":
        raise ValueError("the identity fixpoint exists for the linear weightwise net only")
    parts = []
    for out, inp in net.layer_shapes:
        layer = torch.zeros(out, inp)
        layer[0, 0] = 1.0
        parts.append(layer.reshape(-1))
    return torch.cat(parts)


@dataclass(frozen=True)
class RunsResult(JsonRecord):
    """R independent runs (seeds seed … seed+R−1) of self-application or self-training."""

    mode: str  # self-application | self-training
    net: SelfRepNet
    eps: float
    budget: int  # steps (self-application) or epochs (self-training)
    lr: float | None
    seeds: tuple[int, ...]
    classes: tuple[str, ...]
    steps_taken: tuple[int, ...]
    metrics: tuple[QuineMetrics, ...]  # θ against N ⊙ θ at the end of each run
    device: str
    theta: Tensor = field(repr=False, compare=False)  # final (R, n) weights, on the CPU

    @property
    def counts(self) -> dict[str, int]:
        return {name: self.classes.count(name) for name in CLASSES}

    def to_dict(self) -> dict[str, Any]:
        return {"mode": self.mode, "net": self.net.to_dict(), "eps": self.eps, "budget": self.budget,
                "lr": self.lr, "device": self.device, "counts": self.counts,
                "runs": [{"seed": s, "class": c, "steps": t, **m.to_dict()}
                         for s, c, t, m in zip(self.seeds, self.classes, self.steps_taken, self.metrics, strict=False)]}



def run_self_replication(net: SelfRepNet, mode: str, runs: int, budget: int, seed: int = 0,
                         lr: float = 0.1, eps: float = EPSILON,
                         device: torch.device | str = "cpu") -> RunsResult:
    """`runs` random nets, each self-applied for up to `budget` steps or self-trained for
    `budget` epochs, then classified."""
    if mode not in ("self-application", "self-training"):
        raise ValueError(f"mode must be self-application or self-training, got {mode!r}")
    if runs < 1 or budget < 1:
        raise ValueError(f"runs and budget must be at least 1, got {runs} and {budget}")
    if not eps > 0 or not lr > 0:
        raise ValueError(f"eps and lr must be positive, got {eps} and {lr}")
    seeds = [seed + k for k in range(runs)]
    theta = init_weights(net, seeds).to(device)
    initial_rms = rms_of(theta)
    if mode == "self-application":
        theta, taken = self_apply(net, theta, budget, eps)
        steps, used_lr = tuple(taken.tolist()), None
    else:
        theta = self_train(net, theta, budget, lr)
        steps, used_lr = (budget,) * runs, lr
    with torch.no_grad():
        image = apply(net, theta, theta)
    metrics = tuple(quine_metrics(theta[k].cpu(), image[k].cpu(), initial_rms[k]) for k in range(runs))
    return RunsResult(mode, net, eps, budget, used_lr, tuple(seeds), classify(net, theta, eps), steps,
                      metrics, str(torch.device(device)), theta.cpu())


@dataclass(frozen=True)
class NoiseLevel:
    """Copies of the fixpoints with noise of scale 10^−d, self-applied for `steps` steps."""

    d: int
    scale: float
    copies: int
    returned: int  # a non-zero fixpoint again after some step 1 … steps
    mean_steps_to_return: float | None  # over the copies that returned
    mean_steps_as_fixpoint: float  # steps after which the copy was a non-zero fixpoint
    mean_steps_to_vergence: float  # first step at which it was zero or divergent (steps if never)
    final: dict[str, int]  # class after `steps` steps

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class NoiseResult(JsonRecord):
    net: SelfRepNet
    fixpoints: int
    trials: int
    steps: int
    eps: float
    seed: int
    levels: tuple[NoiseLevel, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"net": self.net.to_dict(), "fixpoints": self.fixpoints, "trials": self.trials,
                "steps": self.steps, "eps": self.eps, "seed": self.seed,
                "levels": [level.to_dict() for level in self.levels]}



def noise_robustness(net: SelfRepNet, fixpoints: Tensor, trials: int = 100, levels: range = range(10),
                     steps: int = 100, seed: int = 0, eps: float = EPSILON) -> NoiseResult:
    """Add N(0, (10^−d)²) noise to `trials` copies of every fixpoint (F, n) for each d in
    `levels` and self-apply each copy for `steps` steps: when (if ever) it is a non-zero
    fixpoint again, for how many steps it is one, and when it becomes zero or divergent."""
    if fixpoints.dim() != 2 or fixpoints.shape[0] < 1:
        raise ValueError("fixpoints must be a non-empty (F, n) tensor")
    if trials < 1 or steps < 1:
        raise ValueError(f"trials and steps must be at least 1, got {trials} and {steps}")
    copies = fixpoints.shape[0] * trials
    scales = torch.tensor([10.0 ** -d for d in levels], dtype=torch.float64)
    generator = torch.Generator().manual_seed(seed)
    noise = torch.randn(len(scales), copies, fixpoints.shape[1], generator=generator, dtype=torch.float64)
    theta = fixpoints.cpu().double().repeat(trials, 1)[None] + scales[:, None, None] * noise
    theta = theta.reshape(-1, fixpoints.shape[1]).to(fixpoints.device)  # float64: 1e-9 noise survives
    returned_at = torch.full((theta.shape[0],), math.inf, dtype=torch.float64, device=theta.device)
    vergence_at = torch.full_like(returned_at, float(steps))
    as_fixpoint = torch.zeros_like(returned_at)
    with torch.no_grad():
        for step in range(1, steps + 1):
            theta = apply(net, theta, theta)
            codes = class_codes(net, theta, eps)
            fixed = codes == FIXPOINT
            returned_at[fixed & torch.isinf(returned_at)] = step
            as_fixpoint += fixed
            verged = (codes == ZERO) | (codes == DIVERGENT)
            vergence_at[verged & (vergence_at == steps)] = step
    final = class_codes(net, theta, eps).view(len(scales), copies).cpu()
    returned_at, as_fixpoint, vergence_at = (t.view(len(scales), copies).cpu()
                                             for t in (returned_at, as_fixpoint, vergence_at))
    rows = []
    for i, d in enumerate(levels):
        hits = returned_at[i][torch.isfinite(returned_at[i])]
        rows.append(NoiseLevel(d, float(scales[i]), copies, int(hits.numel()),
                               float(hits.mean()) if hits.numel() else None, float(as_fixpoint[i].mean()),
                               float(vergence_at[i].mean()), class_counts(final[i])))
    return NoiseResult(net, fixpoints.shape[0], trials, steps, eps, seed, tuple(rows))

"""Soups of self-replicating nets (Gabor et al. 2022, §2.4 "Artificial chemistry" and §3.4–3.5;
the reference's `Soup.evolve`, NOTES.md).

A soup is a population of P nets of one architecture.  Each generation, every particle i

1. **attacks** with probability `attack_rate` a random particle j: θ_j ← N_i ⊙ θ_j;
2. **learns from** with probability `learn_rate` a random particle j: `learn_severity`
   gradient steps of N_i toward replicating θ_j (the reference fits N_i to j's samples
   ((v, l, c, p) → v), i.e. to j's weights; j may be i itself);
3. **self-trains** for `train` gradient steps;
4. is replaced by a fresh random net if it is divergent (`remove_divergent`) or zero
   (`remove_zero`).

Then every particle is classified (neural.selfrep.dynamics) and the class counts of the
generation recorded.  The reference visits particles one at a time, so a later particle sees
the earlier ones' changes; here each phase is one batched operation on the whole soup
(synchronous update): attackers and teachers use the weights at the start of the phase, and
when several particles attack the same target in one generation the one with the highest
index wins (its write would come last in the reference's loop).  All random draws come from
one generator seeded with `seed`, and the same draws are made every generation whatever the
rates, so a run is reproducible and can be checkpointed and resumed exactly.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import Tensor

from neural.population import CheckpointMismatch, load_checkpoint, resolve_device, save_atomically
from neural.selfrep.dynamics import DIVERGENT, EPSILON, ZERO, class_codes, class_counts, gradient_step
from neural.selfrep.net import SelfRepNet, apply, random_weights
from rsi.records import JsonRecord

CHECKPOINT_VERSION = 1


@dataclass(frozen=True)
class SoupConfig:
    size: int = 10  # particles per soup
    soups: int = 1  # independent soups run side by side in one batch (particles meet only their own)
    generations: int = 100
    attack_rate: float = 0.1
    learn_rate: float = 0.1
    learn_severity: int = 1  # gradient steps per learn-from event
    train: int = 0  # self-training gradient steps per particle and generation
    lr: float = 0.1  # step size of learn-from and self-training
    remove_divergent: bool = False
    remove_zero: bool = False
    eps: float = EPSILON
    seed: int = 0

    def __post_init__(self) -> None:
        for name in ("size", "soups", "generations"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        for name in ("attack_rate", "learn_rate"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be in [0, 1], got {getattr(self, name)}")
        if self.learn_severity < 0 or self.train < 0:
            raise ValueError(f"learn_severity and train must be non-negative, got {self.learn_severity} "
                             f"and {self.train}")
        if not self.lr > 0 or not self.eps > 0:
            raise ValueError(f"lr and eps must be positive, got {self.lr} and {self.eps}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class SoupResult(JsonRecord):
    net: SelfRepNet
    config: SoupConfig
    device: str
    wall_s: float
    counts: tuple[dict[str, int], ...]  # class counts after each generation, all soups together
    final_per_soup: tuple[dict[str, int], ...]
    theta: Tensor = field(repr=False, compare=False)  # final (P, n) weights, on the CPU

    @property
    def final(self) -> dict[str, int]:
        return self.counts[-1]

    def to_dict(self) -> dict[str, Any]:
        return {"net": self.net.to_dict(), "config": self.config.to_dict(), "device": self.device,
                "wall_s": self.wall_s, "final": self.final, "final_per_soup": list(self.final_per_soup),
                "counts": list(self.counts)}



def _partners(config: SoupConfig, rate: float, generator: torch.Generator) -> tuple[Tensor, Tensor]:
    """Which of the S·P particles act this phase, and on whom (a particle of the same soup)."""
    total = config.soups * config.size
    acts = torch.rand(total, generator=generator) < rate
    first_of_soup = torch.arange(total) // config.size * config.size
    return acts, first_of_soup + torch.randint(config.size, (total,), generator=generator)


def generation(net: SelfRepNet, config: SoupConfig, theta: Tensor, generator: torch.Generator) -> Tensor:
    """One generation of the soups θ (S·P, n): attack, learn from, self-train, remove."""
    size, device = theta.shape[0], theta.device
    attacks, targets = (t.to(device) for t in _partners(config, config.attack_rate, generator))
    learns, teachers = (t.to(device) for t in _partners(config, config.learn_rate, generator))
    fresh = random_weights(net, size, generator).to(device=device, dtype=theta.dtype)
    with torch.no_grad():
        winner = torch.full((size,), -1, dtype=torch.long, device=device)
        attacker = torch.arange(size, device=device)[attacks]
        winner.scatter_reduce_(0, targets[attacks], attacker, reduce="amax")
        hit = winner >= 0
        if hit.any():
            theta = theta.clone()
            theta[hit] = apply(net, theta[winner[hit]], theta[hit])
    if learns.any():
        taught = theta[teachers]
        for _ in range(config.learn_severity):
            theta = gradient_step(net, theta, taught, config.lr, learns)
    for _ in range(config.train):
        theta = gradient_step(net, theta, theta, config.lr)
    if config.remove_divergent or config.remove_zero:
        codes = class_codes(net, theta, config.eps)
        dead = ((codes == DIVERGENT) & config.remove_divergent) | ((codes == ZERO) & config.remove_zero)
        theta = torch.where(dead[:, None], fresh, theta)
    return theta


def run_soup(net: SelfRepNet, config: SoupConfig, device: str = "auto", checkpoint: Path | None = None,
             resume: bool = False, on_generation: Callable[[int, int], None] | None = None) -> SoupResult:
    """Seed `config.soups` soups of `config.size` random nets and run them for
    `config.generations` generations, checkpointing (atomically) after each generation when
    `checkpoint` is given."""
    dev = resolve_device(device)
    generator = torch.Generator().manual_seed(config.seed)
    theta = random_weights(net, config.soups * config.size, generator).to(dev)
    counts: list[dict[str, int]] = []
    identity = {"net": net.to_dict(), "config": {k: v for k, v in config.to_dict().items() if k != "generations"}}
    if resume and checkpoint is not None and checkpoint.exists():
        state = load_checkpoint(checkpoint, CHECKPOINT_VERSION)
        if state.get("identity") != identity:
            raise CheckpointMismatch(f"checkpoint {checkpoint} was written by a different soup")
        theta, counts = state["theta"].to(dev), state["counts"]
        if len(counts) > config.generations:
            raise CheckpointMismatch(f"checkpoint {checkpoint} is already past generation {config.generations}")
        generator.set_state(state["generator"])
    started = time.perf_counter()
    for done in range(len(counts) + 1, config.generations + 1):
        theta = generation(net, config, theta, generator)
        counts.append(class_counts(class_codes(net, theta, config.eps)))
        if checkpoint is not None:
            save_atomically(checkpoint, {"version": CHECKPOINT_VERSION, "identity": identity,
                                         "theta": theta.cpu(), "counts": counts,
                                         "generator": generator.get_state()})
        if on_generation is not None:
            on_generation(done, config.generations)
    codes = class_codes(net, theta, config.eps).view(config.soups, config.size)
    return SoupResult(net, config, str(dev), time.perf_counter() - started, tuple(counts),
                      tuple(class_counts(row) for row in codes), theta.cpu())

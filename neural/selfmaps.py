"""Training processes as iterated self-maps θ_{n+1} = F(θ_n), like the P_{i+1} = P_i(-1) of
an RSI chain (Mahoney 2008, section Recursive Self Improvement), each with the control part of
its constructive description D_n (Mahoney 2008, Theorem: the proof's program holds P_1 and n
and iterates P <- P(-1); here it holds the configuration, the seed and n and iterates F).

- `QuineTraining`: a quine net of Chang & Lipson 2018 trained by one of its per-epoch methods:
  `regeneration` (a gradient epoch, then θ_i <- f_θ(i)) or `newton` (one damped Gauss-Newton
  step on 1 - R², `neural.newton`).  θ_n is the flat parameter vector after n epochs.
- `SelfTraining`: a weightwise self-replicating net of Gabor et al. 2022 (§2.3,
  self-training: gradient descent on the mean of (N_θ ⊙ θ - θ)² with θ as data); θ_n its 14
  weights after n full-batch steps, which reach a non-zero fixpoint.

Each process gives its states θ_0 .. θ_N as little-endian float32 bytes with the quine
metrics of each (`neural.metrics`: R², zero-quine flag, ...), the data D_n holds
(`held(n)`: Python literals) and its fixed CONTROL text, which leaves θ_n's bytes in OUTPUT.
Determinism is what makes D_n a description: every random draw comes from seeded generators
(`neural.sampling`), and `neural.complexity.replay_check` runs D_n afresh to confirm it.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any, Protocol

from neural.config import TrainConfig

QUINE_METHODS = {"regeneration": ("neural.methods", "Regeneration"), "newton": ("neural.newton", "Newton")}

QUINE_CONTROL = '''from neural.config import TrainConfig
from {module} import {cls}
from neural.quine import BatchedQuine
from neural.sampling import net_generators

config = TrainConfig.from_dict({{**CONFIG, "seed": SEED}})
model = BatchedQuine(config.quine, DEVICE)
theta = model.init(config.seeds, config.init)
training = {cls}(model, config, theta, net_generators(config.seeds), None)
for _ in range(N):
    training.run_epoch()
OUTPUT = training.theta.detach()[0].cpu().numpy().astype("<f4").tobytes()
'''
"""The control part of D_n for a quine method (it reads CONFIG, SEED, DEVICE and N)."""

SELF_TRAINING_CONTROL = '''from neural.selfrep.dynamics import gradient_step
from neural.selfrep.net import SelfRepNet, init_weights

net = SelfRepNet(**NET)
theta = init_weights(net, [SEED])
for _ in range(N):
    theta = gradient_step(net, theta, theta, LR)
OUTPUT = theta[0].numpy().astype("<f4").tobytes()
'''
"""The control part of D_n for self-training (it reads NET, SEED, LR and N)."""


class SelfMap(Protocol):
    """A deterministic training process θ_{n+1} = F(θ_n) with its constructive description."""

    @property
    def name(self) -> str: ...

    @property
    def seed(self) -> int: ...

    @property
    def control(self) -> str: ...

    def held(self, n: int) -> dict[str, str]: ...

    def states(self, generations: int) -> Iterator[tuple[bytes, dict[str, Any]]]: ...

    def to_dict(self) -> dict[str, Any]: ...


def _float32_bytes(row: Any) -> bytes:
    return bytes(row.detach().cpu().numpy().astype("<f4").tobytes())


@dataclass(frozen=True)
class QuineTraining:
    """A vanilla quine (population 1) trained by `config.method` (regeneration or newton) on
    `device`; D_n replays it on the same device."""

    config: TrainConfig
    device: str = "cpu"

    def __post_init__(self) -> None:
        c = self.config
        if c.method not in QUINE_METHODS or c.quine.task != "vanilla" or c.population != 1:
            raise ValueError(f"a quine training chain needs method {' or '.join(QUINE_METHODS)}, task "
                             f"'vanilla' and population 1, got {c.method!r}, {c.quine.task!r}, {c.population}")
        if self.device not in ("cpu", "cuda"):
            raise ValueError(f"device must be cpu or cuda, got {self.device!r}")

    @property
    def name(self) -> str:
        return self.config.method

    @property
    def seed(self) -> int:
        return self.config.seed

    @property
    def control(self) -> str:
        module, cls = QUINE_METHODS[self.config.method]
        return QUINE_CONTROL.format(module=module, cls=cls)

    def held(self, n: int) -> dict[str, str]:
        """CONFIG (without the seed and the epoch budget, which the epochs do not read), SEED,
        DEVICE and N."""
        settings = self.config.to_dict()
        settings.pop("seed")
        settings.pop("epochs")
        return {"CONFIG": json.dumps(settings, sort_keys=True), "SEED": str(self.config.seed),
                "DEVICE": repr(self.device), "N": str(n)}

    def states(self, generations: int) -> Iterator[tuple[bytes, dict[str, Any]]]:
        from neural.population import trajectory

        config = replace(self.config, epochs=max(generations, 1))
        for n, (weights, found) in enumerate(trajectory(config, self.device, generations)):
            yield _float32_bytes(weights[0]), {**found[0].to_dict(), "step": n}

    def to_dict(self) -> dict[str, Any]:
        return {"process": self.name, "device": self.device, "config": self.config.to_dict()}


@dataclass(frozen=True)
class SelfTraining:
    """Self-training of the weightwise net `net` (Gabor et al.'s 4 -> 2 -> 2 -> 1 by default)
    from the weights of `seed`, learning rate `lr`, on the CPU; the metrics of θ_n are those
    of θ_n against N_θn ⊙ θ_n, with its fixpoint class."""

    seed: int = 0
    lr: float = 0.1
    net: Any = None  # neural.selfrep.net.SelfRepNet; None: the paper's weightwise net

    name = "self-training"

    def __post_init__(self) -> None:
        from neural.selfrep.net import SelfRepNet

        if self.net is None:
            object.__setattr__(self, "net", SelfRepNet())
        if not self.lr > 0:
            raise ValueError(f"lr must be positive, got {self.lr}")

    @property
    def control(self) -> str:
        return SELF_TRAINING_CONTROL

    def held(self, n: int) -> dict[str, str]:
        return {"NET": json.dumps(self.net.to_dict(), sort_keys=True), "SEED": str(self.seed),
                "LR": repr(float(self.lr)), "N": str(n)}

    def states(self, generations: int) -> Iterator[tuple[bytes, dict[str, Any]]]:
        from neural.metrics import quine_metrics, rms_of
        from neural.selfrep.dynamics import classify, gradient_step
        from neural.selfrep.net import apply, init_weights

        theta = init_weights(self.net, [self.seed])
        (initial_rms,) = rms_of(theta)
        for n in range(generations + 1):
            if n:
                theta = gradient_step(self.net, theta, theta, self.lr)
            image = apply(self.net, theta, theta).detach()
            found = quine_metrics(theta[0], image[0], initial_rms).to_dict()
            yield _float32_bytes(theta[0]), {**found, "step": n, "class": classify(self.net, theta)[0]}

    def to_dict(self) -> dict[str, Any]:
        return {"process": self.name, "device": "cpu", "net": self.net.to_dict(), "seed": self.seed, "lr": self.lr}

"""Self-replicating networks: weightwise and aggregating application (Gabor et al. 2022, §2.2,
Reductions 1 and 2; papers/gabor-2022-self-replication-in-neural-networks.txt, NOTES.md).

A net N and a target M share one architecture; N ⊙ M is the net whose weights N computes from
M's weights.  Weights live in a flat θ: layer by layer, each layer's (out, in) matrix row by
row, so weight i of layer l is the one from input `position` into the cell it leads into.

- **Weightwise** (Reduction 1): N: R⁴ → R is applied to every weight v_i of M with input
  (v_i, l(i), c(i), p(i)): layer, cell the weight leads into, and position among that cell's
  weights, each divided by its largest value (0 when there is only one).  The paper's net is
  4 → 2 → 2 → 1, linear, no bias: 14 weights.  (The 2019 Keras code enumerated its (in, out)
  kernels, so its "cell" was the source unit; we follow the paper's text.)
- **Aggregating** (Reduction 2): θ_M is cut into a consecutive chunks of ⌊|θ|/a⌋ weights (the
  last chunk takes the leftovers), each chunk is aggregated (mean or max), N: Rᵃ → Rᵃ maps the
  a values, and each output is repeated over its chunk.

All application is batched tensor work: K nets applied to K targets (or one net broadcast over
K targets) is a few batched matrix products, never a loop over weights.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import torch
from torch import Tensor

KINDS = ("weightwise", "aggregating")
AGGREGATORS = ("mean", "max")
ACTIVATIONS = {"linear": lambda x: x, "sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu}
INITS = ("glorot", "pytorch")


@dataclass(frozen=True)
class SelfRepNet:
    """Architecture of a self-replicating net: inputs → width (× depth layers) → outputs, no bias."""

    kind: str = "weightwise"
    width: int = 2  # units of every hidden layer
    depth: int = 2  # hidden layers; the paper's 4 → 2 → 2 → 1 is width 2, depth 2
    aggregates: int = 4  # aggregating only: a, the size of the aggregated vector
    aggregator: str = "mean"  # aggregating only: how a chunk becomes one value
    activation: str = "linear"
    init: str = "glorot"  # glorot: Keras' default (the paper's 2019 code); pytorch: nn.Linear's

    def __post_init__(self) -> None:
        for name, allowed in (("kind", KINDS), ("aggregator", AGGREGATORS),
                              ("activation", tuple(ACTIVATIONS)), ("init", INITS)):
            if getattr(self, name) not in allowed:
                raise ValueError(f"{name} must be one of {', '.join(allowed)}, got {getattr(self, name)!r}")
        if self.width < 1 or self.depth < 1:
            raise ValueError(f"width and depth must be at least 1, got {self.width} and {self.depth}")
        if self.kind == "aggregating" and not 1 <= self.aggregates <= self.n_weights:
            raise ValueError(f"aggregates must be in [1, {self.n_weights}], got {self.aggregates}")

    @property
    def n_inputs(self) -> int:
        return 4 if self.kind == "weightwise" else self.aggregates

    @property
    def n_outputs(self) -> int:
        return 1 if self.kind == "weightwise" else self.aggregates

    @property
    def layer_shapes(self) -> tuple[tuple[int, int], ...]:
        """(out, in) of every layer, input layer first."""
        sizes = [self.n_inputs] + [self.width] * self.depth + [self.n_outputs]
        return tuple((sizes[i + 1], sizes[i]) for i in range(len(sizes) - 1))

    @property
    def n_weights(self) -> int:
        return sum(out * inp for out, inp in self.layer_shapes)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def weightwise_positions(net: SelfRepNet) -> Tensor:
    """(n, 3): normalised layer, cell and position of every weight of θ (Reduction 1)."""
    def normalised(index: int, largest: int) -> float:
        return index / largest if largest > 0 else 0.0

    last_layer = len(net.layer_shapes) - 1
    rows = [(normalised(layer, last_layer), normalised(cell, out - 1), normalised(pos, inp - 1))
            for layer, (out, inp) in enumerate(net.layer_shapes)
            for cell in range(out) for pos in range(inp)]
    return torch.tensor(rows)


def chunk_index(n: int, aggregates: int) -> Tensor:
    """(n,): the chunk of each weight; chunks of ⌊n/a⌋, the last one takes the leftovers."""
    size = n // aggregates
    return torch.clamp(torch.arange(n) // size, max=aggregates - 1)


def random_weights(net: SelfRepNet, count: int, generator: torch.Generator) -> Tensor:
    """(count, n) weights drawn from `generator`: uniform in ±√(6/(in+out)) per layer (glorot)
    or ±1/√in (pytorch)."""
    parts = []
    for out, inp in net.layer_shapes:
        bound = math.sqrt(6.0 / (inp + out)) if net.init == "glorot" else 1.0 / math.sqrt(inp)
        parts.append((torch.rand(count, out * inp, generator=generator) * 2 - 1) * bound)
    return torch.cat(parts, dim=1)


def init_weights(net: SelfRepNet, seeds: list[int]) -> Tensor:
    """(K, n) initial weights, net k from its own generator seeded with seeds[k] (so a net is
    the same whether it starts alone or in a batch)."""
    return torch.cat([random_weights(net, 1, torch.Generator().manual_seed(s)) for s in seeds])


def forward(net: SelfRepNet, theta: Tensor, x: Tensor) -> Tensor:
    """Outputs (K, B, outputs) of K nets θ (K, n) on inputs x (K, B, inputs)."""
    act = ACTIVATIONS[net.activation]
    start = 0
    for out, inp in net.layer_shapes:
        weight = theta[:, start: start + out * inp].reshape(-1, out, inp)
        x = act(x @ weight.transpose(1, 2))
        start += out * inp
    return x


def weightwise_inputs(net: SelfRepNet, targets: Tensor) -> Tensor:
    """(K, n, 4): each target weight's value beside its normalised layer, cell and position."""
    positions = weightwise_positions(net).to(device=targets.device, dtype=targets.dtype)
    return torch.cat([targets[..., None], positions.expand(*targets.shape, 3)], dim=-1)


def aggregate(net: SelfRepNet, targets: Tensor) -> Tensor:
    """(K, a): the chunk aggregates of K targets (K, n)."""
    index = chunk_index(net.n_weights, net.aggregates).to(targets.device).expand_as(targets)
    out = targets.new_zeros(targets.shape[0], net.aggregates)
    if net.aggregator == "mean":
        sums = out.scatter_add(1, index, targets)
        return sums / torch.bincount(index[0], minlength=net.aggregates).to(targets.dtype)
    return out.scatter_reduce(1, index, targets, reduce="amax", include_self=False)


def apply(net: SelfRepNet, nets: Tensor, targets: Tensor) -> Tensor:
    """N_k ⊙ M_k for every k: new weights (K, n).  `nets` (K, n) or (1, n) broadcast over K targets."""
    if nets.shape[-1] != net.n_weights or targets.shape[-1] != net.n_weights:
        raise ValueError(f"{net.kind} nets of this shape have {net.n_weights} weights, got "
                         f"{nets.shape[-1]} and {targets.shape[-1]}")
    nets = nets.expand(targets.shape[0], -1)
    if net.kind == "weightwise":
        return forward(net, nets, weightwise_inputs(net, targets)).squeeze(-1)
    mapped = forward(net, nets, aggregate(net, targets)[:, None, :]).squeeze(1)
    return mapped[:, chunk_index(net.n_weights, net.aggregates).to(targets.device)]

"""Quine nets in plain PyTorch (Chang & Lipson 2018, "Neural Network Quines", §3; the seed blog).

`QuineNet` is an ordinary `nn.Module`: `forward(coords)` predicts the value of the parameters
at those coordinates; `forward(images, task="classify")` gives class logits (auxiliary quine
and solo classifier).  The fixed coordinate and image maps are buffers, never trained.

Training works on a *flat* parameter vector θ of length m whose first n entries are the
predicted parameters (`ParamLayout`); `BatchedQuine` evaluates K nets at once with
`torch.func.functional_call` + `vmap` over a stacked θ of shape (K, m).
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import Tensor, nn
from torch.func import functional_call, vmap

from neural.config import IMAGE_PIXELS, N_CLASSES, QuineConfig

_ACTIVATIONS: dict[str, Callable[[Tensor], Tensor]] = {
    "selu": nn.functional.selu, "relu": nn.functional.relu, "tanh": torch.tanh, "linear": lambda x: x}


def predicted_count(config: QuineConfig) -> int:
    """n: how many parameters the quine predicts (rows of its coordinate map)."""
    hidden = config.width * config.width * (config.hidden_layers - 1)
    first = config.width * config.width
    if config.predict == "hidden":
        return first + hidden
    heads = config.width * (1 + (N_CLASSES if config.classifies else 0))
    return first + hidden + heads


class QuineNet(nn.Module):
    """Fixed coordinate map → `hidden_layers` width×width layers (no bias) → 1 (and → 10)."""

    coordinate_map: Tensor  # buffers, registered in __init__
    image_map: Tensor
    act: Callable[[Tensor], Tensor]

    def __init__(self, config: QuineConfig):
        super().__init__()
        self.config = config
        maps = torch.Generator().manual_seed(config.map_seed)
        n = predicted_count(config)
        self.register_buffer("coordinate_map", torch.randn(n, config.coordinate_units, generator=maps))
        if config.classifies and config.image_units:
            projection = torch.randn(IMAGE_PIXELS, config.image_units, generator=maps) / math.sqrt(IMAGE_PIXELS)
            self.register_buffer("image_map", projection)
        self.hidden = nn.ModuleList(nn.Linear(config.width, config.width, bias=False)
                                    for _ in range(config.hidden_layers))
        self.output = nn.Linear(config.width, 1, bias=False)
        if config.classifies:
            self.class_output = nn.Linear(config.width, N_CLASSES, bias=False)
        self.act = _ACTIVATIONS[config.activation]

    def _trunk(self, x: Tensor) -> Tensor:
        for layer in self.hidden:
            x = self.act(layer(x))
        return x

    def forward(self, inputs: Tensor, task: str = "replicate") -> Tensor:
        c = self.config
        if task == "replicate":
            x = nn.functional.embedding(inputs, self.coordinate_map)
            if c.coordinate_units < c.width:
                x = torch.cat([x, x.new_zeros(*x.shape[:-1], c.width - c.coordinate_units)], -1)
            return self.output(self._trunk(x)).squeeze(-1)
        if task == "classify":
            if c.image_units:
                x = inputs @ self.image_map
                x = torch.cat([x.new_zeros(*x.shape[:-1], c.coordinate_units), x], -1)
            else:
                x = inputs
            return self.class_output(self._trunk(x))
        raise ValueError(f"task must be 'replicate' or 'classify', got {task!r}")


@dataclass(frozen=True)
class ParamLayout:
    """Where each trainable tensor lives in the flat θ; predicted ones come first."""

    names: tuple[str, ...]
    shapes: tuple[tuple[int, ...], ...]
    n_predicted: int

    @classmethod
    def of(cls, net: QuineNet) -> ParamLayout:
        params = dict(net.named_parameters())
        hidden = [f"hidden.{i}.weight" for i in range(net.config.hidden_layers)]
        heads = ["output.weight"] + (["class_output.weight"] if net.config.classifies else [])
        names = hidden + heads
        n_predicted = predicted_count(net.config)
        assert sorted(names) == sorted(params), "layout must cover every trainable parameter"
        return cls(tuple(names), tuple(tuple(params[k].shape) for k in names), n_predicted)

    @property
    def sizes(self) -> tuple[int, ...]:
        return tuple(math.prod(s) for s in self.shapes)

    @property
    def size(self) -> int:
        return sum(self.sizes)

    def unflatten(self, theta: Tensor) -> dict[str, Tensor]:
        parts = torch.split(theta, list(self.sizes), dim=-1)
        return {name: part.reshape(*theta.shape[:-1], *shape)
                for name, part, shape in zip(self.names, parts, self.shapes, strict=False)}

    def flatten(self, params: dict[str, Tensor]) -> Tensor:
        return torch.cat([params[name].reshape(-1) for name in self.names])


INITS = ("pytorch", "he")


def init_theta(layout: ParamLayout, seed: int, scheme: str) -> Tensor:
    """One flat θ from its own generator: ``pytorch`` is `nn.Linear`'s default
    U(−1/√fan_in, 1/√fan_in) (what the papers' code used); ``he`` is Kaiming normal N(0, 2/fan_in)."""
    if scheme not in INITS:
        raise ValueError(f"init must be one of {', '.join(INITS)}, got {scheme!r}")
    generator = torch.Generator().manual_seed(seed)
    parts = []
    for shape in layout.shapes:
        size, fan_in = math.prod(shape), shape[-1]
        if scheme == "he":
            parts.append(torch.randn(size, generator=generator) * math.sqrt(2.0 / fan_in))
        else:
            parts.append((torch.rand(size, generator=generator) * 2 - 1) / math.sqrt(fan_in))
    return torch.cat(parts)


class BatchedQuine:
    """K quine nets of one config evaluated at once: θ has shape (K, m)."""

    def __init__(self, config: QuineConfig, device: torch.device | str = "cpu"):
        self.config = config
        self.net = QuineNet(config).to(device)
        self.layout = ParamLayout.of(self.net)
        self.device = torch.device(device)
        self.n = self.layout.n_predicted
        self.m = self.layout.size
        self.all_coords = torch.arange(self.n, device=self.device)

    def init(self, seeds: list[int], scheme: str = "pytorch") -> Tensor:
        return torch.stack([init_theta(self.layout, s, scheme) for s in seeds]).to(self.device)

    def _replicate_one(self, theta: Tensor, coords: Tensor) -> Tensor:
        return functional_call(self.net, self.layout.unflatten(theta), (coords,))

    def _classify_one(self, theta: Tensor, images: Tensor) -> Tensor:
        return functional_call(self.net, self.layout.unflatten(theta), (images,), {"task": "classify"})

    def predict(self, theta: Tensor, coords: Tensor | None = None) -> Tensor:
        """Predictions (K, B) at coords (K, B) per net, (B,) shared, or all n coordinates."""
        coords = self.all_coords if coords is None else coords
        in_dims = (0, 0 if coords.dim() == 2 else None)
        return vmap(self._replicate_one, in_dims=in_dims)(theta, coords)

    def logits(self, theta: Tensor, images: Tensor) -> Tensor:
        """Class logits (K, B, 10) for images (K, B, 64) per net or (B, 64) shared."""
        in_dims = (0, 0 if images.dim() == 3 else None)
        return vmap(self._classify_one, in_dims=in_dims)(theta, images)

    def predicted(self, theta: Tensor) -> Tensor:
        """The predicted part θ[:, :n] (the quine's targets, live)."""
        return theta[..., : self.n]

    def predict_all(self, theta: Tensor, chunk: int = 4096) -> Tensor:
        """Predictions at all n coordinates, in chunks of coordinates to bound memory."""
        return torch.cat([self.predict(theta, self.all_coords[i: i + chunk])
                          for i in range(0, self.n, chunk)], dim=-1)

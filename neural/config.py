"""Configuration of neural quines (Chang & Lipson 2018; the seed blog, papers/neural-quine-blog.txt).

A quine net maps the coordinate i of one of its own parameters to a prediction of that
parameter's value.  The coordinate enters through a *fixed* random map (Chang & Lipson's
random projection of the one-hot coordinate; the blog's `Embedding(n, width)` is the same
thing once frozen: a trainable embedding would let the net store its weights outside the
predicted set, so we never train it).  Two presets:

- ``chang-lipson``: width 100, two 100×100 layers, SELU, no bias, 100→1; every trainable
  parameter is predicted (10,000 + 10,000 + 100 = 20,100).
- ``blog``: `Embedding(10000, 100) → Linear(100, 100) → Linear(100, 1)`; as in the blog the
  predicted set is the hidden layer (100 × 100 = 10,000 = the embedding's rows); the output
  layer is trained but not predicted.  The auxiliary blog net has width 64 and reads the
  8×8 image directly as its 64-unit input.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any, Literal

ARCHS = ("chang-lipson", "blog")
ACTIVATIONS = ("selu", "relu", "tanh", "linear")
METHODS = ("gradient", "regeneration", "evolution", "newton")
OPTIMIZERS = ("adam", "adamax")
TASKS = ("vanilla", "auxiliary", "solo")
IMAGE_PIXELS = 64  # sklearn's load_digits: 8 × 8
N_CLASSES = 10


@dataclass(frozen=True)
class QuineConfig:
    """Shape of one quine net."""

    arch: str = "chang-lipson"
    width: int = 100  # units of every hidden layer (and of the coordinate map)
    hidden_layers: int = 2  # number of width × width layers
    activation: str = "selu"
    predict: Literal["all", "hidden"] = "all"  # which trainable parameters are predicted
    task: str = "vanilla"  # vanilla: replicate only; auxiliary: also classify digits; solo: classify only
    image_units: int = 50  # auxiliary input units fed by a fixed projection of the image; 0: raw pixels
    map_seed: int = 0  # seed of the fixed coordinate/image maps (shared by a population)

    def __post_init__(self) -> None:
        if self.arch not in ARCHS:
            raise ValueError(f"arch must be one of {', '.join(ARCHS)}, got {self.arch!r}")
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}, got {self.activation!r}")
        if self.task not in TASKS:
            raise ValueError(f"task must be one of {', '.join(TASKS)}, got {self.task!r}")
        if self.width < 1 or self.hidden_layers < 1:
            raise ValueError("width and hidden_layers must be at least 1")
        if self.classifies and self.image_units == 0 and self.width != IMAGE_PIXELS:
            raise ValueError(f"raw-pixel input needs width {IMAGE_PIXELS}, got {self.width}")
        if self.classifies and not 0 <= self.image_units < self.width:
            raise ValueError(f"image_units must be in [0, width), got {self.image_units}")

    @property
    def classifies(self) -> bool:
        return self.task in ("auxiliary", "solo")

    @property
    def coordinate_units(self) -> int:
        """Input units fed by the coordinate map (the rest are fed by the image map)."""
        return self.width - self.image_units if self.classifies and self.image_units else self.width

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def preset(arch: str, task: str = "vanilla", width: int | None = None) -> QuineConfig:
    """The named architecture for a task; `width` overrides the preset (tiny nets in tests)."""
    if arch == "chang-lipson":
        config = QuineConfig(arch=arch, width=100, hidden_layers=2, activation="selu",
                             predict="all", task=task, image_units=50)
    elif arch == "blog":
        blog_width = 64 if task != "vanilla" else 100
        config = QuineConfig(arch=arch, width=blog_width, hidden_layers=1, activation="relu",
                             predict="hidden", task=task, image_units=0)
    else:
        raise ValueError(f"arch must be one of {', '.join(ARCHS)}, got {arch!r}")
    if width is not None:
        image_units = config.image_units and width // 2
        config = replace(config, width=width, image_units=image_units)
    return config


@dataclass(frozen=True)
class TrainConfig:
    """One training run of a population of K quines (seeds seed, seed+1, …, seed+K−1)."""

    quine: QuineConfig = QuineConfig()
    method: str = "gradient"
    epochs: int = 10
    population: int = 1
    seed: int = 0
    optimizer: str = "adamax"  # gradient and regeneration; Chang & Lipson used Adamax
    lr: float = 1e-3
    init: str = ""  # "pytorch" or "he"; empty: he for newton (NOTES.md), pytorch for the papers' methods
    batch_size: int = 256  # coordinates per gradient step
    image_batch: int = 64  # images per step for auxiliary and solo
    aux_lambda: float = 0.01  # loss = MSE of self-replication + λ · cross-entropy
    es_pairs: int = 8  # evolution: antithetic pairs per generation and model
    es_sigma: float = 0.02  # evolution: perturbation scale
    cg_iterations: int = 30  # newton: conjugate-gradient iterations per step
    damping: float = 1.0  # newton: initial Levenberg–Marquardt damping

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"method must be one of {', '.join(METHODS)}, got {self.method!r}")
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {', '.join(OPTIMIZERS)}, got {self.optimizer!r}")
        for name in ("epochs", "population", "batch_size", "image_batch", "es_pairs", "cg_iterations"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        for name in ("lr", "es_sigma", "damping"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)}")
        if not self.init:
            object.__setattr__(self, "init", "he" if self.method == "newton" else "pytorch")
        if self.init not in ("pytorch", "he"):
            raise ValueError(f"init must be pytorch or he, got {self.init!r}")
        if self.aux_lambda < 0:
            raise ValueError(f"aux_lambda must be non-negative, got {self.aux_lambda}")
        if self.quine.task == "solo" and self.method != "gradient":
            raise ValueError("the solo classifier is trained with method 'gradient' only")
        if self.method == "newton" and self.quine.task != "vanilla":
            raise ValueError("method 'newton' trains vanilla quines only")

    @property
    def seeds(self) -> list[int]:
        return [self.seed + k for k in range(self.population)]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainConfig:
        return cls(**{**data, "quine": QuineConfig(**data["quine"])})

"""The procedural code-refinement dataset of DeepPhoenix (Sheng, "An Initial Look at
Self-Reprogramming Artificial Intelligence", section 3 and Table 1).

A *model source* is a short Python text that defines the design parameters of a T5
encoder-decoder and, when executed (only ever in the sandbox, see `neural.phoenix.sandbox`),
prints them as one JSON object:

    import json
    config = {"d_model": 512}
    config["num_layers"] = 2
    ...
    config["d_kv"] = config["d_model"] // config["num_heads"]
    print(json.dumps(config))

The paper's sources call `transformers` directly; ours print the configuration instead, so a
candidate can be executed where torch cannot be imported (the sandboxed interpreter refuses
ctypes, which torch needs) and the host builds the model from the validated numbers only.

Sampling follows section 3: encoder and decoder depth uniform in 1..8, heads in 1..16,
feed-forward width in 64..4096, key/value width = model width // heads (computed by the source
itself).  A refinement changes one of the four parameters, chosen uniformly: a depth or the
head count by +1 or -1 (the other sign when the first would leave the range), or the
feed-forward width by a factor 1 +- p/100 with p uniform in 1..50 (rounded, at least 1).
The model width is fixed per dataset (the width of the model being trained).
"""
from __future__ import annotations

import random
from dataclasses import asdict, dataclass, replace

DEPTH_RANGE = (1, 8)
HEADS_RANGE = (1, 16)
D_FF_RANGE = (64, 4096)
PERCENT_RANGE = (1, 50)
REFINED_PARAMETERS = ("num_layers", "num_decoder_layers", "num_heads", "d_ff")


@dataclass(frozen=True)
class ModelSpec:
    """The design parameters a model source sets (d_kv is derived: d_model // num_heads)."""

    d_model: int = 512  # codet5-small's width, as in the paper
    num_layers: int = 2  # encoder depth (the paper's initial model: 2)
    num_decoder_layers: int = 2  # decoder depth (initial: 2)
    num_heads: int = 8  # attention heads (codet5-small: 8)
    d_ff: int = 1024  # feed-forward width (initial: 1024)

    def source(self) -> str:
        """The model source text that defines this model (see the module docstring)."""
        return (
            "import json\n"
            f'config = {{"d_model": {self.d_model}}}\n'
            f'config["num_layers"] = {self.num_layers}\n'
            f'config["num_decoder_layers"] = {self.num_decoder_layers}\n'
            f'config["num_heads"] = {self.num_heads}\n'
            f'config["d_ff"] = {self.d_ff}\n'
            'config["d_kv"] = config["d_model"] // config["num_heads"]\n'
            "print(json.dumps(config))\n"
        )

    def to_dict(self) -> dict[str, int]:
        return asdict(self)


def sample_spec(rng: random.Random, d_model: int) -> ModelSpec:
    """An unrefined model: depths, heads and feed-forward width uniform in the paper's ranges."""
    return ModelSpec(
        d_model=d_model,
        num_layers=rng.randint(*DEPTH_RANGE),
        num_decoder_layers=rng.randint(*DEPTH_RANGE),
        num_heads=rng.randint(*HEADS_RANGE),
        d_ff=rng.randint(*D_FF_RANGE),
    )


def refine(spec: ModelSpec, rng: random.Random) -> ModelSpec:
    """The same model with one design parameter changed (section 3, see the module docstring)."""
    name = rng.choice(REFINED_PARAMETERS)
    old = getattr(spec, name)
    if name == "d_ff":
        percent = rng.randint(*PERCENT_RANGE)
        sign = rng.choice((1, -1))
        return replace(spec, d_ff=max(1, round(old * (1 + sign * percent / 100))))
    low, high = HEADS_RANGE if name == "num_heads" else DEPTH_RANGE
    step = rng.choice((1, -1))
    if not low <= old + step <= high:
        step = -step
    return replace(spec, **{name: old + step})


@dataclass(frozen=True)
class RefinementPair:
    """One training example: the unrefined source (input) and its refinement (label)."""

    unrefined: str
    refined: str


def make_dataset(size: int, seed: int, d_model: int) -> tuple[RefinementPair, ...]:
    """`size` refinement pairs drawn from random.Random(seed), all with model width d_model."""
    if size < 1:
        raise ValueError(f"size must be at least 1, got {size}")
    rng = random.Random(seed)
    pairs = []
    for _ in range(size):
        spec = sample_spec(rng, d_model)
        pairs.append(RefinementPair(spec.source(), refine(spec, rng).source()))
    return tuple(pairs)

"""The registry of experiments a sweep can run: name -> (function, parameter schema).

Each `Experiment` names its function as "module:function" (imported lazily, in the worker that
runs the task, so this module imports nothing of quines_text or neural) and declares its
parameters as data: type, default, allowed values or minimum.  `Experiment.validate` turns a
spec's parameters into the complete, typed set the function receives (defaults filled in),
then asks the experiment's own configuration to check them (`check`), so a bad value is a
one-line error before any task starts.  The function is called as `function(seed=seed,
**params)` (without `seed` for deterministic experiments) and returns a JSON-able dict of
metrics that never includes wall time (the sweep measures that itself).
"""
from __future__ import annotations

import importlib
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class SpecError(ValueError):
    """A sweep spec the user must fix: unknown experiment or parameter, bad value, bad file."""


def resolve(target: str) -> Callable[..., Any]:
    """The function named by "module:function"."""
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


@dataclass(frozen=True)
class Param:
    """One parameter: `kind` is int, float, str, bool or Path (a file, resolved against the
    spec's folder and stored as an absolute path); `default` None means "not set"."""

    name: str
    kind: type
    default: Any
    help: str
    choices: tuple[Any, ...] = ()
    minimum: float | None = None

    def coerce(self, value: Any, base: Path) -> Any:
        """`value` as this parameter's JSON-able value, or SpecError naming the parameter."""
        if value is None:
            return None
        if self.kind is Path:
            value = self._typed(value, str)
            path = (base / value).resolve()
            if not path.is_file():
                raise SpecError(f"parameter {self.name!r}: no file {path}")
            return str(path)
        value = self._typed(value, self.kind)
        if self.choices and value not in self.choices:
            raise SpecError(f"parameter {self.name!r} must be one of "
                            f"{', '.join(map(str, self.choices))}, got {value!r}")
        if self.minimum is not None and not value >= self.minimum:
            raise SpecError(f"parameter {self.name!r} must be >= {self.minimum}, got {value!r}")
        return value

    def _typed(self, value: Any, kind: type) -> Any:
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise SpecError(f"parameter {self.name!r} must be {kind.__name__}, got {value!r}")
        if isinstance(value, float) and not math.isfinite(value):
            raise SpecError(f"parameter {self.name!r} must be finite, got {value!r}")
        return value


@dataclass(frozen=True)
class Experiment:
    """A sweepable experiment.  `seeded`: whether its result depends on a seed (a
    deterministic one takes none).  `headline`: the metrics the summary table shows.
    `check`: "module:function" called with the complete parameters; raises ValueError."""

    name: str
    function: str
    params: tuple[Param, ...]
    seeded: bool
    headline: tuple[str, ...]
    summary: str
    check: str | None = None

    def validate(self, given: dict[str, Any], base: Path) -> dict[str, Any]:
        """The complete parameters for `given` (defaults filled in), or SpecError."""
        known = {param.name: param for param in self.params}
        unknown = sorted(set(given) - set(known))
        if unknown:
            raise SpecError(f"experiment {self.name!r} has no parameter {unknown[0]!r}; "
                            f"parameters: {', '.join(known)}")
        params = {name: param.coerce(given.get(name, param.default), base)
                  for name, param in known.items()}
        if self.check is not None:
            try:
                resolve(self.check)(**params)
            except ValueError as error:
                raise SpecError(f"experiment {self.name!r}: {error}") from None
        return params


_GOALS = ("none", "identity", "prime")

EXPERIMENTS: dict[str, Experiment] = {
    "chain": Experiment(
        name="chain",
        function="rsi.app.sweep.jobs:chain",
        summary="RSI chain P_1 .. P_n (quines_text.chain.run_chain), as `rsi chain`",
        seeded=False,
        headline=("holds", "links", "constructive_verified", "fit_b"),
        check="rsi.app.sweep.jobs:check_chain",
        params=(
            Param("lang", str, None, "machine (default: from the file's extension, else python)"),
            Param("n", int, 3, "number of programs P_1 .. P_n", minimum=1),
            Param("file", Path, None, "P_1 from this file (default: the successor template of lang)"),
            Param("start", int, 1, "marked integer n of the template's P_1", minimum=1),
            Param("goal", str, "none", "check P_i improves on P_(i-1) for this goal", choices=_GOALS),
            Param("horizon", int, 16, "times t = 0 .. T for improvement", minimum=0),
            Param("probe", int, 1000, "t0 of the reported value P_i(t0)", minimum=0),
        ),
    ),
    "neural": Experiment(
        name="neural",
        function="rsi.app.sweep.jobs:neural",
        summary="one neural quine trained on the CPU (neural.population.train), as `rsi neural train`",
        seeded=True,
        headline=("r2", "mse", "zero_quine", "accuracy"),
        check="rsi.app.sweep.jobs:neural_config",
        params=(
            Param("arch", str, "chang-lipson", "architecture preset", choices=("chang-lipson", "blog")),
            Param("task", str, "vanilla", "vanilla, auxiliary or solo",
                  choices=("vanilla", "auxiliary", "solo")),
            Param("width", int, None, "override the preset's width (tiny nets)", minimum=1),
            Param("method", str, "gradient", "training method"),
            Param("epochs", int, 10, "training epochs", minimum=1),
            Param("lr", float, 1e-3, "learning rate"),
            Param("optimizer", str, "adamax", "adam or adamax"),
            Param("init", str, "", "pytorch or he (empty: the method's default)"),
            Param("batch_size", int, 256, "coordinates per gradient step", minimum=1),
            Param("aux_lambda", float, 0.01, "weight of the classification loss", minimum=0),
        ),
    ),
    "soup": Experiment(
        name="soup",
        function="rsi.app.sweep.jobs:soup",
        summary="a Computational Life soup of BFF programs (quines_text.soup.run.run_soup), as `rsi soup run`",
        seeded=True,
        headline=("high_order_entropy", "distinct_programs", "transition_epoch", "copy_fraction", "copied_span"),
        check="rsi.app.sweep.jobs:soup_config",
        params=(
            Param("programs", int, 1024, "soup size (even)", minimum=2),
            Param("epochs", int, 64, "epochs to run", minimum=0),
            Param("variant", str, "bff", "bff or bff_noheads", choices=("bff", "bff_noheads")),
            Param("mutation_rate", float, 1 / (256 * 16), "per byte per epoch", minimum=0),
            Param("max_steps", int, 2**13, "steps per interaction", minimum=0),
            Param("metrics_every", int, 64, "epochs between entropy measurements", minimum=1),
        ),
    ),
}


def experiment_named(name: str, registry: dict[str, Experiment] = EXPERIMENTS) -> Experiment:
    """The registered experiment `name`, or SpecError listing the known ones."""
    if name not in registry:
        raise SpecError(f"unknown experiment {name!r}; experiments: {', '.join(sorted(registry))}")
    return registry[name]

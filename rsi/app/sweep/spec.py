"""Sweep specs (TOML) and their expansion into tasks.

A spec names one registered experiment, fixed parameters, a grid and seeds::

    name = "tiny soups"            # optional, for the summary
    experiment = "soup"            # a key of rsi.app.sweep.experiments.EXPERIMENTS
    seeds = [0, 1]                 # a list, or N for 0 .. N-1; default [0]; none for
                                   # deterministic experiments (chain)
    [params]                       # the same value for every task
    programs = 64
    [grid]                         # every combination of these lists
    epochs = [8, 16]

Tasks are the grid's combinations in the spec's key order, seeds innermost.  A task's id is
a stable hash of (experiment, complete parameters, seed): the same spec gives the same ids
on any machine and executor, which is what `--resume` matches finished rows on.
"""
from __future__ import annotations

import hashlib
import itertools
import json
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rsi.app.sweep.experiments import EXPERIMENTS, Experiment, SpecError, experiment_named

SPEC_KEYS = ("name", "experiment", "seeds", "params", "grid")


def task_id(experiment: str, params: dict[str, Any], seed: int | None) -> str:
    """16 hex digits of SHA-256 over the canonical JSON of (experiment, params, seed)."""
    canonical = json.dumps([experiment, params, seed], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Task:
    """One run of an experiment: `function` ("module:function") called with params and seed."""

    id: str
    experiment: str
    function: str
    params: dict[str, Any]
    seed: int | None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "experiment": self.experiment, "params": self.params, "seed": self.seed}


@dataclass(frozen=True)
class SweepSpec:
    """A parsed spec: `tasks` in order; `varied` the grid's parameter names."""

    name: str
    experiment: str
    seeds: tuple[int, ...] | None
    varied: tuple[str, ...]
    tasks: tuple[Task, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "experiment": self.experiment,
                "seeds": None if self.seeds is None else list(self.seeds),
                "varied": list(self.varied), "tasks": len(self.tasks)}


def load_spec(path: Path, registry: dict[str, Experiment] = EXPERIMENTS) -> SweepSpec:
    """The spec in the TOML file `path` (relative file parameters resolve against its folder)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SpecError(f"spec not found: {path}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise SpecError(f"cannot read spec {path}: {error}") from None
    except tomllib.TOMLDecodeError as error:
        raise SpecError(f"spec {path} is not valid TOML: {error}") from None
    return parse_spec(data, path.parent, default_name=path.stem, registry=registry)


def _seeds(value: Any, experiment: Experiment) -> tuple[int, ...] | None:
    if not experiment.seeded:
        if value is not None:
            raise SpecError(f"experiment {experiment.name!r} is deterministic and takes no seeds; "
                            "remove `seeds`")
        return None
    if value is None:
        return (0,)
    if isinstance(value, int) and not isinstance(value, bool):
        if value < 1:
            raise SpecError(f"`seeds` as a count must be >= 1, got {value}")
        return tuple(range(value))
    if (not isinstance(value, list) or not value
            or not all(isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in value)):
        raise SpecError(f"`seeds` must be a count or a non-empty list of integers >= 0, got {value!r}")
    if len(set(value)) != len(value):
        raise SpecError(f"`seeds` lists a seed twice: {value!r}")
    return tuple(value)


def _table(data: dict[str, Any], key: str) -> dict[str, Any]:
    table = data.get(key, {})
    if not isinstance(table, dict):
        raise SpecError(f"`{key}` must be a table ([{key}]), got {table!r}")
    return table


def parse_spec(data: dict[str, Any], base: Path, default_name: str = "sweep",
               registry: dict[str, Experiment] = EXPERIMENTS) -> SweepSpec:
    """The spec from parsed TOML `data`; SpecError naming the first problem."""
    unknown = sorted(set(data) - set(SPEC_KEYS))
    if unknown:
        raise SpecError(f"unknown spec key {unknown[0]!r}; keys: {', '.join(SPEC_KEYS)}")
    if not isinstance(data.get("experiment"), str):
        raise SpecError(f"the spec must name an experiment: experiment = \"{'|'.join(sorted(registry))}\"")
    experiment = experiment_named(data["experiment"], registry)
    seeds = _seeds(data.get("seeds"), experiment)
    fixed, grid = _table(data, "params"), _table(data, "grid")
    both = sorted(set(fixed) & set(grid))
    if both:
        raise SpecError(f"parameter {both[0]!r} is both in [params] and in [grid]")
    for name, values in grid.items():
        if not isinstance(values, list) or not values:
            raise SpecError(f"[grid] {name} must be a non-empty list, got {values!r}")
    tasks: list[Task] = []
    for combination in itertools.product(*grid.values()):
        params = experiment.validate({**fixed, **dict(zip(grid, combination, strict=False))}, base)
        for seed in seeds or (None,):
            tasks.append(Task(task_id(experiment.name, params, seed), experiment.name,
                              experiment.function, params, seed))
    ids = [task.id for task in tasks]
    if len(set(ids)) != len(ids):
        raise SpecError("the grid lists the same parameters twice")
    name = data.get("name", default_name)
    if not isinstance(name, str):
        raise SpecError(f"`name` must be a string, got {name!r}")
    return SweepSpec(name, experiment.name, seeds, tuple(grid), tuple(tasks))

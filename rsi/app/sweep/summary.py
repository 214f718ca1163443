"""The closing summary of a sweep: counts, failures with their errors, and for every grid
point the metrics aggregated over its seeds (written to DIR/summary.json)."""
from __future__ import annotations

import json
import math
import statistics
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from rsi.app.sweep.spec import SweepSpec
from rsi.app.sweep.store import Row
from rsi.atomic import write_text_atomic
from rsi.records import to_json

SUMMARY = "summary.json"


@dataclass(frozen=True)
class Stat:
    """A numeric metric over the ok seeds of a grid point (booleans count as 0/1)."""

    mean: float
    std: float  # population standard deviation; 0 for one seed
    min: float
    max: float
    n: int


@dataclass(frozen=True)
class GroupSummary:
    """One grid point: its varied parameters, task counts and aggregated metrics."""

    params: dict[str, Any]
    tasks: int
    ok: int
    failed: int
    metrics: dict[str, Stat]


@dataclass(frozen=True)
class SweepSummary:
    """`ran`: tasks run now; `skipped`: finished in an earlier run (--resume)."""

    name: str
    experiment: str
    executor: str
    out: str
    tasks: int
    ok: int
    failed: int
    ran: int
    skipped: int
    wall_s: float
    headline: tuple[str, ...]
    groups: tuple[GroupSummary, ...]
    failures: tuple[dict[str, Any], ...]

    @property
    def succeeded(self) -> bool:
        return self.ok == self.tasks

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        return {**data, **{key: list(data[key]) for key in ("headline", "groups", "failures")}}

    def to_json(self) -> str:
        return to_json(self.to_dict(), indent=2)

    def save(self, directory: Path) -> Path:
        """Write DIR/summary.json atomically (`rsi.atomic`), creating DIR when missing."""
        write_text_atomic(directory / SUMMARY, self.to_json() + "\n", create_parents=True)
        return directory / SUMMARY


def _stat(values: list[float]) -> Stat:
    return Stat(statistics.fmean(values), statistics.pstdev(values), min(values), max(values), len(values))


def _numeric(value: Any) -> bool:
    return isinstance(value, (int, float)) and (isinstance(value, bool) or math.isfinite(value))


def group_summaries(spec: SweepSpec, rows: dict[str, Row]) -> tuple[GroupSummary, ...]:
    """Per grid point (in spec order): counts and Stat of every numeric metric of its ok rows."""
    groups: dict[str, tuple[dict[str, Any], list[Row | None]]] = {}
    for task in spec.tasks:
        point = {name: task.params[name] for name in spec.varied}
        key = json.dumps(point, sort_keys=True)
        groups.setdefault(key, (point, []))[1].append(rows.get(task.id))
    summaries = []
    for point, members in groups.values():
        ok = [row for row in members if row is not None and row.status == "ok"]
        ok_metrics = [row.metrics or {} for row in ok]
        names = list(dict.fromkeys(name for found in ok_metrics for name in found))
        metrics = {}
        for name in names:
            values = [float(found[name]) for found in ok_metrics if _numeric(found.get(name))]
            if values:
                metrics[name] = _stat(values)
        failed = sum(row is not None and row.status == "failed" for row in members)
        summaries.append(GroupSummary(point, len(members), len(ok), failed, metrics))
    return tuple(summaries)

"""Running a Computational Life soup for many epochs: measurements every few epochs, atomic
checkpoints (soup and history together) every K epochs, resume, and the closing report with
the transition epoch and the replicator check of the most frequent program."""
from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from quines_text.soup.metrics import (
    ReplicatorCheck,
    Snapshot,
    first_crossing,
    replicator_check,
    snapshot,
    transition_epoch,
)
from quines_text.soup.pool import EpochStats, Soup
from rsi.atomic import write_text_atomic

HISTORY = "history.json"


@dataclass
class History:
    """Per-epoch interaction statistics and the periodic snapshots of a soup run."""

    epochs: list[EpochStats]
    snapshots: list[Snapshot]

    def to_dict(self) -> dict:
        return {
            "epochs": [e.to_dict() for e in self.epochs],
            "snapshots": [s.to_dict() for s in self.snapshots],
        }

    def save(self, directory: Path) -> None:
        """Write DIR/history.json atomically (`rsi.atomic`)."""
        write_text_atomic(directory / HISTORY, json.dumps(self.to_dict()))

    @classmethod
    def load(cls, directory: Path, up_to_epoch: int) -> History:
        """The history saved in `directory`, without entries past `up_to_epoch`; ValueError
        naming the file when it is not a soup history."""
        path = directory / HISTORY
        if not path.is_file():
            return cls([], [])
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            snapshots = [
                Snapshot(**{**s, "top_programs": tuple(map(tuple, s["top_programs"])),
                            "top_bytes": tuple(map(tuple, s["top_bytes"]))})
                for s in data["snapshots"]
            ]
            epochs = [EpochStats(**e) for e in data["epochs"] if e["epoch"] <= up_to_epoch]
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise ValueError(f"{path} is not a readable soup history: {error}") from None
        return cls(epochs, [s for s in snapshots if s.epoch <= up_to_epoch])


@dataclass(frozen=True)
class SoupReport:
    """The outcome of `run_soup`."""

    config: dict
    epoch: int
    epochs_run: int
    wall_s: float
    interactions_per_s: float
    transition_epoch: int | None
    first_crossing: int | None
    last: Snapshot
    replicator: ReplicatorCheck

    def to_dict(self) -> dict:
        return {
            **{k: v for k, v in self.__dict__.items() if k not in ("last", "replicator")},
            "last": self.last.to_dict(),
            "replicator": self.replicator.to_dict(),
        }


def run_soup(
    soup: Soup,
    epochs: int,
    out: Path | None = None,
    history: History | None = None,
    checkpoint_every: int = 256,
    metrics_every: int = 64,
    threshold: float = 1.0,
    on_epoch: Callable[[EpochStats, Snapshot | None], None] | None = None,
) -> tuple[SoupReport, History]:
    """Advance `soup` by `epochs` epochs.  A snapshot is taken every `metrics_every` epochs
    and at the end; with `out`, soup and history are checkpointed there every
    `checkpoint_every` epochs and at the end.  `on_epoch` sees each epoch (for progress)."""
    if epochs < 0 or checkpoint_every < 1 or metrics_every < 1:
        raise ValueError("epochs must be >= 0, checkpoint_every and metrics_every >= 1")
    history = history if history is not None else History([], [])
    if not history.snapshots or history.snapshots[-1].epoch != soup.epoch:
        history.snapshots.append(snapshot(soup.programs, soup.epoch))
    start, first = time.perf_counter(), soup.epoch
    for _ in range(epochs):
        stats = soup.step()
        history.epochs.append(stats)
        shot = None
        if soup.epoch % metrics_every == 0 or soup.epoch == first + epochs:
            shot = snapshot(soup.programs, soup.epoch)
            history.snapshots.append(shot)
        if on_epoch is not None:
            on_epoch(stats, shot)
        if out is not None and soup.epoch % checkpoint_every == 0:
            _checkpoint(soup, history, out)
    wall = time.perf_counter() - start
    if out is not None:
        _checkpoint(soup, history, out)
    last = history.snapshots[-1]
    report = SoupReport(
        config=soup.config.to_dict(),
        epoch=soup.epoch,
        epochs_run=soup.epoch - first,
        wall_s=wall,
        interactions_per_s=(soup.epoch - first) * soup.config.programs / 2 / wall if wall else 0.0,
        transition_epoch=transition_epoch(history.snapshots, threshold),
        first_crossing=first_crossing(history.snapshots, threshold),
        last=last,
        replicator=replicator_check(
            bytes.fromhex(last.top_programs[0][0]), soup.config.variant,
            seed=soup.config.seed, max_steps=soup.config.max_steps,
        ),
    )
    return report, history


def _checkpoint(soup: Soup, history: History, out: Path) -> None:
    """History first, then the soup: if the soup's write never happens, loading trims the
    history back to the soup's epoch, so the pair stays consistent."""
    out.mkdir(parents=True, exist_ok=True)
    history.save(out)
    soup.save(out)

"""The fixed, seeded stages of `rsi report` and how they run: each finished stage is saved
atomically to DIR/stages/<name>.json with the sizes and device it ran with; `resume` skips a
stage whose saved record has the same sizes and device (an interrupted stage saved nothing,
so it runs again)."""
from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from rsi.app.report import interrupt, neural_stages, theory, weights
from rsi.app.report.sizes import ReportSizes
from rsi.app.report.store import StageStore


@dataclass(frozen=True)
class Stage:
    name: str
    title: str
    run: Callable[[ReportSizes, str, Callable[[str], None]], dict[str, Any]]


STAGES: tuple[Stage, ...] = (
    Stage("examples", "Mahoney's Examples 1-6", theory.examples_stage),
    Stage("chains", "Chain complexity against n", theory.chains_stage),
    Stage("proofs", "Proof obligations", theory.proofs_stage),
    Stage("quine_curves", "Neural quine training curves", neural_stages.quine_curves_stage),
    Stage("auxiliary", "Auxiliary accuracy against λ", neural_stages.auxiliary_stage),
    Stage("gabor", "Self-replicating nets (Gabor et al. 2022)", neural_stages.gabor_stage),
    Stage("weights", "Theory against weights: trained quines and regeneration", weights.weights_stage),
)


class StageProgress(Protocol):
    """What a progress display hears: a stage starts, work inside it ticks, the stage ends
    ("done" or "skipped")."""

    def start(self, stage: Stage, index: int, total: int) -> None: ...

    def tick(self, label: str) -> None: ...

    def end(self, stage: Stage, status: str) -> None: ...


class Silent:
    """No display (--json, or no terminal)."""

    def start(self, stage: Stage, index: int, total: int) -> None:
        pass

    def tick(self, label: str) -> None:
        pass

    def end(self, stage: Stage, status: str) -> None:
        pass


def run_stages(out: Path, sizes: ReportSizes, device: str, resume: bool,
               progress: StageProgress) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """Every stage's record (saved or fresh) by name, and the names of the stages skipped.
    A SIGINT whose exception was lost stops the run before the next stage or progress tick."""

    def tick(label: str) -> None:
        interrupt.check()
        progress.tick(label)

    store = StageStore(out)
    wanted = json.loads(json.dumps(sizes.to_dict()))
    records, skipped = {}, []
    for index, stage in enumerate(STAGES):
        interrupt.check()
        progress.start(stage, index, len(STAGES))
        saved = store.load(stage.name) if resume else None
        if saved is not None and saved.get("sizes") == wanted and saved.get("device") == device:
            records[stage.name] = saved
            skipped.append(stage.name)
            progress.end(stage, "skipped")
            continue
        began = time.perf_counter()
        result = stage.run(sizes, device, tick)
        record = {"stage": stage.name, "title": stage.title, "sizes": wanted, "device": device,
                  "seconds": round(time.perf_counter() - began, 2), "result": result}
        store.save(stage.name, record)
        records[stage.name] = record
        progress.end(stage, "done")
    return records, skipped

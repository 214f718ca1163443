"""Build a report folder: run (or resume) the stages, draw the plots, write DIR/results.json,
the PNGs beside DIR/index.html and the page itself, each file atomically."""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from rsi.app.report import interrupt, page, plots
from rsi.app.report.sizes import ReportSizes
from rsi.app.report.stages import Silent, StageProgress, run_stages
from rsi.app.report.store import write_atomic, write_json_atomic

PLOTS: dict[str, tuple[str, Callable[[dict[str, Any]], bytes]]] = {
    "chains": ("chain_complexity.png", lambda result: plots.chain_plot(result["chains"])),
    "quine_curves": ("quine_curves.png", lambda result: plots.quine_curves_plot(result["runs"])),
    "auxiliary": ("auxiliary_accuracy.png", plots.auxiliary_plot),
    "gabor": ("gabor.png", plots.gabor_plot),
    "weights": ("weights_complexity.png", plots.weights_plot),
}
"""Plot of each stage that has one: its file name and how it is drawn from the stage result."""


@dataclass(frozen=True)
class ReportSummary:
    """Where the report went, which stages ran and which were resumed, and how long it took."""

    out: str
    index: str
    results: str
    plots: tuple[str, ...]
    ran: tuple[str, ...]
    skipped: tuple[str, ...]
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def build_report(out: Path, sizes: ReportSizes, device: str = "cpu", resume: bool = False,
                 progress: StageProgress | None = None) -> ReportSummary:
    """Run every stage at `sizes` (neural stages on `device`, "cpu" or "cuda"), then write
    DIR/results.json, DIR/*.png and DIR/index.html.  resume: keep finished stages."""
    began = time.perf_counter()
    out = Path(out)
    records, skipped = run_stages(out, sizes, device, resume, progress or Silent())
    interrupt.check()  # a SIGINT lost during the last stage: no plots, no page
    results = {"sizes": sizes.to_dict(), "device": device, "stages": records}
    drawn: dict[str, bytes] = {}
    for name, (filename, draw) in PLOTS.items():
        drawn[name] = draw(records[name]["result"])
        write_atomic(out / filename, drawn[name])
    write_json_atomic(out / "results.json", results)
    write_atomic(out / "index.html", page.render(results, drawn).encode("utf-8"))
    return ReportSummary(
        out=str(out), index=str(out / "index.html"), results=str(out / "results.json"),
        plots=tuple(PLOTS[name][0] for name in drawn),
        ran=tuple(name for name in records if name not in skipped), skipped=tuple(skipped),
        seconds=round(time.perf_counter() - began, 2),
    )

"""`rsi report`, the toolkit's main job: Mahoney 2008's theory (Examples 1-6, the proof
obligations, RSI chains with the Theorem's O(log n) bound) beside trained neural quines and the
complexity of their weights, as DIR/index.html with plots and DIR/results.json.

Layout: `sizes` (presets QUICK / FULL / TINY), `stages` (the fixed stage list, atomic stage
records, resume), `theory` and `neural_stages` (what each stage computes), `plots`
(matplotlib), `page` (index.html), `store` (atomic files), `interrupt` (SIGINT: exit 130, no
half-written file), `build` (all of it).
"""
from rsi.app.report.build import ReportSummary, build_report
from rsi.app.report.sizes import FULL, PRESETS, QUICK, TINY, ReportSizes
from rsi.app.report.stages import STAGES

__all__ = ["FULL", "PRESETS", "QUICK", "STAGES", "TINY", "ReportSizes", "ReportSummary", "build_report"]

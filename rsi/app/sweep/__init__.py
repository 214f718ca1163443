"""Sweeps: one experiment over a grid of parameters and seeds, on a local process pool or a
Ray cluster, with results appended atomically to DIR/results.jsonl and resumable.

`spec` parses the TOML spec into tasks, `experiments` is the registry of what can be swept
(`jobs` holds the experiment functions), `worker` runs one attempt, `executors` ship attempts
to workers, `store` keeps the results file, `runner` drives a sweep and `summary` closes it.
"""
from rsi.app.sweep.executors import EXECUTORS, LocalExecutor, RayExecutor, make_executor
from rsi.app.sweep.experiments import EXPERIMENTS, Experiment, Param, SpecError, experiment_named
from rsi.app.sweep.runner import run_sweep
from rsi.app.sweep.spec import SweepSpec, Task, load_spec, parse_spec, task_id
from rsi.app.sweep.store import RESULTS, ResultsStore, Row
from rsi.app.sweep.summary import SUMMARY, GroupSummary, Stat, SweepSummary

__all__ = [
    "EXECUTORS",
    "EXPERIMENTS",
    "RESULTS",
    "SUMMARY",
    "Experiment",
    "GroupSummary",
    "LocalExecutor",
    "Param",
    "RayExecutor",
    "ResultsStore",
    "Row",
    "SpecError",
    "Stat",
    "SweepSpec",
    "SweepSummary",
    "Task",
    "experiment_named",
    "load_spec",
    "make_executor",
    "parse_spec",
    "run_sweep",
    "task_id",
]

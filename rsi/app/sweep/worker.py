"""What runs in a worker process for one attempt at one sweep task.

`run_task` is the one function both executors ship to their workers (a process-pool worker
or a Ray worker), so a task runs the same way on either.  It never raises for a failing
experiment: the exception becomes a failed `Attempt` whose error is one line (type and
message), and the metrics must be a JSON-able dict with string keys.
"""
from __future__ import annotations

import json
import socket
import time
from dataclasses import asdict, dataclass
from typing import Any

from rsi.app.sweep.experiments import resolve
from rsi.app.sweep.spec import Task


@dataclass(frozen=True)
class Attempt:
    """One attempt: status "ok" with metrics, or "failed" with error; where and how long."""

    task_id: str
    status: str
    metrics: dict[str, Any] | None
    error: str
    wall_s: float
    host: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def one_line(error: BaseException) -> str:
    """`Type: first line of the message`."""
    message = str(error).strip().splitlines()
    return f"{type(error).__name__}: {message[0]}" if message else type(error).__name__


def run_task(task: Task) -> Attempt:
    """Call the task's experiment function and time it."""
    start = time.perf_counter()
    kwargs = dict(task.params) if task.seed is None else {**task.params, "seed": task.seed}
    try:
        metrics = resolve(task.function)(**kwargs)
        if not isinstance(metrics, dict) or not all(isinstance(key, str) for key in metrics):
            raise TypeError(f"{task.function} returned {type(metrics).__name__}, not a dict of metrics")
        metrics = json.loads(json.dumps(metrics))  # JSON-able, and exactly what the row will hold
        status, error = "ok", ""
    except Exception as failure:  # a failing experiment is a result, not a crash of the sweep
        metrics, status, error = None, "failed", one_line(failure)
    return Attempt(task.id, status, metrics, error, time.perf_counter() - start, socket.gethostname())

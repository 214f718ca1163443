"""Running a sweep: resume, submit, retry, record, summarise.

`run_sweep` opens DIR/results.jsonl (`rsi.app.sweep.store`), skips the tasks whose latest row
is "ok" when resuming, and keeps every other task in flight on the executor.  An attempt
that fails (the experiment raised, or its worker died) is submitted again until it has had
`retries + 1` attempts; its row then records status "failed", the last error and the
number of attempts, so no task is dropped.  Each row is appended the moment its task ends,
so an interrupted sweep keeps every finished row, and `--resume` runs only the rest.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, wait
from pathlib import Path

from rsi.app.sweep.executors import Executor
from rsi.app.sweep.experiments import EXPERIMENTS, Experiment, SpecError
from rsi.app.sweep.spec import SweepSpec, Task
from rsi.app.sweep.store import ResultsStore, Row
from rsi.app.sweep.summary import SweepSummary, group_summaries
from rsi.app.sweep.worker import Attempt, one_line


def _outcome(future: Future[Attempt], task: Task) -> Attempt:
    """The attempt's result; an executor-level failure (dead worker) as a failed attempt."""
    try:
        return future.result()
    except Exception as failure:
        return Attempt(task.id, "failed", None, f"worker failed: {one_line(failure)}", 0.0, "")


def run_sweep(
    spec: SweepSpec,
    out: Path,
    executor: Executor,
    *,
    resume: bool = False,
    retries: int = 1,
    on_row: Callable[[Row, int, int], None] | None = None,
    registry: dict[str, Experiment] = EXPERIMENTS,
) -> SweepSummary:
    """Run the tasks of `spec` not yet finished in `out`; write rows and DIR/summary.json.

    Without `resume`, `out` must not hold result rows yet (SpecError).  `on_row(row,
    finished, total)` sees each row as it is written, with the number of the spec's tasks
    finished so far (those skipped included), for progress.  The executor is not closed here."""
    if retries < 0:
        raise SpecError(f"retries must be >= 0, got {retries}")
    started = time.perf_counter()
    with ResultsStore(out) as store:
        if store.rows and not resume:
            raise SpecError(f"{store.path} already holds {len(store.rows)} rows; "
                            "use --resume or another --out")
        done = {task_id for task_id, row in store.latest().items() if row.status == "ok"}
        todo = [task for task in spec.tasks if task.id not in done]
        attempts = {task.id: 0 for task in todo}
        finished_count = len(spec.tasks) - len(todo)
        in_flight = {executor.submit(task): task for task in todo}
        while in_flight:
            finished, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            for future in finished:
                task = in_flight.pop(future)
                attempt = _outcome(future, task)
                attempts[task.id] += 1
                if attempt.status != "ok" and attempts[task.id] <= retries:
                    in_flight[executor.submit(task)] = task
                    continue
                row = Row(task.id, task.experiment, task.params, task.seed, attempt.status,
                          attempt.metrics, attempt.error, attempts[task.id], attempt.wall_s,
                          attempt.host, executor.name)
                store.append(row)
                finished_count += 1
                if on_row is not None:
                    on_row(row, finished_count, len(spec.tasks))
        latest = store.latest()
    rows = {task.id: latest[task.id] for task in spec.tasks if task.id in latest}
    failed = [row for row in rows.values() if row.status != "ok"]
    summary = SweepSummary(
        name=spec.name, experiment=spec.experiment, executor=executor.name, out=str(out),
        tasks=len(spec.tasks), ok=len(rows) - len(failed), failed=len(failed),
        ran=len(todo), skipped=len(spec.tasks) - len(todo),
        wall_s=time.perf_counter() - started,
        headline=registry[spec.experiment].headline,
        groups=group_summaries(spec, rows),
        failures=tuple({"task_id": row.task_id, "params": row.params, "seed": row.seed,
                        "error": row.error, "attempts": row.attempts} for row in failed),
    )
    summary.save(out)
    return summary

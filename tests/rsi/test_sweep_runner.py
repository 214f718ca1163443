"""rsi.app.sweep.runner on the local process pool: one row per task with its parameters, seed,
metrics, status, attempts, wall time and host; failed attempts are retried and a task that
keeps failing is recorded with its error, never dropped; --resume runs only what is not
finished; the same spec gives the same metrics whatever the pool size; summary.json."""
import json
import os
from pathlib import Path

import pytest

from rsi.app.sweep import (
    EXPERIMENTS,
    Experiment,
    LocalExecutor,
    Param,
    SpecError,
    load_spec,
    parse_spec,
    run_sweep,
)

EXAMPLES = Path(__file__).parents[2] / "examples" / "sweeps"


def square(*, seed: int, scale: int) -> dict:
    """A test experiment: deterministic metrics from the seed."""
    return {"square": scale * seed * seed, "even": seed % 2 == 0}


def flaky(*, seed: int, marker: str, failures: int) -> dict:
    """Fails its first `failures` calls for this seed (counted in files under `marker`)."""
    calls = Path(marker) / f"{seed}.calls"
    with calls.open("a") as handle:
        handle.write("x")
    made = calls.stat().st_size
    if made <= failures:
        raise RuntimeError(f"failure {made} of seed {seed}\nsecond line")
    return {"calls": made}


def worker_dies(*, seed: int) -> dict:
    """Kills its own worker process, as an out-of-memory kill would."""
    os._exit(3)


def experiment(name, function, *params):
    return Experiment(name=name, function=f"{__name__}:{function}", params=params, seeded=True,
                      headline=(), summary=name)


REGISTRY = {
    "square": experiment("square", "square", Param("scale", int, 1, "")),
    "flaky": experiment("flaky", "flaky", Param("marker", str, "", ""), Param("failures", int, 0, "")),
    "dies": experiment("dies", "worker_dies"),
}


def rows_of(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]


@pytest.fixture(scope="module")
def pool():
    executor = LocalExecutor(workers=2)
    yield executor
    executor.close()


def test_each_task_gets_one_complete_row(tmp_path, pool):
    spec = parse_spec({"experiment": "square", "seeds": 4, "grid": {"scale": [1, 10]}}, tmp_path,
                      registry=REGISTRY)
    summary = run_sweep(spec, tmp_path, pool, registry=REGISTRY)
    rows = rows_of(tmp_path)
    assert sorted(r["task_id"] for r in rows) == sorted(t.id for t in spec.tasks)
    for task in spec.tasks:
        (r,) = [r for r in rows if r["task_id"] == task.id]
        assert (r["params"], r["seed"], r["status"], r["attempts"]) == (task.params, task.seed, "ok", 1)
        assert r["metrics"] == {"square": task.params["scale"] * task.seed**2, "even": task.seed % 2 == 0}
        assert r["wall_s"] >= 0 and r["host"] and r["executor"] == "local" and r["error"] == ""
    assert summary.succeeded and (summary.ok, summary.ran, summary.skipped) == (8, 8, 0)
    ten = [g for g in summary.groups if g.params == {"scale": 10}][0]
    assert ten.metrics["square"].mean == 10 * (0 + 1 + 4 + 9) / 4 and ten.metrics["even"].mean == 0.5
    assert json.loads((tmp_path / "summary.json").read_text()) == summary.to_dict()


def test_failed_attempts_are_retried_and_recorded(tmp_path, pool):
    marker = tmp_path / "calls"
    marker.mkdir()
    spec = parse_spec({"experiment": "flaky", "seeds": [0, 1],
                       "params": {"marker": str(marker), "failures": 1}}, tmp_path, registry=REGISTRY)
    summary = run_sweep(spec, tmp_path / "once", pool, retries=1, registry=REGISTRY)
    assert summary.succeeded
    assert [(r["status"], r["attempts"], r["metrics"]) for r in rows_of(tmp_path / "once")] == [
        ("ok", 2, {"calls": 2})] * 2


def test_task_failing_every_attempt_is_reported_with_its_error(tmp_path, pool):
    marker = tmp_path / "calls"
    marker.mkdir()
    spec = parse_spec({"experiment": "flaky", "seeds": [5],
                       "params": {"marker": str(marker), "failures": 9}}, tmp_path, registry=REGISTRY)
    summary = run_sweep(spec, tmp_path / "out", pool, retries=2, registry=REGISTRY)
    (r,) = rows_of(tmp_path / "out")
    assert (r["status"], r["attempts"], r["metrics"]) == ("failed", 3, None)
    assert r["error"] == "RuntimeError: failure 3 of seed 5"
    assert not summary.succeeded and summary.failed == 1
    assert summary.failures[0]["error"] == r["error"] and summary.failures[0]["attempts"] == 3
    # --resume runs the failed task again and its new row supersedes the old one.
    again = run_sweep(spec, tmp_path / "out", pool, resume=True, retries=9, registry=REGISTRY)
    assert again.succeeded and again.ran == 1
    assert [(r["status"], r["attempts"]) for r in rows_of(tmp_path / "out")] == [("failed", 3), ("ok", 7)]


def test_dead_worker_is_a_failed_attempt_and_the_pool_recovers(tmp_path):
    executor = LocalExecutor(workers=1)
    try:
        dies = parse_spec({"experiment": "dies"}, tmp_path, registry=REGISTRY)
        summary = run_sweep(dies, tmp_path / "dies", executor, retries=1, registry=REGISTRY)
        (r,) = rows_of(tmp_path / "dies")
        assert r["status"] == "failed" and r["attempts"] == 2 and "BrokenProcessPool" in r["error"]
        assert summary.failed == 1
        square = parse_spec({"experiment": "square", "seeds": [3]}, tmp_path, registry=REGISTRY)
        assert run_sweep(square, tmp_path / "after", executor, registry=REGISTRY).succeeded
    finally:
        executor.close()


def test_resume_skips_finished_tasks_and_a_fresh_run_refuses_old_results(tmp_path, pool):
    small = parse_spec({"experiment": "square", "seeds": 2}, tmp_path, registry=REGISTRY)
    run_sweep(small, tmp_path, pool, registry=REGISTRY)
    with pytest.raises(SpecError, match="already holds 2 rows"):
        run_sweep(small, tmp_path, pool, registry=REGISTRY)
    larger = parse_spec({"experiment": "square", "seeds": 3}, tmp_path, registry=REGISTRY)
    summary = run_sweep(larger, tmp_path, pool, resume=True, registry=REGISTRY)
    assert (summary.ran, summary.skipped, summary.ok) == (1, 2, 3)
    assert sorted(r["seed"] for r in rows_of(tmp_path)) == [0, 1, 2]  # none run twice


def test_soup_metrics_do_not_depend_on_the_pool_size(tmp_path):
    spec = load_spec(EXAMPLES / "soup_tiny.toml")
    tables = []
    for workers in (1, 2):
        executor = LocalExecutor(workers)
        try:
            summary = run_sweep(spec, tmp_path / str(workers), executor, registry=EXPERIMENTS)
        finally:
            executor.close()
        assert summary.succeeded and summary.ok == len(spec.tasks) == 8
        tables.append({r["task_id"]: r["metrics"] for r in rows_of(tmp_path / str(workers))})
    assert tables[0] == tables[1]
    assert len({json.dumps(m, sort_keys=True) for m in tables[0].values()}) == 8  # seeds differ

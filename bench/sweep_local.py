"""Sweep speed-up (issue 11): 8 neural-quine tasks on the local executor with 2 worker
processes versus the same 8 tasks run serially.

Serial baseline: `rsi.sweep.worker.run_task` called in a loop in this process, after a
warm-up task (torch already imported: the baseline pays no start-up at all, so the ratio
is, if anything, understated).  The executor runs are whole `run_sweep` calls, start-up of
the spawned workers (each imports torch) included; a 1-worker pool is timed too, to show
what the pool itself costs.  Every run must give the same metrics for every task.

Usage: python bench/sweep_local.py [--width W] [--epochs E] [--ray]
  --ray also times the Ray executor on a local 2-CPU cluster (start-up included).
"""
from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from pathlib import Path

from record import record_section

from rsi.sweep import LocalExecutor, RayExecutor, parse_spec, run_sweep
from rsi.sweep.store import ResultsStore
from rsi.sweep.worker import run_task


def spec_for(width: int, epochs: int):
    return parse_spec({"name": "bench", "experiment": "neural", "seeds": 4,
                       "params": {"arch": "chang-lipson", "width": width, "epochs": epochs},
                       "grid": {"method": ["gradient", "regeneration"]}}, Path("."))


def timed_sweep(spec, executor) -> tuple[float, dict]:
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        try:
            summary = run_sweep(spec, Path(out), executor)
        finally:
            executor.close()
        wall = time.perf_counter() - start
        assert summary.succeeded, summary.failures
        with ResultsStore(Path(out)) as store:
            return wall, {row.task_id: row.metrics for row in store.rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--width", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--ray", action="store_true")
    args = parser.parse_args()
    spec = spec_for(args.width, args.epochs)
    assert len(spec.tasks) == 8

    run_task(spec_for(8, 1).tasks[0])  # warm-up: import torch, sklearn
    start = time.perf_counter()
    serial = {}
    for task in spec.tasks:
        attempt = run_task(task)
        assert attempt.status == "ok", attempt.error
        serial[task.id] = attempt.metrics
    serial_s = time.perf_counter() - start

    timings = {"serial loop (warm, in-process)": serial_s}
    timings["local executor, 1 worker"], one = timed_sweep(spec, LocalExecutor(1))
    timings["local executor, 2 workers"], two = timed_sweep(spec, LocalExecutor(2))
    results = [one, two]
    if args.ray:
        timings["ray executor, local 2-CPU cluster"], on_ray = timed_sweep(spec, RayExecutor(workers=2))
        results.append(on_ray)
    assert all(metrics == serial for metrics in results), "metrics differ between runs"

    two_s = timings["local executor, 2 workers"]
    lines = [
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, CPython {platform.python_version()}; "
        f"8 tasks = neural quines chang-lipson width {args.width}, {args.epochs} epochs, "
        "methods gradient and regeneration x seeds 0-3, one torch thread per task.",
        "",
        "| run | seconds | serial / run |",
        "|---|---|---|",
        *(f"| {name} | {seconds:.2f} | {serial_s / seconds:.2f}x |" for name, seconds in timings.items()),
        "",
        f"Speed-up of the local executor on 2 workers versus serial: **{serial_s / two_s:.2f}x** "
        f"(versus the 1-worker pool: {timings['local executor, 1 worker'] / two_s:.2f}x). "
        "Every run gave the same metrics for every task.",
        "",
        f"1-minute load average at the end: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs "
        "(other jobs share the cores).",
    ]
    command = "python bench/sweep_local.py" + (f" --width {args.width}" if args.width != 64 else "") + (
        f" --epochs {args.epochs}" if args.epochs != 40 else "") + (" --ray" if args.ray else "")
    record_section("sweep_local", command, "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()

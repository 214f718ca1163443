"""Sweep speed-up: 8 neural-quine tasks on the local executor with 2 worker
processes versus the same 8 tasks run serially.

Serial baseline: `rsi.app.sweep.worker.run_task` called in a loop in this process after a
warm-up task (torch imported).  The executor is warmed up the same way first (one warm-up
task per worker: spawning the worker and importing torch, timed and reported apart as
start-up), then the 8 tasks are one `run_sweep` call.  The two are timed alternately for
`--repeats` rounds and the best time of each is kept, since other jobs share the cores.
Every run must give the same metrics for every task.

Usage: python bench/sweep_local.py [--width W] [--epochs E] [--repeats R] [--ray]
  --ray also times the Ray executor on a local 2-CPU cluster (started in each round).
"""
from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from pathlib import Path

from record import record_section

from rsi.app.sweep import LocalExecutor, RayExecutor, parse_spec, run_sweep
from rsi.app.sweep.store import ResultsStore
from rsi.app.sweep.worker import run_task


def spec_for(width: int, epochs: int):
    return parse_spec({"name": "bench", "experiment": "neural", "seeds": 4,
                       "params": {"arch": "chang-lipson", "width": width, "epochs": epochs},
                       "grid": {"method": ["gradient", "regeneration"]}}, Path("."))


def timed_sweep(spec, make, workers: int) -> tuple[float, float, dict]:
    """(start-up seconds, sweep seconds, metrics by task id) of the executor `make()` makes
    (start-up: making it, a Ray cluster's start included, and warming its workers)."""
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        executor = make()
        try:
            warm_up = spec_for(8, 1).tasks[0]
            assert all(f.result().status == "ok" for f in [executor.submit(warm_up) for _ in range(workers)])
            ready = time.perf_counter()
            summary = run_sweep(spec, Path(out), executor)
            done = time.perf_counter()
        finally:
            executor.close()
        assert summary.succeeded, summary.failures
        with ResultsStore(Path(out)) as store:
            return ready - start, done - ready, {row.task_id: row.metrics for row in store.rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--width", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--ray", action="store_true")
    args = parser.parse_args()
    spec = spec_for(args.width, args.epochs)
    assert len(spec.tasks) == 8

    load_before = os.getloadavg()[0]
    run_task(spec_for(8, 1).tasks[0])  # warm-up: import torch, sklearn
    runs = [("local executor, 2 workers", lambda: LocalExecutor(2))]
    if args.ray:  # the cluster starts only when its turn comes
        runs.append(("ray executor, local 2-CPU cluster", lambda: RayExecutor(workers=2)))
    serial_s, timings = float("inf"), {name: (float("inf"), float("inf")) for name, _ in runs}
    results = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        serial = {}
        for task in spec.tasks:
            attempt = run_task(task)
            assert attempt.status == "ok", attempt.error
            serial[task.id] = attempt.metrics
        serial_s = min(serial_s, time.perf_counter() - start)
        results.append(serial)
        for name, make in runs:
            up, seconds, metrics = timed_sweep(spec, make, 2)
            timings[name] = (min(timings[name][0], up), min(timings[name][1], seconds))
            results.append(metrics)
    assert all(metrics == results[0] for metrics in results), "metrics differ between runs"
    timings = {"serial loop (in-process)": (0.0, serial_s), **timings}

    two_start, two_s = timings["local executor, 2 workers"]
    lines = [
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, CPython {platform.python_version()}; "
        f"8 tasks = neural quines chang-lipson width {args.width}, {args.epochs} epochs, "
        "methods gradient and regeneration x seeds 0-3, one torch thread per task.",
        "",
        "| run | start-up s (workers, torch import, Ray cluster) | 8 tasks s | serial / run |",
        "|---|---|---|---|",
        *(f"| {name} | {up:.2f} | {seconds:.2f} | {serial_s / seconds:.2f}x |"
          for name, (up, seconds) in timings.items()),
        "",
        f"Speed-up of the local executor on 2 workers versus serial: **{serial_s / two_s:.2f}x** "
        f"({serial_s / (two_start + two_s):.2f}x counting its start-up); best of {args.repeats} "
        "alternating rounds. Every run gave the same metrics for every task.",
        "",
        f"1-minute load average at the start {load_before:.2f}, at the end "
        f"{os.getloadavg()[0]:.2f}, on {os.cpu_count()} CPUs (other jobs share the cores: with "
        "the cores saturated, 2 workers get no more CPU than 1).",
    ]
    command = (f"python bench/sweep_local.py --width {args.width} --epochs {args.epochs} "
               f"--repeats {args.repeats}" + (" --ray" if args.ray else ""))
    record_section("sweep_local", command, "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()

"""Batched BFF speed (the soup of Aguera y Arcas et al. 2024): 10,000 programs of 64 bytes, at most 8,192 steps each.

Reports executed programs*steps per second of `run_batch` (1 and 2 threads) against the
single-program engine called in a Python loop over the same programs, and against the
pure-Python interpreter `quines_text.machines.bff_reference` on a sample.  Two workloads: uniformly random
bytes (the soup at epoch 0; ~96 % no-ops, most runs end early) and random instructions (the
10 BFF instructions and the zero byte, dense with loops).  Also the soup's 128-byte tapes
(pairs of programs).  Each timing is the best of REPEATS; every engine's result is checked
against the batch engine's on the programs it ran.

Usage: python bench/bff_batch.py [--programs N] [--sample S] [--repeats R]
"""
from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np
from record import record_section

from quines_text.machines.bff import MAX_STEPS, VARIANTS, run_batch, run_tape
from quines_text.machines.bff_reference import run_tape_python

VARIANT = "bff"
INSTRUCTION_BYTES = np.frombuffer(b"<>{}+-.,[]\0", dtype=np.uint8)


def workload(kind: str, programs: int, length: int, rng: np.random.Generator) -> np.ndarray:
    if kind == "random bytes":
        return rng.integers(0, 256, size=(programs, length), dtype=np.uint8)
    return INSTRUCTION_BYTES[rng.integers(0, len(INSTRUCTION_BYTES), size=(programs, length))]


def best_of(repeats: int, job) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = job()
        best = min(best, time.perf_counter() - start)
    return best, result


def measure(tapes: np.ndarray, sample: int, repeats: int) -> dict:
    heads = VARIANTS[VARIANT].heads_from_tape
    rows = [bytes(row) for row in tapes]
    batch2_s, (out, steps) = best_of(repeats, lambda: run_batch(tapes, MAX_STEPS, VARIANT, threads=2))
    batch1_s, (out1, steps1) = best_of(repeats, lambda: run_batch(tapes, MAX_STEPS, VARIANT, threads=1))
    single_s, singles = best_of(repeats, lambda: [run_tape(r, MAX_STEPS, VARIANT) for r in rows])
    python_s, pythons = best_of(1, lambda: [run_tape_python(r, MAX_STEPS, heads) for r in rows[:sample]])
    assert np.array_equal(out, out1) and np.array_equal(steps, steps1)
    assert [s.steps for s in singles] == steps.tolist()
    assert [s.tape for s in singles] == [bytes(r) for r in out]
    assert [p[:2] for p in pythons] == [(bytes(out[i]), int(steps[i])) for i in range(sample)]
    total, sample_total = int(steps.sum()), int(steps[:sample].sum())
    return {
        "mean steps": total / len(rows),
        "batch 2 threads": total / batch2_s,
        "batch 1 thread": total / batch1_s,
        "single-program engine": total / single_s,
        "pure Python (sample)": sample_total / python_s,
        "programs/s (batch 2 threads)": len(rows) / batch2_s,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--programs", type=int, default=10_000)
    parser.add_argument("--sample", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    rng = np.random.default_rng(2024)
    lines = [
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, CPython {platform.python_version()}; "
        f"variant {VARIANT}, step limit {MAX_STEPS}, {args.programs} programs per workload, "
        f"pure Python on the first {args.sample}; rates are executed programs*steps per second.\n",
        "| tape | workload | mean steps | batch 2 thr | batch 1 thr | single engine | pure Python "
        "| batch/single | batch/Python | programs/s |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for length in (64, 128):
        for kind in ("random bytes", "random instructions"):
            m = measure(workload(kind, args.programs, length, rng), args.sample, args.repeats)
            lines.append(
                f"| {length} B | {kind} | {m['mean steps']:.0f} | {m['batch 2 threads']:.3g} "
                f"| {m['batch 1 thread']:.3g} | {m['single-program engine']:.3g} "
                f"| {m['pure Python (sample)']:.3g} "
                f"| {m['batch 2 threads'] / m['single-program engine']:.1f}x "
                f"| {m['batch 2 threads'] / m['pure Python (sample)']:.0f}x "
                f"| {m['programs/s (batch 2 threads)']:.3g} |"
            )
            print(lines[-1], flush=True)
    command = (f"python bench/bff_batch.py --programs {args.programs} --sample {args.sample} "
               f"--repeats {args.repeats}")
    lines.append(f"\n1-minute load average at the end: {os.getloadavg()[0]:.2f} on {os.cpu_count()} "
                 "CPUs (other jobs share the cores, which mostly hurts the 2-thread column).")
    record_section("bff_batch", command, "\n".join(lines))


if __name__ == "__main__":
    main()

"""P(0..T) of a metered Python program: the warm evaluator against one sandboxed process per t.

Mahoney 2008, section Goals: P(t) for every t up to a horizon.  The warm evaluator
(quines_text.sandbox.evaluator) computes all of P(0..T) in one sandboxed interpreter; the
baseline runs one sandboxed metered process per t (quines_text.sandbox.languages.run_python,
what MeteredPython.value does).  The baseline is timed on SAMPLE values of t spread over 0..T
and extrapolated to T + 1 runs (stated in the output); on those t the two paths must give the
same values and step counts.  Target: >= 20x.

Usage: python bench/python_warm_evaluator.py [--horizon T] [--sample S]
"""
from __future__ import annotations

import argparse
import os
import platform
import time

from record import record_section

from quines_text.machines import outcome_from_run
from quines_text.sandbox import Limits
from quines_text.sandbox.evaluator import run_python_batch
from quines_text.sandbox.languages import run_python

# a loop whose length depends on t, then the successor value t + 1 (halts once t >= ~50)
PROGRAM = "n = int(input())\ntotal = 0\nfor i in range(n % 9):\n    total += i\nprint(n + 1)\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--horizon", type=int, default=10**4)
    parser.add_argument("--sample", type=int, default=30)
    args = parser.parse_args()
    if args.horizon < 1 or not 1 <= args.sample <= args.horizon + 1:
        parser.error("need horizon >= 1 and 1 <= sample <= horizon + 1")
    limits = Limits()
    ts = list(range(args.horizon + 1))
    start = time.perf_counter()
    batch = run_python_batch(PROGRAM, ts, limits)
    warm_s = time.perf_counter() - start
    sample = sorted({round(k * args.horizon / max(1, args.sample - 1)) for k in range(args.sample)})
    start = time.perf_counter()
    alone = {t: run_python(PROGRAM.encode(), f"{t}\n".encode(), limits, True, True, t)
             for t in sample}
    sample_s = time.perf_counter() - start
    per_t_s = sample_s / len(sample) * len(ts)
    for t in sample:
        a, b = outcome_from_run(batch[t]), outcome_from_run(alone[t])
        if (a.value, a.steps, a.note) != (b.value, b.steps, b.note):
            raise SystemExit(f"t={t}: warm {a} != one process {b}")
    halted = sum(1 for r in batch if r.status == "ok")
    ratio = per_t_s / warm_s
    body = (
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, CPython "
        f"{platform.python_version()}; metered Python, P(0..{args.horizon}) of a 6-line "
        f"program (a loop of t mod 9 rounds, then t + 1), budget t per t.\n\n"
        f"| path | runs | seconds | ms per t |\n|---|---|---|---|\n"
        f"| warm evaluator (one sandbox launch per 2000 t: a zygote forks a child per t, two at a time) | {len(ts)} | "
        f"{warm_s:.2f} | {1000 * warm_s / len(ts):.2f} |\n"
        f"| one sandboxed process per t: {len(sample)} sampled t timed ({sample_s:.2f} s), "
        f"extrapolated to {len(ts)} | {len(ts)} | {per_t_s:.1f} | "
        f"{1000 * sample_s / len(sample):.1f} |\n\n"
        f"Ratio: **{ratio:.1f}x** (target >= 20x).  Values and step counts identical on the "
        f"{len(sample)} sampled t; {halted} of {len(ts)} runs halted within their budget.\n"
        f"1-minute load average at the end: {os.getloadavg()[0]:.2f} on {os.cpu_count()} "
        f"CPUs (other jobs share the cores).")
    record_section("python_warm_evaluator",
                   f"python bench/python_warm_evaluator.py --horizon {args.horizon} "
                   f"--sample {args.sample}", body)
    print(body)


if __name__ == "__main__":
    main()

"""Metered Python overhead: the same CPU-bound program run by quines_text.sandbox unmetered and
on the metered machine (exact bytecode count, quines_text._opmeter), in the same run.

Both runs go through the same sandbox, so start-up costs the same; the program runs for about
a second unmetered so that start-up is small beside it.  Target: ratio <= 20 (a pure-Python
opcode tracer measured 18-20x here; a C tracer about 3.5x).

Usage: python bench/metered_python.py [--n N] [--repeats R]
"""
from __future__ import annotations

import argparse
import platform
import sys

from record import record_section

from quines_text import sandbox

# function calls, a loop, arithmetic, a list and a dict: a mix of common instructions
PROGRAM = """
def collatz(n):
    steps = 0
    while n != 1:
        n = n // 2 if n % 2 == 0 else 3 * n + 1
        steps += 1
    return steps
best = {}
for i in range(1, {n}):
    best[i % 97] = max(best.get(i % 97, 0), collatz(i))
print(sum(best.values()))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=60_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    source = PROGRAM.replace("{n}", str(args.n))
    limits = sandbox.Limits(wall_s=600.0, cpu_s=600.0)
    plain, metered = [], []
    for _ in range(args.repeats):
        plain.append(sandbox.run(source, "python", limits=limits))
        metered.append(sandbox.run(source, "python", limits=limits, meter=True))
    if any(r.status != "ok" for r in plain + metered) or len({r.stdout for r in plain + metered}) != 1:
        sys.exit("runs failed or disagree")
    if len({r.steps for r in metered}) != 1:
        sys.exit("metered step counts differ between runs")
    best_plain = min(r.wall_s for r in plain)
    best_metered = min(r.wall_s for r in metered)
    steps = metered[0].steps
    ratio = best_metered / best_plain
    body = (
        f"Machine: {platform.machine()}, CPython {platform.python_version()}; best of "
        f"{args.repeats} runs each, alternating, both through sandbox.run (start-up included); "
        f"program: Collatz lengths for 1..{args.n}.\n\n"
        f"| run | seconds | steps | steps/s |\n|---|---|---|---|\n"
        f"| unmetered | {best_plain:.3f} | - | - |\n"
        f"| metered (C tracer) | {best_metered:.3f} | {steps} | {steps / best_metered:.3e} |\n\n"
        f"Ratio (metered / unmetered): **{ratio:.2f}** (target <= 20).  The same step count in "
        f"every run.  What remains is the cost of CPython's tracing mode itself: with a trace "
        f"function set, every instruction goes through the tracing dispatch (no specialised "
        f"instructions) and calls the C callback once."
    )
    record_section("metered_python",
                   f"python bench/metered_python.py --n {args.n} --repeats {args.repeats}", body)
    print(body)


if __name__ == "__main__":
    main()

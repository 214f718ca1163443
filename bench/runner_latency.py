"""Sandbox latency: median wall time of quines_text.sandbox.run on a trivial Python program
versus a bare `subprocess.run([sys.executable, "-c", ...])` in the same run.

"bare -I -S" is the same bare child without site-packages, as the sandboxed child runs; it
shows what the sandbox itself costs.  The sandbox run includes everything a caller pays:
temporary run folder, pids cgroup, the launcher with its namespaces (network, mount, PID, IPC,
UTS), read-only remount, capability drop, the Python child (`-P -S -s`) with its bootstrap,
audit hook and report pipe, and the clean-up.  The two kinds of runs alternate so that load
from other processes hits both alike.  Target: ratio <= 1.5.

Usage: python bench/runner_latency.py [--runs N]
"""
from __future__ import annotations

import argparse
import platform
import statistics
import subprocess
import sys
import time

from record import record_section

from quines_text import sandbox

PROGRAM = "print(1)"


def bare(*flags: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, *flags, "-c", PROGRAM], capture_output=True, check=True)
    return time.perf_counter() - start


def sandboxed(meter: bool) -> float:
    start = time.perf_counter()
    result = sandbox.run(PROGRAM, "python", meter=meter)
    elapsed = time.perf_counter() - start
    if result.status != "ok" or result.stdout != b"1\n":
        sys.exit(f"sandbox run failed: {result}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    sandboxed(False)  # warm-up: builds the launcher, probes isolation
    times: dict[str, list[float]] = {"bare": [], "bare -I -S": [], "sandbox": [],
                                     "sandbox metered": []}
    for _ in range(args.runs):
        times["bare"].append(bare())
        times["bare -I -S"].append(bare("-I", "-S"))
        times["sandbox"].append(sandboxed(False))
        times["sandbox metered"].append(sandboxed(True))
    median = {name: statistics.median(values) for name, values in times.items()}
    ratio = median["sandbox"] / median["bare"]
    ratio_no_site = median["sandbox"] / median["bare -I -S"]
    isolation = sandbox.isolation()
    rows = "\n".join(f"| {name} | {1000 * m:.1f} |" for name, m in median.items())
    body = (
        f"Machine: {platform.machine()}, CPython {platform.python_version()}; {args.runs} runs "
        f"of each, alternating; program `{PROGRAM}`.  Isolation: namespaces "
        f"{isolation.namespaces}, pids cgroup {isolation.pids_cgroup}.\n\n"
        f"| run | median ms |\n|---|---|\n{rows}\n\n"
        f"Ratio (sandbox.run / bare subprocess): **{ratio:.2f}** (target <= 1.5).  Part of the "
        f"margin is that the sandboxed child skips site-packages (-S); against a bare child that "
        f"skips it too (`-I -S`) the ratio is **{ratio_no_site:.2f}**."
    )
    record_section("runner_latency", f"python bench/runner_latency.py --runs {args.runs}", body)
    print(body)


if __name__ == "__main__":
    main()

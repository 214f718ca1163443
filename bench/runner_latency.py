"""Sandbox latency: median wall time of quines_text.sandbox.run on `print(1)` versus a bare
`subprocess.run([python, "-I", "-S", "-c", ...])` child in the same run, and the CPU time each
run costs.

A sandbox run includes everything a caller pays: the run's memory and pids cgroups, the
launcher's stage (root only: private mount namespace, size- and inode-capped tmpfs, uid
65534), bubblewrap (user, mount, PID, IPC, UTS, network and cgroup namespaces, read-only
binds, /dev, /proc), the launcher's init (rlimits, seccomp filter with notifications), the
Python child (`-P -S -s`) with its bootstrap, audit hook and report call, and the clean-up.
"pre-started" runs take a tree that quines_text.sandbox.prestart started ahead of time (the
default); "cold" runs start theirs (RSI_SANDBOX_PRESTART=0).  "without bubblewrap" is the same
with RSI_SANDBOX_BWRAP=0 (quines_text.sandbox.layers): no namespaces, a host run folder.  The
kinds alternate so that load from other processes hits all alike; between two pre-started
runs of one kind the other kinds run, so a ready tree is waiting.

CPU per run: a separate block of back-to-back runs of each kind, the host process's own CPU
time (its threads: the pool's starter among them) plus its reaped children's (rusage), over
the block, divided by the runs; for pre-started kinds it includes the start of every tree
used and of the one left ready at the end (killed by prestart.close() before the count).
The block's mean wall time is the back-to-back figure: there the next tree's start overlaps
the current run; its last column counts the block's pre-started runs that found no tree and
started cold (the first always does: the pool starts empty).  Target: sandbox / bare -I -S <= 1.5.

Usage: python bench/runner_latency.py [--runs N]
"""
from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable

from record import record_section

from quines_text import sandbox
from quines_text.sandbox import Isolation, languages, prestart

PROGRAM = "print(1)"
MISSES = [0]  # pre-started runs that found no ready tree and started cold


def bare(*flags: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, *flags, "-c", PROGRAM], capture_output=True, check=True)
    return time.perf_counter() - start


def sandboxed(iso: Isolation, meter: bool, prestarted: bool) -> float:
    languages.isolation = lambda: iso  # type: ignore[assignment]  # pick the layers measured
    os.environ["RSI_SANDBOX_PRESTART"] = "1" if prestarted else "0"
    start = time.perf_counter()
    result = sandbox.run(PROGRAM, "python", meter=meter)
    elapsed = time.perf_counter() - start
    if result.status != "ok" or result.stdout != b"1\n":
        sys.exit(f"sandbox run failed: {result}")
    if prestarted and not prestart.used_by_last_run():
        MISSES[0] += 1
    return elapsed


def without_bubblewrap() -> Isolation:
    os.environ["RSI_SANDBOX_BWRAP"] = "0"
    sandbox.isolation.cache_clear()
    try:
        return sandbox.isolation()
    finally:
        del os.environ["RSI_SANDBOX_BWRAP"]
        sandbox.isolation.cache_clear()


def cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def block(measure: Callable[[], float], runs: int) -> tuple[float, float, int]:
    """(CPU s per run, mean wall s per run, pre-started runs that started cold) of `runs`
    back-to-back runs (the first pre-started one is always cold: the pool starts empty)."""
    prestart.close()
    MISSES[0] = 0
    cpu = cpu_seconds()
    start = time.perf_counter()
    for _ in range(runs):
        measure()
    wall = time.perf_counter() - start
    prestart.close()  # the tree left ready is killed and reaped: its start is counted
    return (cpu_seconds() - cpu) / runs, wall / runs, MISSES[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    if args.runs < 1:
        sys.exit(f"--runs must be >= 1, got {args.runs}")
    full, plain = sandbox.isolation(), without_bubblewrap()
    sandboxed(full, False, False)  # warm-up: builds the launcher, the filter
    sandboxed(plain, False, False)
    kinds: dict[str, Callable[[], float]] = {
        "bare -I -S": lambda: bare("-I", "-S"), "bare": bare,
        "sandbox pre-started": lambda: sandboxed(full, False, True),
        "sandbox cold": lambda: sandboxed(full, False, False),
        "sandbox metered pre-started": lambda: sandboxed(full, True, True),
        "without bubblewrap pre-started": lambda: sandboxed(plain, False, True),
        "without bubblewrap cold": lambda: sandboxed(plain, False, False),
    }
    for measure in kinds.values():  # the first pre-started run of each key is cold
        measure()
    times: dict[str, list[float]] = {name: [] for name in kinds}
    MISSES[0] = 0
    for _ in range(args.runs):
        for name, measure in kinds.items():
            times[name].append(measure())
    misses = MISSES[0]
    median = {name: statistics.median(values) for name, values in times.items()}
    cpu_runs = max(1, args.runs // 2)
    blocks = {name: block(measure, cpu_runs) for name, measure in kinds.items()}
    os.environ.pop("RSI_SANDBOX_PRESTART", None)
    with open("/proc/loadavg") as loadavg:
        load = loadavg.read().split()[0]
    base = median["bare -I -S"]
    rows = "\n".join(
        f"| {name} | {1000 * m:.1f} | {m / base:.2f} | {1000 * blocks[name][1]:.1f} | "
        f"{1000 * blocks[name][0]:.1f} | {blocks[name][2]} |" for name, m in median.items())
    body = (
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs (load average {load} at the "
        f"end), CPython {platform.python_version()}; {args.runs} runs of each, alternating, "
        f"then {cpu_runs} back to back of each for the CPU time; program `{PROGRAM}`.  "
        f"Layers: {'; '.join(full.layers)}.  Without bubblewrap: {'; '.join(plain.layers)}.\n\n"
        "| run | median ms (alternating) | / bare -I -S | mean ms back to back | "
        "CPU ms per run (host + children) | cold starts back to back |\n"
        "|---|---|---|---|---|---|\n"
        f"{rows}\n\n"
        f"Ratio (sandbox.run / bare `python -I -S -c`): **"
        f"{median['sandbox pre-started'] / base:.2f}** pre-started with bubblewrap "
        f"(cold: {median['sandbox cold'] / base:.2f}), **"
        f"{median['without bubblewrap pre-started'] / base:.2f}** pre-started without "
        f"(cold: {median['without bubblewrap cold'] / base:.2f}); target <= 1.5.  Back to "
        f"back, where the next tree starts while the current run runs: **"
        f"{blocks['sandbox pre-started'][1] / blocks['bare -I -S'][1]:.2f}** with bubblewrap, "
        f"{blocks['without bubblewrap pre-started'][1] / blocks['bare -I -S'][1]:.2f} without.  "
        f"{misses} of the {3 * args.runs} alternating pre-started runs found no ready tree "
        "and started cold.  The pre-start moves the start-up off the caller's clock, not off "
        "the CPU: see the CPU column."
    )
    record_section("runner_latency", f"python bench/runner_latency.py --runs {args.runs}", body)
    print(body)


if __name__ == "__main__":
    main()

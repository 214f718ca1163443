"""Sandbox latency: median wall time of quines_text.sandbox.run on `print(1)` versus a bare
`subprocess.run([python, "-I", "-S", "-c", ...])` child in the same run.

The sandbox run includes everything a caller pays: the run's memory and pids cgroups, the
launcher's stage (root only: private mount namespace, size- and inode-capped tmpfs, uid
65534), bubblewrap (user, mount, PID, IPC, UTS, network and cgroup namespaces, read-only
binds, /dev, /proc), the launcher's init (rlimits, seccomp filter with notifications), the
Python child (`-P -S -s`) with its bootstrap, audit hook and report pipe, and the clean-up.
"without bubblewrap" is the same with RSI_SANDBOX_BWRAP=0 (quines_text.sandbox.layers): no
namespaces, a host run folder.  The kinds of runs alternate so that load from other processes
hits all alike.  Target: sandbox / bare -I -S <= 1.5.

Usage: python bench/runner_latency.py [--runs N]
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time

from record import record_section

from quines_text import sandbox
from quines_text.sandbox import Isolation, languages

PROGRAM = "print(1)"


def bare(*flags: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, *flags, "-c", PROGRAM], capture_output=True, check=True)
    return time.perf_counter() - start


def sandboxed(iso: Isolation, meter: bool) -> float:
    languages.isolation = lambda: iso  # type: ignore[assignment]  # pick the layers measured
    start = time.perf_counter()
    result = sandbox.run(PROGRAM, "python", meter=meter)
    elapsed = time.perf_counter() - start
    if result.status != "ok" or result.stdout != b"1\n":
        sys.exit(f"sandbox run failed: {result}")
    return elapsed


def without_bubblewrap() -> Isolation:
    os.environ["RSI_SANDBOX_BWRAP"] = "0"
    sandbox.isolation.cache_clear()
    try:
        return sandbox.isolation()
    finally:
        del os.environ["RSI_SANDBOX_BWRAP"]
        sandbox.isolation.cache_clear()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    if args.runs < 1:
        sys.exit(f"--runs must be >= 1, got {args.runs}")
    full, plain = sandbox.isolation(), without_bubblewrap()
    sandboxed(full, False)  # warm-up: builds the launcher, the filter
    sandboxed(plain, False)
    kinds = {"bare -I -S": lambda: bare("-I", "-S"), "bare": bare,
             "sandbox": lambda: sandboxed(full, False),
             "sandbox metered": lambda: sandboxed(full, True),
             "sandbox without bubblewrap": lambda: sandboxed(plain, False)}
    times: dict[str, list[float]] = {name: [] for name in kinds}
    for _ in range(args.runs):
        for name, measure in kinds.items():
            times[name].append(measure())
    median = {name: statistics.median(values) for name, values in times.items()}
    with open("/proc/loadavg") as loadavg:
        load = loadavg.read().split()[0]
    base = median["bare -I -S"]
    rows = "\n".join(f"| {name} | {1000 * m:.1f} | {m / base:.2f} |" for name, m in median.items())
    body = (
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs (load average {load} at the "
        f"end), CPython "
        f"{platform.python_version()}; {args.runs} runs of each, alternating; program "
        f"`{PROGRAM}`.  Layers: {'; '.join(full.layers)}.  Without bubblewrap: "
        f"{'; '.join(plain.layers)}.\n\n"
        f"| run | median ms | / bare -I -S |\n|---|---|---|\n{rows}\n\n"
        f"Ratio (sandbox.run / bare `python -I -S -c`): **{median['sandbox'] / base:.2f}** "
        f"with bubblewrap, **{median['sandbox without bubblewrap'] / base:.2f}** without "
        f"(target <= 1.5)."
    )
    record_section("runner_latency", f"python bench/runner_latency.py --runs {args.runs}", body)
    print(body)


if __name__ == "__main__":
    main()

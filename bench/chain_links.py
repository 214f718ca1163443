"""Time per link of an RSI chain of Mahoney's Example 6 C program (Mahoney 2008).

`quines_text.chain.run_chain` on rsi/data/mahoney_example6.c with n links, no goal, starting
from an empty C compile cache (a fresh XDG_CACHE_HOME; the sandbox launcher is built before
the clock starts).  Two times per program, from the same run:

- first pass (generation): P_{i+1} = P_i(-1), then P_{i+1}(t0) and its complexity bounds; each
  P_i is compiled once by the harness (cache miss) and run twice;
- replay in D_n (the constructive description for the largest n): the same successors run
  again, every binary already in the compile cache.

The ratio first pass / replay is what compile caching saves per link and shows the cost of
one sandboxed run.  Usage: python bench/chain_links.py [-n 1000]
"""
from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

from record import record_section

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE6 = ROOT / "rsi" / "data" / "mahoney_example6.c"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="rsi-bench-cache-") as cache:
        os.environ["XDG_CACHE_HOME"] = cache
        from quines_text import sandbox
        from quines_text.chain import run_chain

        sandbox.run("int main(void){return 0;}", "c")  # builds the launcher outside the clock
        marks: dict[str, float] = {}
        start = time.perf_counter()
        report = run_chain(
            EXAMPLE6.read_text(), "c", args.n,
            progress=lambda label: marks.__setitem__(label, time.perf_counter()),
        )
        total = time.perf_counter() - start
    n = len(report.links)
    first_pass = (marks[f"P_{n}"] - start) / n
    checked = report.constructive.checked
    before_last = marks[f"D_{checked[-2]}"] if len(checked) > 1 else marks[f"P_{n}"]
    replay = (marks[f"D_{checked[-1]}"] - before_last) / max(checked[-1] - 1, 1)
    fit = report.fit
    machine = f"{platform.machine()}, {os.cpu_count()} CPUs, CPython {platform.python_version()}"
    body = f"""Machine: {machine}; sandbox namespaces: {sandbox.isolation().namespaces}.

| quantity | value |
|---|---|
| links (all verified) | {n} ({report.all_links_verified}) |
| first pass, per link (compile + 2 sandboxed runs + bounds) | {first_pass * 1000:.1f} ms |
| replay inside D_{checked[-1]}, per successor (cached binary, 1 run) | {replay * 1000:.1f} ms |
| ratio first pass / replay | {first_pass / replay:.2f} |
| D_n run for n in | {len(checked)} values up to {checked[-1]}, all printed P_n: {report.constructive.verified} |
| constructive bound fit | {fit.a:.2f} + {fit.b:.3f} ln n (rms {fit.rms:.3f}) |
| total wall time | {total:.1f} s |
"""
    print(body)
    record_section("chain_links", f"python bench/chain_links.py -n {args.n}", body)
    sys.exit(0 if report.holds else 1)


if __name__ == "__main__":
    main()

"""Soup speed: interactions per second at 2^17 programs x 2^13 step limit (the soup of
Aguera y Arcas et al. 2024, "Computational Life").

Runs a fresh soup (seed 0, paper settings, both engine threads) for EPOCHS epochs and reports
this engine's figures only: interactions/s (one interaction = one pair run), epochs/s, wall and
CPU time.  No reference figure enters the computation; the side-by-side comparison with the
reference engine cubff was measured elsewhere and is quoted, so labelled, in bench/RESULTS.md.

Usage: python bench/soup_speed.py [--epochs E] [--threads T]
"""
from __future__ import annotations

import argparse
import os
import time

from record import record_section

from quines_text.soup.pool import Soup, SoupConfig


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    soup = Soup(SoupConfig(threads=args.threads))
    soup.step()  # warm-up: first touch of the arrays
    wall, cpu = time.perf_counter(), time.process_time()
    steps = ops = 0.0
    for _ in range(args.epochs):
        stats = soup.step()
        steps += stats.steps_per_interaction / args.epochs
        ops += stats.ops_per_interaction / args.epochs
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    interactions = args.epochs * soup.config.programs // 2
    rate = interactions / wall
    load = os.getloadavg()[0]
    body = (
        f"{soup.config.programs} programs, step limit {soup.config.max_steps}, variant "
        f"{soup.config.variant}, {args.threads} engine threads, epochs 2..{args.epochs + 1} of "
        f"seed 0 (random soup, before any transition): mean {steps:.0f} steps and {ops:.1f} ops "
        f"per interaction.\n\n"
        f"| interactions | wall s | CPU s (all threads) | interactions/s | epochs/s "
        f"| interactions per CPU-second |\n"
        f"|---|---|---|---|---|---|\n"
        f"| {interactions} | {wall:.2f} | {cpu:.2f} | {rate:.3g} | {args.epochs / wall:.2f} "
        f"| {interactions / cpu:.3g} |\n\n"
        f"1-minute load average at the end: {load:.2f} on {os.cpu_count()} CPUs (other jobs "
        f"share the cores; interactions/s is the engine's speed only when the load is about the "
        f"thread count)."
    )
    record_section("soup_speed", f"python bench/soup_speed.py --epochs {args.epochs} "
                   f"--threads {args.threads}", body)
    print(body)


if __name__ == "__main__":
    main()

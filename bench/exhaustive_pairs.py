"""The pairwise "Q improves on P" relation on every small program: the numpy mirror of
proofs.exhaustive against calling rsi.definitions.improves pair by pair (on a sample, scaled to
all pairs).  Writes the `## exhaustive_pairs` section of bench/RESULTS.md."""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from record import record_section  # noqa: E402

from proofs import exhaustive  # noqa: E402
from proofs.exhaustive import Domain, improves_matrix  # noqa: E402
from rsi.definitions import improves  # noqa: E402
from rsi.goals import goal_values, identity  # noqa: E402
from rsi.programs import ObservedProgram  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sample", type=int, default=20000, help="pairs timed on the core")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    domain = Domain()
    values = domain.values()
    n = len(values)
    best_numpy = float("inf")
    for _ in range(args.repeats):
        exhaustive._condition_masks.cache_clear()  # time the computation, not the cache
        start = time.perf_counter()
        improves_matrix(goal_values(identity, values))
        best_numpy = min(best_numpy, time.perf_counter() - start)
    programs = [ObservedProgram(tuple(int(v) for v in row)) for row in values]
    pairs = np.random.default_rng(0).integers(0, n, size=(args.sample, 2))
    start = time.perf_counter()
    for q, p in pairs:
        improves(programs[q], programs[p], identity, domain.horizon)
    per_pair = (time.perf_counter() - start) / args.sample
    core_all = per_pair * n * n
    body = (
        f"Domain: values 0..{domain.max_value} on t = 0..{domain.horizon}: {n} programs, "
        f"{n * n} ordered pairs, identity goal, all four conditions.\n\n"
        "| method | seconds for all pairs |\n|---|---|\n"
        f"| rsi.definitions.improves per pair ({per_pair * 1e6:.1f} us/pair on {args.sample} "
        f"sampled pairs, scaled) | {core_all:.1f} |\n"
        f"| proofs.exhaustive.improves_matrix (numpy, best of {args.repeats}) | {best_numpy:.3f} |\n\n"
        f"Ratio (per-pair core / numpy): **{core_all / best_numpy:.0f}x**."
    )
    record_section("exhaustive_pairs", "python bench/exhaustive_pairs.py", body)
    print(body)


if __name__ == "__main__":
    main()

"""Evaluating Mahoney's definitions on a horizon of 10^6: a SpecProgram given by sympy
expressions (vectorised through numpy) against the same program given by Python callables
(evaluated once per t).  Writes the `## definitions_horizon` section of bench/RESULTS.md."""
from __future__ import annotations

import argparse
import functools
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from record import record_section  # noqa: E402

from rsi.definitions import has_goal, improves, values_on  # noqa: E402
from rsi.goals import identity, prime  # noqa: E402
from rsi.programs import SpecProgram, t  # noqa: E402


def best_of(repeats: int, job: Callable[[], object]) -> float:
    """Best wall time of `repeats` runs of job (each on fresh programs: nothing cached)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        job()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--horizon", type=int, default=10**6)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    horizon = args.horizon

    def sympy_programs(n: int) -> SpecProgram:
        return SpecProgram(t + n, t / 2)

    def callable_programs(n: int) -> SpecProgram:
        return SpecProgram(lambda k: k + n, lambda k: k / 2)

    jobs = {
        "values_on P(t) = t + 3": lambda make: values_on(make(3), horizon),
        "has_goal identity": lambda make: has_goal(make(3), identity, horizon),
        "has_goal PRIME": lambda make: has_goal(make(3), prime, horizon),
        "improves (t + 4 on t + 3), identity": lambda make: improves(make(4), make(3), identity, horizon),
    }
    rows = []
    for name, job in jobs.items():
        vectorised = best_of(args.repeats, functools.partial(job, sympy_programs))
        per_t = best_of(args.repeats, functools.partial(job, callable_programs))
        rows.append(f"| {name} | {vectorised:.3f} | {per_t:.3f} | {per_t / vectorised:.0f}x |")
        print(rows[-1])
    body = (
        f"Horizon T = {horizon}; best of {args.repeats} runs, fresh programs each run (no "
        "cache); steps(t) = t/2.\n\n"
        "| job | sympy SpecProgram (numpy), s | Python-callable SpecProgram (per t), s | ratio |\n"
        "|---|---|---|---|\n" + "\n".join(rows)
    )
    command = "python bench/definitions_horizon.py" + (
        f" --horizon {horizon}" if horizon != 10**6 else "") + (
        f" --repeats {args.repeats}" if args.repeats != 3 else "")
    record_section("definitions_horizon", command, body)


if __name__ == "__main__":
    main()

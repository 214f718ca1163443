"""How often property search alone finds each counterexample `rsi prove` must find.

For every law that must break (each condition of "Q improves on P" is needed; irreflexivity
without condition 3; asymmetry without condition 4; the laws broken by the deliberately wrong
definitions of tests/proofs/wrong_definitions.py), run the Hypothesis search of
`proofs.runner.check_law` with the default example budget of `rsi prove`
(`proofs.obligations.QUICK_EXAMPLES`) under SEEDS different random seeds, and report the
fraction of runs that found a counterexample and the mean time per run.

    .venv/bin/python bench/property_search.py [SEEDS] [EXAMPLES] [--no-target]

`--no-target` drops each law's `hypothesis.target` score, to measure what the targeting adds.
"""
from __future__ import annotations

import dataclasses
import importlib.util
import sys
import time
from pathlib import Path

from proofs import laws
from proofs.obligations import QUICK_EXAMPLES, necessity_runs
from proofs.runner import check_law


def _wrong_definitions() -> list:
    path = Path(__file__).resolve().parent.parent / "tests" / "proofs" / "wrong_definitions.py"
    spec = importlib.util.spec_from_file_location("wrong_definitions", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return [(law, definitions) for definitions, broken in module.WRONG for law in broken]


def main(seeds: int = 20, examples: int = QUICK_EXAMPLES, targeted: bool = True) -> None:
    runs = [(law, d) for law, d, expect in necessity_runs() if expect == "refuted"] + _wrong_definitions()
    if not targeted:
        runs = [(dataclasses.replace(law, score=None), d) for law, d in runs]
    label = "targeted" if targeted else "no target"
    print(f"| law | definitions | found (of {seeds} seeds, {examples} examples, {label}) | mean s/run |")
    print("|---|---|---|---|")
    for law, definitions in runs:
        found, start = 0, time.perf_counter()
        for k in range(seeds):
            found += check_law(law, definitions, examples, random_seed=k).kind == "refuted"
        elapsed = (time.perf_counter() - start) / seeds
        print(f"| {law.name} | {definitions.name} | {found}/{seeds} | {elapsed:.2f} |", flush=True)
    assert laws.LAWS  # the law list imported above is the one `rsi prove` runs


if __name__ == "__main__":
    numbers = [int(a) for a in sys.argv[1:] if not a.startswith("--")]
    main(*numbers[:2], targeted="--no-target" not in sys.argv)

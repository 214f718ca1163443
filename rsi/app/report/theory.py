"""The report's stages on Mahoney 2008 itself: Examples 1-6 (`rsi.examples`, Example 6 in
`quines_text.paper_examples`, and Example 6 again on the metered C machine), RSI chains
with the Theorem's O(log n) bound (`quines_text.chain`), and the proof obligations of the
definitions (`proofs.obligations`).  Each stage returns JSON-able data; the harness and the
proofs are imported inside the functions (rsi core imports nothing of them)."""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from rsi.app.report.sizes import ReportSizes

Tick = Callable[[str], None]


def examples_stage(sizes: ReportSizes, device: str, tick: Tick) -> dict[str, Any]:
    """Every claim of Examples 1-6 computed and compared with the paper, and Example 6 on the
    metered C machine (metered_example6)."""
    from quines_text.paper_examples.example6 import ALL_EXAMPLES

    results = []
    for example in ALL_EXAMPLES:
        results.append(example.check().to_dict())
        tick(f"Example {example.number}")
    metered = metered_example6()
    tick("Example 6 on c-wasm")
    agree = all(result["agrees"] for result in results) and metered.get("agrees", True)
    return {"examples": results, "all_agree": agree, "metered_example6": metered}


def metered_example6(programs: int = 2) -> dict[str, Any]:
    """Example 6's P_1 .. P_programs on c-wasm over a horizon taken from the data: the output
    time of P_1 (`output_time`) plus MARGIN.  {"skipped": why} when the toolchain is missing."""
    from quines_text.machines.wasm_build import toolchain_missing
    from quines_text.paper_examples.example6_metered import MARGIN, example6_on_machine, output_time
    from rsi.examples import example6_source

    missing = toolchain_missing()
    if missing is not None:
        return {"skipped": f"the metered C machine c-wasm cannot run here: {missing}"}
    began = time.perf_counter()
    first, scan = output_time(example6_source())
    result = example6_on_machine(programs=programs, horizon=first + MARGIN)
    return {**result.to_dict(), "output_time_scan": list(scan), "margin": MARGIN,
            "seconds": round(time.perf_counter() - began, 2)}


def chains_stage(sizes: ReportSizes, device: str, tick: Tick) -> dict[str, Any]:
    """The paper's Example 6 C program and a Python successor program (P_n(t) = t + n, from
    `quines_text.quine.make_successor`) chained to P_n.  Improvement is checked on the C chain
    only: the metered Python P_n needs about 100 steps to print t + n, so checking it needs a
    horizon of some hundreds of sandboxed runs per link."""
    from quines_text.chain import run_chain
    from quines_text.quine import SUCCESSOR_TEMPLATES, make_successor
    from rsi.examples import example6_source
    from rsi.goals import identity

    c_chain = run_chain(example6_source(), "c", sizes.chain_links, goal=identity,
                        goal_name="identity", horizon=sizes.chain_horizon,
                        progress=lambda label: tick(f"C chain {label}"))
    python_p1 = make_successor(SUCCESSOR_TEMPLATES["python"], "python", 1)
    python_chain = run_chain(python_p1, "python", sizes.chain_links,
                             progress=lambda label: tick(f"Python chain {label}"))
    return {
        "chains": {
            "c (Mahoney Example 6)": {**c_chain.to_dict(), "holds": c_chain.holds},
            "python (make_successor)": {**python_chain.to_dict(), "holds": python_chain.holds},
        }
    }


def proofs_stage(sizes: ReportSizes, device: str, tick: Tick) -> dict[str, Any]:
    """The table `rsi prove` prints, with `prove_examples` cases per property law."""
    from proofs.obligations import prove_all

    tick("property, exhaustive and symbolic checks")
    return prove_all(sizes.prove_examples).to_dict()

"""Machines: Mahoney's "fixed universal Turing machine L", one per language.

A metered machine counts steps exactly and stops at the budget, so `value(source, t)` is
Mahoney's P(t) exactly; an unmetered one runs under a wall-clock guard and says so
(`metered = False`).  I/O convention (DESIGN.md): stdin is one line with t in decimal; stdout is
a decimal integer for t >= 0 and the successor program's source for t = -1.
Adding a language is one small module plus one entry in `MACHINES`.
"""
from __future__ import annotations

from typing import Protocol, runtime_checkable

from quines_text.results import RunResult
from rsi.programs import Outcome


@runtime_checkable
class Machine(Protocol):
    name: str
    metered: bool

    def run(self, source: str, stdin: bytes = b"", step_budget: int | None = None) -> RunResult:
        """Run `source` on `stdin`; a metered machine stops with status step_limit past the budget."""
        ...

    def value(self, source: str, t: int) -> Outcome:
        """Mahoney's P(t): run on input t with a budget of t steps (metered machines)."""
        ...

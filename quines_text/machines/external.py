"""Unmetered machines: plain Python, C (gcc) and JavaScript (node) in the sandbox.

They give Mahoney's P(t) (Mahoney 2008, section Goals) only approximately: no step count
exists (steps is None), so `value(source, t)` runs the program on input t to its end under the
sandbox's wall-clock and CPU limits and reads its output; a run stopped by a limit counts as
not halted (P(t) = 0).  Use the metered `python` machine where the step budget matters.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from quines_text import sandbox
from quines_text.machines import outcome_from_run, stdin_for
from quines_text.run_result import RunResult
from rsi.programs import Outcome


@dataclass(frozen=True)
class ExternalMachine:
    """A language run by the sandbox without a step meter (`lang` is a sandbox language)."""

    name: str
    lang: str
    limits: sandbox.Limits = field(default_factory=sandbox.Limits)
    metered: bool = False

    def run(self, source: str, stdin: bytes = b"", step_budget: int | None = None) -> RunResult:
        """Run under the wall-clock guard; `step_budget` is ignored (nothing counts steps)."""
        return sandbox.run(source, self.lang, stdin, self.limits)

    def value(self, source: str, t: int) -> Outcome:
        if t < 0:
            raise ValueError(f"P(t) needs t >= 0, got t={t}")
        return outcome_from_run(self.run(source, stdin_for(t)))


MACHINES = {
    "python-plain": ExternalMachine("python-plain", "python"),
    "c": ExternalMachine("c", "c"),
    "js": ExternalMachine("js", "js"),
}

"""The metered Python machine: Mahoney's P(t) computed exactly for Python programs.

Mahoney 2008, section Goals: P(t) is the positive natural number printed by P on input t
"after t time steps" of a fixed machine L, else 0.  Here L is CPython 3.11 inside the sandbox
(quines_text.sandbox) and one time step is one executed bytecode instruction of the program's
own code -- the module body, its functions, lambdas, comprehensions and class bodies, and code
it compiles at run time with exec/eval -- counted by the C tracer quines_text._opmeter (one
PyTrace_OPCODE event per instruction; RESUME and inline CACHE entries are not instructions
that execute).  Not counted: interpreter start-up, the sandbox bootstrap, library code (code
objects equal to the genuine code of a standard-library file or frozen module: decided by the
code, not by its file name), built-in functions, and the final output flush; so the count
depends only on the program text and its input, not on the host.  The same program and input
give the same count on every run (string hashing is fixed by PYTHONHASHSEED=0).  The meter
cannot be evaded: code that borrows a library file name, a thread start (only the main thread
is metered), switching tracing off (sys.settrace, sys.setprofile, frame.f_trace_opcodes) and
calls of the meter's controls all end the run `forbidden` (quines_text/_opmeter_policy.c).
P(0..T) is computed in one sandboxed interpreter, the warm evaluator
(quines_text.sandbox.evaluator): fresh globals and budget t for every t, the same values and
step counts as one process per t.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from quines_text import sandbox
from quines_text.machines import outcome_from_run, stdin_for
from quines_text.run_result import RunResult
from quines_text.sandbox.evaluator import run_python_batch
from rsi.programs import Outcome


@dataclass(frozen=True)
class MeteredPython:
    """Python with exact instruction counts.  run(..., step_budget=None) counts without a
    budget; value(source, t) runs on input t with a budget of t steps (Mahoney's P(t))."""

    limits: sandbox.Limits = field(default_factory=sandbox.Limits)
    name: str = "python"
    metered: bool = True

    def run(self, source: str, stdin: bytes = b"", step_budget: int | None = None) -> RunResult:
        return sandbox.run(source, "python", stdin, self.limits, meter=True,
                           step_budget=step_budget)

    def value(self, source: str, t: int) -> Outcome:
        if t < 0:
            raise ValueError(f"P(t) needs t >= 0, got t={t}")
        return outcome_from_run(self.run(source, stdin_for(t), step_budget=t))

    def runs(self, source: str, ts: list[int]) -> list[RunResult]:
        """The runs value(source, t) makes, for every t in `ts`, in one warm evaluator."""
        return run_python_batch(source, ts, self.limits)

    def values(self, source: str, horizon: int) -> list[Outcome]:
        """P(0), ..., P(horizon) in one warm evaluator: each value (and its step count) is
        the one value(source, t) gives."""
        if horizon < 0:
            raise ValueError(f"horizon must be >= 0, got {horizon}")
        return [outcome_from_run(run) for run in self.runs(source, list(range(horizon + 1)))]


MACHINES = {"python": MeteredPython()}

"""The BF machine: a metered "fixed universal Turing machine L" for Mahoney's P(t).

Mahoney 2008, section Goals: P(t) is the positive natural number printed by P on input t
within t time steps of L, else 0.  Here L is BF, run in-process by the C engine
`quines_text._bfengine` (a pure engine: no files, no system calls, and the step budget always
ends it, so no sandbox is needed).

Semantics (documented choices where BF dialects differ):

- **One step** is one executed instruction among the eight `+ - < > . , [ ]`.  Every other
  character is a comment: it is dropped when the program is compiled and is never counted.
  A `[` counts one step whether or not it jumps, and so does a `]`.
- Cells are bytes that wrap (255 + 1 = 0); the tape has `cells` cells (30,000), the pointer
  starts at cell 0.  Moving left of cell 0 or right of the last cell ends the run with status
  `crash` (the offending move is counted as a step).
- `,` at the end of stdin leaves the cell unchanged.
- Unmatched brackets: status `compile_error`, 0 steps, stderr names the bracket's byte
  offset in the UTF-8 source.
- The run is in-process, so `exit_code` is None; `stderr` says why a run crashed.
- The budget: at most `step_budget` instructions run; a program that needs one more ends
  with status `step_limit` and `steps == step_budget`.  With `step_budget=None` the budget is
  `default_step_cap` (10^9 steps, about a second of engine time).
- Output is capped at `output_limit` bytes (1 MiB): the `.` that would pass it ends the run
  with status `output_limit` (that `.` counted).

The I/O convention of DESIGN.md: stdin is t in decimal and a newline, so a BF program
computes on the ASCII digits; for example `,----------[++++++++++.,----------]` echoes the
line and so prints t.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import quines_text._bfengine as _bfengine
from quines_text.machines import outcome_from_run, stdin_for
from quines_text.run_result import RunResult
from rsi.programs import Outcome


@dataclass(frozen=True)
class BfMachine:
    """BF with byte cells and exact step counts (see the module docstring for the semantics)."""

    name: str = "bf"
    metered: bool = True
    cells: int = 30_000
    default_step_cap: int = 10**9
    output_limit: int = 1 << 20

    def run(self, source: str, stdin: bytes = b"", step_budget: int | None = None) -> RunResult:
        """Run `source` on `stdin` for at most `step_budget` instructions."""
        budget = self.default_step_cap if step_budget is None else step_budget
        if budget < 0:
            raise ValueError(f"step_budget must be >= 0, got {budget}")
        start = time.perf_counter()
        status, stdout, steps, message = _bfengine.bf_run(
            source.encode("utf-8"), stdin, budget, self.output_limit, self.cells
        )
        return RunResult(
            status=status,
            stdout=stdout,
            stderr=message.encode(),
            exit_code=None,
            steps=steps,
            wall_s=time.perf_counter() - start,
        )

    def value(self, source: str, t: int) -> Outcome:
        """Mahoney's P(t): the program on input t with a budget of t steps."""
        return outcome_from_run(self.run(source, stdin_for(t), t))


MACHINES = {"bf": BfMachine()}

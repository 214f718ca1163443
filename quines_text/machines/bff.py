"""BFF, the self-modifying language of Computational Life (Aguera y Arcas et al. 2024; facts
from the reference engine cubff in papers/NOTES.md), with exact step counts.

A BFF tape is program and data at once: in the soup it is two 64-byte programs concatenated
into 128 bytes.  Two heads and a program counter; the instructions are

    <  >   move head0          {  }   move head1          +  -   add / subtract 1 at head0
    .      tape[head1] = tape[head0]                    ,      tape[head0] = tape[head1]
    [      if tape[head0] == 0, jump past the matching ]
    ]      if tape[head0] != 0, jump back past the matching [

and every other byte is a no-op.  **One step is one iteration of the interpreter loop**: an
instruction, a no-op, or a bracket together with its scan for the partner.  Heads wrap modulo
the tape length.  A run ends at the step limit or when the pc leaves the tape; an unmatched
bracket whose jump is taken sends the pc off the tape, so it ends the run (that step counted).
`ops` counts the steps that were not no-ops (the paper's "ops per interaction").

Variants (`VARIANTS`): "bff" reads the heads from the tape (head0 = tape[0] % L,
head1 = tape[1] % L) and starts at pc 2; "bff_noheads" starts heads and pc at 0.

APIs: `run_tape` (one tape), `run_batch` (many tapes in one C loop over POSIX threads),
`run_pairs` (the soup's epoch: tapes built from pairs of programs inside the C loop), and
`BffMachine`, the Machine-protocol wrapper.  BFF has no input and no
output, so the wrapper is honest about it: the source's latin-1 bytes, zero-padded to 128, are
the tape; stdin is ignored; stdout is the final 128-byte tape.  `value(source, t)` is
therefore Mahoney's P(t) only in a degenerate sense: it is 0 unless the program halts within
t steps leaving a tape that reads as a decimal number, which is almost never the case.  What
the machine gives exactly is the step count and whether the program halted within the budget.
"""
from __future__ import annotations

import os
import time
from dataclasses import asdict, dataclass

import numpy as np

import quines_text._bfengine as _bfengine
from quines_text.machines import outcome_from_run, stdin_for
from quines_text.run_result import RunResult
from rsi.programs import Outcome

PROGRAM_LEN = 64  # bytes in one soup program
TAPE_LEN = 2 * PROGRAM_LEN  # a tape holds a pair of programs
MAX_STEPS = 2**13  # the paper's step limit per interaction


@dataclass(frozen=True)
class Variant:
    """How a run starts: heads read from tape[0], tape[1] and pc = 2, or heads and pc at 0."""

    name: str
    heads_from_tape: bool


VARIANTS: dict[str, Variant] = {
    "bff": Variant("bff", heads_from_tape=True),
    "bff_noheads": Variant("bff_noheads", heads_from_tape=False),
}


def variant_named(name: str) -> Variant:
    """The variant called `name`; ValueError listing the known ones otherwise."""
    if name not in VARIANTS:
        raise ValueError(f"unknown BFF variant {name!r}; known: {', '.join(VARIANTS)}")
    return VARIANTS[name]


@dataclass(frozen=True)
class BffRun:
    """One BFF run: the final tape, steps taken, non-no-op steps, and whether the pc left the
    tape (halted) rather than the run reaching its step limit."""

    tape: bytes
    steps: int
    ops: int
    halted: bool

    def to_dict(self) -> dict:
        return {**asdict(self), "tape": self.tape.hex()}


def run_tape(tape: bytes, max_steps: int = MAX_STEPS, variant: str = "bff") -> BffRun:
    """Run one tape (any length >= 2) for at most `max_steps` steps; the input is not changed."""
    if len(tape) < 2:
        raise ValueError(f"a BFF tape needs at least 2 bytes, got {len(tape)}")
    if max_steps < 0:
        raise ValueError(f"max_steps must be >= 0, got {max_steps}")
    work = bytearray(tape)
    steps, ops, halted = _bfengine.bff_run(work, max_steps, variant_named(variant).heads_from_tape)
    return BffRun(bytes(work), steps, ops, halted)


def _engine_threads(
    max_steps: int, threads: int | None, ops_out: np.ndarray | None, runs: int
) -> int:
    """The engine's thread count (default os.cpu_count()), after checking the arguments
    `run_batch` and `run_pairs` share; ValueError naming the bad one."""
    if max_steps < 0:
        raise ValueError(f"max_steps must be >= 0, got {max_steps}")
    threads = (os.cpu_count() or 1) if threads is None else threads
    if threads < 1:
        raise ValueError(f"threads must be >= 1, got {threads}")
    if ops_out is not None and (
        ops_out.dtype != np.int64 or ops_out.shape != (runs,) or not ops_out.flags.c_contiguous
    ):
        raise ValueError(f"ops_out must be a contiguous int64 array of shape ({runs},)")
    return threads


def run_batch(
    tapes: np.ndarray,
    max_steps: int = MAX_STEPS,
    variant: str = "bff",
    *,
    inplace: bool = False,
    threads: int | None = None,
    ops_out: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Run every row of `tapes` (uint8, shape (n, L), L >= 2) as its own BFF tape.

    Returns (tapes_out, steps): the final tapes and an int64 array of steps per tape.  With
    inplace=True the rows of `tapes` (which must then be C-contiguous) are overwritten and
    returned; otherwise the input is left alone and a new array is returned.  The tapes are
    spread over `threads` POSIX threads (default: os.cpu_count()); the result does not depend
    on it.  If `ops_out` (int64, shape (n,)) is given, it receives each run's non-no-op steps.
    """
    if not isinstance(tapes, np.ndarray) or tapes.dtype != np.uint8 or tapes.ndim != 2:
        raise ValueError("tapes must be a 2-D numpy array of uint8 (one tape per row)")
    if tapes.shape[1] < 2:
        raise ValueError(f"a BFF tape needs at least 2 bytes, got rows of {tapes.shape[1]}")
    if inplace and not tapes.flags.c_contiguous:
        raise ValueError("inplace=True needs C-contiguous tapes")
    threads = _engine_threads(max_steps, threads, ops_out, tapes.shape[0])
    out = tapes if inplace else np.array(tapes, order="C", copy=True)
    steps = np.zeros(tapes.shape[0], dtype=np.int64)
    _bfengine.bff_run_batch(
        out, tapes.shape[1], max_steps, variant_named(variant).heads_from_tape, threads,
        steps, ops_out,
    )
    return out, steps


def run_pairs(
    programs: np.ndarray,
    order: np.ndarray,
    max_steps: int = MAX_STEPS,
    variant: str = "bff",
    *,
    threads: int | None = None,
    ops_out: np.ndarray | None = None,
) -> np.ndarray:
    """The soup's interactions, in place: `programs` (uint8, shape (n, P), C-contiguous, n
    even) is paired by `order` (a permutation of range(n)): programs order[2i] and order[2i+1]
    are concatenated into one tape of 2P bytes, run, and split back.  Returns the steps of
    each pair (int64, shape (n/2,)); `ops_out`, if given, receives the non-no-op steps.
    The same result as `run_batch` on the gathered tapes, without the copies in Python."""
    if not isinstance(programs, np.ndarray) or programs.dtype != np.uint8 or programs.ndim != 2:
        raise ValueError("programs must be a 2-D numpy array of uint8 (one program per row)")
    if not programs.flags.c_contiguous or programs.shape[0] % 2:
        raise ValueError(f"programs must be C-contiguous and even in number, got {programs.shape[0]}")
    pairs = programs.shape[0] // 2
    threads = _engine_threads(max_steps, threads, ops_out, pairs)
    steps = np.zeros(pairs, dtype=np.int64)
    _bfengine.bff_run_pairs(
        programs, programs.shape[1], np.ascontiguousarray(order, dtype=np.int64), max_steps,
        variant_named(variant).heads_from_tape, threads, steps, ops_out,
    )
    return steps


@dataclass(frozen=True)
class BffMachine:
    """BFF in the Machine protocol (see the module docstring for the text encoding)."""

    name: str = "bff"
    metered: bool = True
    variant: str = "bff"
    default_step_cap: int = MAX_STEPS

    def run(self, source: str, stdin: bytes = b"", step_budget: int | None = None) -> RunResult:
        """Run the tape spelled by `source`; stdin is ignored (BFF has no input)."""
        budget = self.default_step_cap if step_budget is None else step_budget
        start = time.perf_counter()
        try:
            tape = source.encode("latin-1")
        except UnicodeEncodeError as error:
            return self._refused(f"character {error.start} is not a byte (latin-1)", start)
        if len(tape) > TAPE_LEN:
            return self._refused(f"the source has {len(tape)} bytes; a tape holds {TAPE_LEN}", start)
        result = run_tape(tape.ljust(TAPE_LEN, b"\0"), budget, self.variant)
        return RunResult(
            status="ok" if result.halted else "step_limit",
            stdout=result.tape,
            stderr=b"",
            exit_code=None,
            steps=result.steps,
            wall_s=time.perf_counter() - start,
        )

    def value(self, source: str, t: int) -> Outcome:
        """P(t) as defined for every machine; for BFF it is 0 but for tapes that read as numbers."""
        return outcome_from_run(self.run(source, stdin_for(t), t))

    @staticmethod
    def _refused(why: str, start: float) -> RunResult:
        return RunResult("compile_error", b"", why.encode(), None, 0, time.perf_counter() - start)


MACHINES = {"bff": BffMachine()}

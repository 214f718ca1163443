"""RSI chains of text programs and the O(log n) bound of Mahoney 2008's Theorem, checked.

Mahoney 2008, section Recursive Self Improvement: "P_1 is a recursively self improving (RSI)
program with respect to G if and only if P_i(-1) = P_{i+1} for all i > 0 and the sequence
P_i ... is an improving sequence with respect to G."  Theorem: "the algorithmic complexity of
P_n is not greater than O(log n)", by the proof's program "that takes P_1 and n as input, sets
P = P_1 and iterates P <- P(-1)".

`run_chain(p1, lang, n)` generates P_2 .. P_n by P_{i+1} = P_i(-1) (`TextProgram.successor`
on the harness), and for each P_i reports:

- `verified` (the link P_{i-1} -> P_i): P_{i-1}(-1) = P_i and nothing else, checked by running
  P_{i-1}(-1) a second time and comparing its text with P_i byte for byte (P_1 is given, so
  its link is verified).  `note` says why a link is not verified.
- `probe` = P_i(t0), Mahoney's value on the probe input t0, reported and never a failure: 0
  means P_i did not print a natural number within t0 steps (e.g. metered Python needs about
  100 steps), and `remark` says so.  `marked`: the program's marked integer (MARKED_INTEGER:
  the first decimal literal assigned to a name `n`, as in `int t,n=1;` of Example 6 and the
  first line of `quines_text.quine.make_successor` programs); `remark` also says when it did
  not go up by exactly 1.
- `improves_prev`: with a goal, the verdict of `rsi.definitions.improves(P_i, P_{i-1}, G, T)`.
  When no P_i prints a natural number for any t <= T, nothing can be compared: the report's
  `horizon_note` says so and `first_output_t` is the smallest t at which P_1 prints one (the
  smallest horizon that shows anything).
- `complexity`: upper bounds on K(P_i) from `rsi.complexity.complexity_bounds`.

The constructive description D_n is real Python text: the fixed CONTROL program after three
assignments holding P_1, its language and n.  It iterates P <- P(-1) n - 1 times with the
harness and prints P_n.  It is run (in this process, its stdout captured: the sandbox refuses
subprocesses and has no site-packages, and D_n needs both to run C or JavaScript programs;
every P_i that D_n runs goes through the sandbox as usual) and its output is compared with the
P_n of the chain.  A D_n that printed P_n is a program for P_n, so len(D_n) is a verified upper
bound on K(P_n) (up to the constant of the harness, the same for every n): the control part is
constant and only the digits of n change.  `fit` is a + b ln n fitted to these verified lengths
(the theorem's bound); `fit_bytes` the same fit to the byte lengths of P_n themselves.
"""
from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from quines_text.machines import MACHINE_MODULES, TextProgram
from rsi.complexity import (
    ComplexityBounds,
    LogFit,
    complexity_bounds,
    description_sample,
    fit_log,
    verify_descriptions,
)
from rsi.complexity import (
    constructive_description as describe,
)
from rsi.goals import Goal
from rsi.records import JsonRecord

MARKED_INTEGER = re.compile(r"\bn\s*=\s*(\d+)")
DEFAULT_PROBE = 1000
DEFAULT_HORIZON = 16
VERIFY_ALL_UP_TO = 50  # D_n is run for every n up to this; beyond it for a sample (see below)

CONTROL = '''import sys

from quines_text.machines import TextProgram

program = TextProgram(P1, LANG)
for _ in range(N - 1):
    program = program.successor()
sys.stdout.write(program.source)
'''
"""The control part of D_n, the same for every n (it reads P1, LANG and N)."""


def constructive_description(p1: str, lang: str, n: int) -> str:
    """D_n: Python text that prints P_n, made of P_1, its language, n and CONTROL
    (`rsi.complexity.constructive_description`)."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be an integer >= 1, got {n!r}")
    return describe({"P1": repr(p1), "LANG": repr(lang), "N": str(n)}, CONTROL)


def run_description(description: str) -> str:
    """Run the Python text `description` and return what it printed (see the module docstring
    for why it runs in this process)."""
    captured = io.StringIO()
    with contextlib.redirect_stdout(captured):
        exec(compile(description, "<constructive description>", "exec"), {"__name__": "__main__"})
    return captured.getvalue()


def marked_integer(source: str) -> int | None:
    """The program's marked integer (MARKED_INTEGER), or None if it has none."""
    match = MARKED_INTEGER.search(source)
    return int(match.group(1)) if match else None


def constructive_sample(n: int) -> tuple[int, ...]:
    """The n for which D_n is run: every n up to VERIFY_ALL_UP_TO; for longer chains
    1..10, the powers of two and n itself (running D_n costs n - 1 runs)."""
    return description_sample(n, n if n <= VERIFY_ALL_UP_TO else 10)


@dataclass(frozen=True)
class Link:
    """P_i of the chain: see the module docstring for `verified`.  note: why not verified."""

    i: int
    complexity: ComplexityBounds
    probe: int | None
    improves_prev: dict | None
    verified: bool
    marked: int | None
    note: str = ""
    remark: str = ""

    def to_dict(self) -> dict:
        return {
            "i": self.i,
            "bytes": self.complexity.bytes,
            "compressed": self.complexity.compressed,
            "probe": self.probe,
            "improves_prev": self.improves_prev,
            "verified": self.verified,
            "marked": self.marked,
            "note": self.note,
            "remark": self.remark,
        }


@dataclass(frozen=True)
class Constructive:
    """bytes[k]: len(D_{k+1}); control_bytes: len(CONTROL); checked: the n whose D_n was run;
    failed: those whose output was not P_n; verified: every checked D_n printed P_n."""

    bytes: tuple[int, ...]
    control_bytes: int
    checked: tuple[int, ...]
    failed: tuple[int, ...]

    @property
    def verified(self) -> bool:
        return bool(self.checked) and not self.failed

    def to_dict(self) -> dict:
        return {
            "verified": self.verified,
            "bytes": list(self.bytes),
            "control_bytes": self.control_bytes,
            "checked": list(self.checked),
            "failed": list(self.failed),
        }


@dataclass(frozen=True)
class ChainReport(JsonRecord):
    """The chain P_1 .. P_len(links) (shorter than asked when a successor failed: `stopped`)."""

    lang: str
    n: int
    links: tuple[Link, ...]
    constructive: Constructive
    fit: LogFit | None
    fit_bytes: LogFit | None
    goal: str | None
    horizon: int | None
    probe_t: int
    stopped: str = ""
    first_output_t: int | None = None
    horizon_note: str = ""

    @property
    def all_links_verified(self) -> bool:
        return len(self.links) == self.n and all(link.verified for link in self.links)

    @property
    def holds(self) -> bool:
        """What `rsi chain` exits 0 on: every link verified, every checked D_n printed P_n,
        and, with a goal, every P_i improves on P_{i-1} up to the horizon."""
        return (
            self.all_links_verified
            and self.constructive.verified
            and (self.goal is None or self.all_improve)
        )

    @property
    def all_improve(self) -> bool:
        """Every P_i (i >= 2) improves on P_{i-1} up to the horizon (holds_up_to or proven)."""
        from rsi.verdict import supports

        return all(link.improves_prev is not None and supports(link.improves_prev) for link in self.links[1:])

    def to_dict(self) -> dict:
        return {
            "lang": self.lang,
            "n": self.n,
            "goal": self.goal,
            "horizon": self.horizon,
            "probe_t": self.probe_t,
            "links": [link.to_dict() for link in self.links],
            "all_links_verified": self.all_links_verified,
            "stopped": self.stopped,
            "first_output_t": self.first_output_t,
            "horizon_note": self.horizon_note,
            "fit": _fit_dict(self.fit),
            "fit_bytes": _fit_dict(self.fit_bytes),
            "constructive": self.constructive.to_dict(),
        }



def _link(i: int, program: TextProgram, previous: TextProgram | None, probe_t: int,
          goal: Goal | None, horizon: int) -> Link:
    outcome = program.run(probe_t)
    marked = marked_integer(program.source)
    notes, remarks = [], []
    if not outcome.halted or outcome.note:
        remarks.append(f"P_{i}({probe_t}) = 0: {outcome.note or 'not halted within t steps'}")
    improves_prev = None
    if previous is not None:
        try:
            again = previous.successor().source
        except RuntimeError as error:
            again = None
            notes.append(f"running P_{i - 1}(-1) again failed: {error}")
        if again is not None and again != program.source:
            notes.append(f"P_{i - 1}(-1) printed a different text when run again: P_{i - 1}(-1) != P_{i}")
        before = marked_integer(previous.source)
        if before is not None and marked != before + 1:
            remarks.append(f"marked integer n went {before} -> {marked}, not up by 1")
        if goal is not None:
            from rsi.definitions import improves

            improves_prev = improves(program, previous, goal, horizon).to_dict()
    return Link(
        i=i,
        complexity=complexity_bounds(program.source.encode("utf-8")),
        probe=outcome.value,
        improves_prev=improves_prev,
        verified=not notes,
        marked=marked,
        note="; ".join(notes),
        remark="; ".join(remarks),
    )


FIRST_OUTPUT_SEARCH_LIMIT = 2**20  # steps; beyond it first_output_t is reported as unknown


def first_output_t(program: TextProgram, after: int) -> int | None:
    """The smallest t > after with P(t) > 0 (P halts within t steps and prints a natural
    number), by doubling then bisection: halting within t steps implies halting within more
    (the program is deterministic).  None if there is none up to FIRST_OUTPUT_SEARCH_LIMIT."""
    low, high = after, max(2 * after, 1)
    while program.value(high) == 0:
        if high >= FIRST_OUTPUT_SEARCH_LIMIT:
            return None
        low, high = high, min(2 * high, FIRST_OUTPUT_SEARCH_LIMIT)
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (low, middle) if program.value(middle) > 0 else (middle, high)
    return high


def _horizon_note(programs: Sequence[TextProgram], horizon: int) -> tuple[int | None, str]:
    """(first_output_t, note) when no program prints a natural number for any t <= horizon."""
    from rsi.definitions import values_on

    if any(values_on(program, horizon).any() for program in programs):
        return None, ""
    first = first_output_t(programs[0], horizon)
    shown = f"no P_i prints a natural number for any t <= {horizon}, so there is nothing to compare"
    if first is None:
        return None, f"{shown}, and P_1 prints none up to t = {FIRST_OUTPUT_SEARCH_LIMIT}"
    return first, (f"{shown}: P_1 first prints one at t = {first}, so --horizon {first} is the "
                   f"smallest that shows anything")


def _fit(ns: Sequence[int], sizes: Sequence[int]) -> LogFit | None:
    return fit_log(ns, sizes) if len(set(ns)) >= 2 else None


def _fit_dict(fit: LogFit | None) -> dict | None:
    """The fit as JSON: a, b and the residual (rms), plus every residual."""
    if fit is None:
        return None
    return {"a": fit.a, "b": fit.b, "residual": fit.rms, "residuals": list(fit.residuals)}


def run_chain(
    p1: str,
    lang: str,
    n: int,
    *,
    goal: Goal | None = None,
    goal_name: str | None = None,
    horizon: int = DEFAULT_HORIZON,
    probe_t: int = DEFAULT_PROBE,
    progress: Callable[[str], None] | None = None,
) -> ChainReport:
    """The chain P_1 .. P_n of `p1` on machine `lang`, each link checked (module docstring).

    goal: check "P_i improves on P_{i-1}" up to `horizon` (goal_name labels it in the report).
    progress: called with a short label after each program is generated and after each D_n
    run (n + len(constructive_sample(n)) calls in all).  ValueError for an unknown machine,
    n < 1, a negative horizon or probe, or a goal with a horizon < 1."""
    if lang not in MACHINE_MODULES:
        raise ValueError(f"unknown machine {lang!r}; machines: {', '.join(sorted(MACHINE_MODULES))}")
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be an integer >= 1, got {n!r}")
    if horizon < 0 or probe_t < 0:
        raise ValueError(f"horizon and probe must be >= 0, got {horizon} and {probe_t}")
    if goal is not None and horizon < 1:
        raise ValueError(f"checking a goal needs a horizon >= 1, got {horizon}")
    tick = progress or (lambda label: None)
    programs = [TextProgram(p1, lang)]
    links = [_link(1, programs[0], None, probe_t, goal, horizon)]
    tick("P_1")
    stopped = ""
    for i in range(2, n + 1):
        try:
            programs.append(programs[-1].successor())
        except RuntimeError as error:
            stopped = f"P_{i - 1}(-1): {error}"
            break
        if not programs[-1].source:
            stopped = f"P_{i - 1}(-1) printed nothing"
            break
        links.append(_link(i, programs[-1], programs[-2], probe_t, goal, horizon))
        tick(f"P_{i}")
    made = len(programs)
    descriptions = [constructive_description(p1, lang, k) for k in range(1, made + 1)]

    def run(description: str) -> str | None:
        try:
            return run_description(description)
        except RuntimeError:
            return None

    check = verify_descriptions(constructive_sample(made), lambda k: descriptions[k - 1], run,
                                lambda k: programs[k - 1].source, tick=tick)
    sizes = [len(text.encode("utf-8")) for text in descriptions]
    ns = list(range(1, made + 1))
    constructive = Constructive(
        bytes=tuple(sizes), control_bytes=len(CONTROL.encode("utf-8")), checked=check.checked,
        failed=check.failed,
    )
    first, horizon_note = _horizon_note(programs, horizon) if goal is not None else (None, "")
    return ChainReport(
        lang=lang, n=n, links=tuple(links), constructive=constructive, fit=_fit(ns, sizes),
        fit_bytes=_fit(ns, [link.complexity.bytes for link in links]),
        goal=goal_name if goal is not None else None,
        horizon=horizon if goal is not None else None, probe_t=probe_t, stopped=stopped,
        first_output_t=first, horizon_note=horizon_note,
    )

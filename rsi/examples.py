"""Mahoney 2008's Examples 1-6 as objects whose claims are computed, not asserted.

Each example is a small frozen dataclass: `number`, `claim` (quoted from the paper), its
constants as fields (the defaults are the paper's, so changing one is one keyword away), and
`check()`, which builds the programs, computes the verdicts with `rsi.definitions` and says
whether they agree with the paper.  A claim that something holds agrees with `HoldsUpTo` or
`Proven`; a claim that it does not hold agrees only with `Refuted`; `Unknown` never agrees.

Modelling choices where the paper leaves freedom (each documented on its class): Example 1
is constant from t = 100 on, so it is checked exactly as a TableProgram; Examples 3 and 4
take the running time to be the constant 1000 (resp. 2000) steps, the simplest running time
"less than t for all t > 1000 (2000)"; Example 5 takes C - 1 + D·floor(log2(t·n)) steps,
which is less than C + D·log2(t·n); Example 6 runs the paper's C program through the
harness, so it lives beside it (`quines_text.paper_examples.example6`); its source is here.
"""
from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Protocol

from rsi.definitions import (
    has_goal,
    has_goal_at,
    improves,
    is_improving_sequence,
    values_on,
)
from rsi.goals import identity, prime
from rsi.programs import SpecProgram, TableProgram, t
from rsi.verdict import Proven, Refuted, Unknown, Verdict, supports


@dataclass(frozen=True)
class ExampleResult:
    """The computed verdicts of one example, by the claim each checks.  expected[label] is
    "holds" or "fails" (what the paper says); agreement[label] whether the verdict matches."""

    number: int
    claim: str
    verdicts: dict[str, Verdict]
    expected: dict[str, str]
    agreement: dict[str, bool]

    @property
    def agrees(self) -> bool:
        """Whether every verdict agrees with the paper."""
        return all(self.agreement.values())

    def to_dict(self) -> dict:
        return {
            "number": self.number,
            "claim": self.claim,
            "verdicts": {label: verdict.to_dict() for label, verdict in self.verdicts.items()},
            "expected": dict(self.expected),
            "agreement": dict(self.agreement),
            "agrees": self.agrees,
        }


def _agrees(verdict: Verdict, expected: str) -> bool:
    """"holds" matches HoldsUpTo or Proven, "fails" matches only Refuted."""
    return supports(verdict) if expected == "holds" else verdict.kind == "refuted"


def result_of(number: int, claim: str, checks: dict[str, tuple[Verdict, str]]) -> ExampleResult:
    return ExampleResult(
        number,
        claim,
        {label: verdict for label, (verdict, _) in checks.items()},
        {label: expected for label, (_, expected) in checks.items()},
        {label: _agrees(verdict, expected) for label, (verdict, expected) in checks.items()},
    )


def _every(verdicts: dict[int, Verdict], kinds: Sequence[str], summary: Verdict) -> Verdict:
    """`summary` if every per-t verdict is of one of `kinds`, else the first one that is not."""
    for verdict in verdicts.values():
        if verdict.kind not in kinds:
            return verdict
    return summary


@dataclass(frozen=True)
class Example1:
    """P(t) = 3 if t < 100 else 5, halting after 50 steps: P(t) = 0 for t < 50 (not halted),
    3 for 50 <= t < 100, 5 from t = 100 on.  The closed form is constant from
    t = max(switch_at, steps) on, so its table up to there is P exactly and every t is
    decided (t < 50 has the goal too: 0 is followed by 3, never by less)."""

    number: ClassVar[int] = 1
    claim: ClassVar[str] = (
        "let G = PRIME and let P = {3 if t < 100, else 5} complete in 50 steps. Then P has "
        "goal PRIME for t < 100, but does not have this goal thereafter."
    )
    switch_at: int = 100
    steps: int = 50

    def program(self) -> TableProgram:
        closed = SpecProgram(lambda k: 3 if k < self.switch_at else 5, self.steps)
        end = max(self.switch_at, self.steps)
        return TableProgram(tuple(int(v) for v in values_on(closed, end)), name="Example 1")

    def check(self) -> ExampleResult:
        table = self.program()
        horizon = max(table.tail_start, 100) + 2  # every t < 100, and t >= 100 past the tail
        at = {k: has_goal_at(table, prime, k, horizon) for k in range(horizon)}
        before = {k: v for k, v in at.items() if k < 100}
        after = {k: v for k, v in at.items() if k >= 100}
        has_before = _every(
            before, ("proven",),
            Proven("has goal at t is proven for each t < 100 (t = 0..99) on the exact table"),
        )
        tail_witness = {"every_t_from": 100, "tail_from": table.tail_start}
        has_after = _every(
            after, ("refuted",),
            Refuted(tail_witness, f"has goal at t is refuted for each t = 100..{horizon - 1}; "
                    f"from t = {table.tail_start} on P is constant"),
        )
        return result_of(self.number, self.claim, {
            "has goal PRIME at every t < 100": (has_before, "holds"),
            "has goal PRIME at some t >= 100": (has_after, "fails"),
        })


@dataclass(frozen=True)
class Example2:
    """P(t) = t, halting after t/2 steps (so always within t steps): G(P(6)) = 0 is followed
    by G(P(7)) = 7 and never by less; G(P(7)) = 7 is followed by G(P(8)) = 0."""

    number: ClassVar[int] = 2
    claim: ClassVar[str] = (
        "let P = {t} complete after t/2 steps. Then P has goal PRIME at time t = 6, but not "
        "at t = 7."
    )
    has_at: int = 6
    has_not_at: int = 7
    horizon: int = 100

    def __post_init__(self) -> None:
        if self.has_at == self.has_not_at:
            raise ValueError(f"has_at and has_not_at must differ, both are {self.has_at}")

    def check(self) -> ExampleResult:
        program = SpecProgram(t, t / 2, name="Example 2")
        return result_of(self.number, self.claim, {
            f"has goal PRIME at t = {self.has_at}": (
                has_goal_at(program, prime, self.has_at, self.horizon), "holds"),
            f"has goal PRIME at t = {self.has_not_at}": (
                has_goal_at(program, prime, self.has_not_at, self.horizon), "fails"),
        })


@functools.cache
def _largest_prime_at_most(k: int) -> int:
    from sympy import prevprime

    return int(prevprime(k + 1)) if k >= 2 else 0


def largest_prime_below_cube_root(t: int, plus: int = 0) -> int:
    """The largest prime p < t^(1/3) + plus, 0 if there is none (exact integer arithmetic:
    for p >= plus, p < t^(1/3) + plus iff (p - plus)^3 < t)."""
    from sympy import integer_nthroot

    below = int(integer_nthroot(t - 1, 3)[0]) if t >= 1 else -1  # largest k >= 0 with k^3 < t
    return _largest_prime_at_most(below + plus)


def cube_root_prime_program(halts_from: int, plus: int = 0, name: str = "") -> SpecProgram:
    """P(t) = the largest prime < t^(1/3) + plus, halting after `halts_from` steps (so in
    fewer than t steps for every t > halts_from), the programs of Examples 3 and 4."""
    return SpecProgram(
        lambda k: largest_prime_below_cube_root(k, plus), halts_from, name=name
    )


@dataclass(frozen=True)
class Example3:
    """P(t) = the largest prime < t^(1/3), taking 1000 steps (fewer than t for all t > 1000).
    "For all t" is read as C = -1: every t checked (0 <= t <= T // 2) has the goal on the horizon."""

    number: ClassVar[int] = 3
    claim: ClassVar[str] = (
        "let P = {n: n is the largest prime number less than t^{1/3}} complete in less than "
        "t steps for all t > 1000. Then P has goal PRIME (for all t)."
    )
    halts_from: int = 1000
    horizon: int = 20_000

    def check(self) -> ExampleResult:
        program = cube_root_prime_program(self.halts_from, name="Example 3")
        verdict = has_goal(program, prime, self.horizon)
        if supports(verdict) and verdict.evidence["C"] != -1:
            verdict = Unknown(f"has goal only from C = {verdict.evidence['C']}, not for all t",
                              verdict.evidence)
        return result_of(self.number, self.claim, {"P has goal PRIME for all t": (verdict, "holds")})


@dataclass(frozen=True)
class Example4:
    """Q(t) = the largest prime < t^(1/3) + 1, taking 2000 steps, against P of Example 3.
    For 1000 <= t < 2000 only P has halted (Q is worse), so the shared t of conditions 3
    and 4 comes after 2000."""

    number: ClassVar[int] = 4
    claim: ClassVar[str] = (
        "let Q = {n: n is the largest prime number less than t^{1/3} + 1} complete in less "
        "than t steps for all t > 2000. Then Q improves on P from example 3."
    )
    p_halts_from: int = 1000
    q_halts_from: int = 2000
    q_plus: int = 1
    horizon: int = 20_000

    def check(self) -> ExampleResult:
        p = cube_root_prime_program(self.p_halts_from, name="P (Example 3)")
        q = cube_root_prime_program(self.q_halts_from, self.q_plus, name="Q (Example 4)")
        verdict = improves(q, p, prime, self.horizon)
        return result_of(self.number, self.claim, {"Q improves on P": (verdict, "holds")})


@dataclass(frozen=True)
class Example5:
    """P_n(t) = t + n·increment, taking C - 1 + D·floor(log2(t·n)) steps (< C + D·log2(t·n);
    C steps at t = 0), for n = 1..programs, checked as an improving sequence on the horizon."""

    number: ClassVar[int] = 5
    claim: ClassVar[str] = (
        "Let G be the identity goal: G(x) = x (the goal of finding big numbers). Let "
        "P_{n}(t) = {t + n} complete in less than C + D log tn steps for some positive "
        "constants C and D. Then this is an improving sequence with respect to G."
    )
    c: int = 4
    d: int = 2
    increment: int = 1
    programs: int = 6
    horizon: int = 2_000

    def program(self, n: int) -> SpecProgram:
        def steps(k: int) -> int:
            return self.c - 1 + self.d * ((k * n).bit_length() - 1) if k * n >= 1 else self.c

        return SpecProgram(lambda k: k + n * self.increment, steps, name=f"P_{n}")

    def check(self) -> ExampleResult:
        sequence = [self.program(n) for n in range(1, self.programs + 1)]
        verdict = is_improving_sequence(sequence, identity, self.horizon)
        label = f"P_1 .. P_{self.programs} is an improving sequence for the identity goal"
        return result_of(self.number, self.claim, {label: (verdict, "holds")})


def example6_source() -> str:
    """The paper's Example 6 C program, verbatim (rsi/data/mahoney_example6.c)."""
    return (Path(__file__).parent / "data" / "mahoney_example6.c").read_text(encoding="utf-8")


Example = Example1 | Example2 | Example3 | Example4 | Example5
EXAMPLES: tuple[Example, ...] = (Example1(), Example2(), Example3(), Example4(), Example5())


class PaperExample(Protocol):
    """Any checkable example of the paper: Examples 1-5 here, Example 6 beside the harness."""

    def check(self) -> ExampleResult: ...


def check_examples(examples: Sequence[PaperExample] = EXAMPLES) -> list[ExampleResult]:
    """Every example's computed verdicts and agreement with the paper."""
    return [example.check() for example in examples]

"""Sympy proofs of Mahoney's definitions for closed-form program families (Mahoney 2008).

A closed-form program is an expression value(t) (optionally with a running time steps(t)) in the
real positive symbol `T`; P(t) = value(t) once steps(t) <= t ("or 0 if P has not halted after
t steps").  A goal is a sympy `Lambda`.  The arguments, each exact for every natural t beyond
some point:

- halting: if t - steps(t) is eventually positive, P(t) = value(t) for every t > C0.
- has goal (Definition "P has goal G"): if the forward difference G(P(t+1)) - G(P(t)) is
  eventually positive, G(P(t)) is eventually strictly increasing in t, so for every t > C some
  t' > t is better (t' = t + 1) and no t' > t is worse.  If it is eventually negative, no t > C
  has a better t': Refuted.
- improves (Definition "Q improves on P", conditions 3 and 4): if D(t) = G(Q(t)) - G(P(t)) is
  eventually positive, a t beyond that point meets condition 3 and no t' > t breaks condition 4.
  If D is eventually negative, every t of condition 3 is followed by a t' that breaks 4: Refuted.
- the Theorem's bound: f in O(g) if lim f(n)/g(n) is finite (sympy's `limit_seq`).

"Eventually positive" is what sympy settles: `is_extended_positive` of the simplified expression
under the symbols' assumptions (then for every t > 0), else the sign of the limit at infinity.
Anything sympy leaves open — None, an unevaluated Limit, AccumBounds, NaN, a zero limit, an
exception — becomes `Unknown`, never `Proven`.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sympy

from rsi.verdict import Proven, Refuted, Unknown, Verdict

T = sympy.Symbol("t", positive=True)  # time: real positive, so a proof covers every natural t > 0
X = sympy.Symbol("x", real=True)
IDENTITY = sympy.Lambda(X, X)  # Mahoney's identity goal G(x) = x (Example 5)


@dataclass(frozen=True)
class Sign:
    """The eventual sign of an expression as t -> oo: +1, -1, or None when sympy cannot tell."""

    sign: int | None
    argument: str


def _settled(value: sympy.Basic) -> bool:
    """Whether sympy returned a definite extended real (not a Limit, AccumBounds, NaN, ...)."""
    if not isinstance(value, sympy.Expr) or value.has(sympy.Limit, sympy.AccumBounds):
        return False
    return value is not sympy.nan and value.is_extended_real is True


def eventual_sign(expr: sympy.Expr, t: sympy.Symbol = T) -> Sign:
    """Whether `expr` is positive (or negative) for every t beyond some point, as sympy settles it."""
    simple = sympy.simplify(expr)
    if simple.is_extended_positive is True:
        return Sign(1, f"{simple} > 0 for every t > 0")
    if simple.is_extended_negative is True:
        return Sign(-1, f"{simple} < 0 for every t > 0")
    try:
        limit = sympy.limit(simple, t, sympy.oo)
    except (NotImplementedError, ValueError, TypeError, sympy.PoleError) as error:
        return Sign(None, f"sympy cannot take lim {simple} as t -> oo ({type(error).__name__})")
    if not _settled(limit):
        return Sign(None, f"sympy leaves lim {simple} as t -> oo undecided: {limit}")
    if limit.is_extended_positive is True:
        return Sign(1, f"lim {simple} = {limit} > 0 as t -> oo")
    if limit.is_extended_negative is True:
        return Sign(-1, f"lim {simple} = {limit} < 0 as t -> oo")
    return Sign(None, f"lim {simple} = {limit} as t -> oo does not fix the sign")


def _halts_eventually(steps: sympy.Expr | None, what: str) -> Sign:
    if steps is None:
        return Sign(1, f"{what} halts at once")
    sign = eventual_sign(T - steps)
    return Sign(sign.sign, f"{what} halts in time: {sign.argument}")


def prove_has_goal(
    value: sympy.Expr,
    goal: sympy.Lambda = IDENTITY,
    steps: sympy.Expr | None = None,
    name: str = "P",
) -> Verdict:
    """P = (value, steps) has goal G: G(P(t)) eventually strictly increasing (see module doc)."""
    halting = _halts_eventually(steps, f"{name}(t) = {value}")
    if halting.sign is None:
        return Unknown(halting.argument)
    if halting.sign < 0:
        return Refuted({"value": str(value), "steps": str(steps)},
                       f"{name} never halts in time, so {name}(t) = 0 eventually: "
                       f"{halting.argument}")
    step = eventual_sign(goal(value.subs(T, T + 1)) - goal(value))
    if step.sign is None:
        return Unknown(f"has goal for {name}(t) = {value}: {step.argument}")
    if step.sign < 0:
        return Refuted({"value": str(value), "goal": _goal_text(goal)},
                       f"G({name}(t)) eventually decreases, so no t > C has a better t': "
                       f"{step.argument}")
    return Proven(f"{halting.argument}; G({name}(t+1)) - G({name}(t)): {step.argument}, so "
                  f"G({name}(t)) increases strictly for t > C: some t' > t is better, none worse")


def _goal_text(goal: sympy.Lambda) -> str:
    return f"G(x) = {goal(X)}"


def prove_improves(
    q_value: sympy.Expr,
    p_value: sympy.Expr,
    goal: sympy.Lambda = IDENTITY,
    q_steps: sympy.Expr | None = None,
    p_steps: sympy.Expr | None = None,
) -> Verdict:
    """Q = (q_value, q_steps) improves on P = (p_value, p_steps) with respect to G, for every
    value of the other symbols (see module doc for the argument)."""
    parts = []
    for name, value, steps in (("P", p_value, p_steps), ("Q", q_value, q_steps)):
        verdict = prove_has_goal(value, goal, steps, name)
        if not isinstance(verdict, Proven):
            return _relabel(verdict, f"{name} has goal G (condition {1 if name == 'P' else 2})")
        parts.append(verdict.argument)
    if sympy.simplify(goal(q_value) - goal(p_value)) == 0:
        return Refuted({"Q": str(q_value), "P": str(p_value), "goal": _goal_text(goal)},
                       "condition 3 fails: G(Q(t)) = G(P(t)) for every t")
    difference = eventual_sign(goal(q_value) - goal(p_value))
    if difference.sign is None:
        return Unknown(f"conditions 3-4: {difference.argument}")
    if difference.sign < 0:
        return Refuted({"Q": str(q_value), "P": str(p_value), "goal": _goal_text(goal)},
                       "condition 4 fails after every t of condition 3: G(Q(t)) - G(P(t)) "
                       f"is eventually negative ({difference.argument})")
    parts.append(f"G(Q(t)) - G(P(t)): {difference.argument}, so a t beyond both halting points "
                 "meets condition 3 and no t' > t breaks condition 4")
    return Proven("; ".join(parts))


def _relabel(verdict: Verdict, what: str) -> Verdict:
    if isinstance(verdict, Refuted):
        return Refuted(verdict.witness, f"{what}: {verdict.reason}")
    if isinstance(verdict, Unknown):
        return Unknown(f"{what}: {verdict.reason}")
    return verdict


def prove_improving_sequence(
    value: sympy.Expr, n: sympy.Symbol, goal: sympy.Lambda = IDENTITY, steps: sympy.Expr | None = None
) -> Verdict:
    """The family P_n = (value, steps) in n is an improving sequence: P_{n+1} improves on P_n for
    every n the symbol's assumptions allow (Definition "improving sequence")."""
    verdict = prove_improves(value.subs(n, n + 1), value, goal,
                             None if steps is None else steps.subs(n, n + 1), steps)
    if isinstance(verdict, Proven):
        kind = "integer" if n.is_integer else "real"
        return Proven(f"for every {'positive ' if n.is_positive else ''}{kind} {n}, P_(n+1) "
                      f"improves on P_n: {verdict.argument}")
    return verdict


def prove_big_o(f: sympy.Expr, g: sympy.Expr, n: sympy.Symbol) -> Verdict:
    """f(n) in O(g(n)) as n -> oo, from the ratio limit lim f/g (sympy's `limit_seq`)."""
    try:
        ratio = sympy.limit_seq(f / g, n)
    except (NotImplementedError, ValueError, TypeError, sympy.PoleError) as error:
        return Unknown(f"sympy cannot take lim ({f})/({g}) ({type(error).__name__})")
    if ratio is None or not _settled(ratio):
        return Unknown(f"sympy leaves lim ({f})/({g}) as n -> oo undecided: {ratio}")
    if ratio.is_finite:
        return Proven(f"lim ({f})/({g}) = {ratio} as n -> oo is finite, so {f} is in O({g})")
    return Refuted({"f": str(f), "g": str(g), "limit": str(ratio)},
                   f"lim ({f})/({g}) = {ratio}: {f} outgrows every multiple of {g}")


@dataclass(frozen=True)
class SymbolicClaim:
    """A closed-form statement, the verdict it should get, and how sympy decides it."""

    name: str
    statement: str
    expect: str  # the Verdict kind the claim must get: "proven" or "refuted"
    decide: Callable[[], Verdict]


def _example5() -> Verdict:
    n = sympy.Symbol("n", positive=True, integer=True)
    c, d = sympy.symbols("C D", positive=True)
    return prove_improving_sequence(T + n, n, IDENTITY, steps=c + d * sympy.log(T * n))


def _scaled(q_scale: sympy.Expr, p_scale: sympy.Expr) -> Callable[[], Verdict]:
    return lambda: prove_improves(q_scale * T, p_scale * T, IDENTITY)


def _digits() -> Verdict:
    n = sympy.Symbol("n", positive=True, integer=True)
    c = sympy.Symbol("C", positive=True)
    return prove_big_o(sympy.floor(sympy.log(n, 10)) + 1 + c, sympy.log(n), n)


_E = sympy.Symbol("e", positive=True)  # c = 1 + e ranges over every real c > 1
_N = sympy.Symbol("n", positive=True, integer=True)

SYMBOLIC_CLAIMS: tuple[SymbolicClaim, ...] = (
    SymbolicClaim("example5-improving-sequence",
                  "Example 5: P_n(t) = t + n, halting in C + D log(tn) steps, is an improving "
                  "sequence for the identity goal, for every n >= 1", "proven", _example5),
    SymbolicClaim("scaled-improves", "c*t improves on t for the identity goal, for every c > 1",
                  "proven", _scaled(1 + _E, sympy.Integer(1))),
    SymbolicClaim("scaled-not-reversed", "t does not improve on c*t, for any c > 1",
                  "refuted", _scaled(sympy.Integer(1), 1 + _E)),
    SymbolicClaim("digits-in-O-log", "Theorem: digits(n) + C (the description of P_n) is in "
                  "O(log n)", "proven", _digits),
    SymbolicClaim("n-not-in-O-log", "n is not in O(log n) (the ratio test can fail)",
                  "refuted", lambda: prove_big_o(_N, sympy.log(_N), _N)),
)

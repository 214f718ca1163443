"""Hypothesis strategies for the objects of Mahoney 2008 ("A Model for Recursively Self Improving
Programs"): goals G: N -> R (section Goals), programs P(t) as finite tables and closed forms,
pairs (P, Q) for "Q improves on P" (section Improvement), improving chains and RSI programs
(section Recursive Self Improvement, Example 5).

Use them in your own tests::

    from hypothesis import given
    from proofs import strategies as rs

    @given(rs.program_pairs(), rs.goals())
    def test_my_property(pair, goal): ...

`st.from_type(rsi.programs.TableProgram)` and `st.from_type(rsi.programs.SpecProgram)` work in
any project that has rsi-toolkit installed, without importing this module: Hypothesis calls
`_hypothesis_setup_hook` through its entry-point group `hypothesis` (see pyproject.toml).

Every public function checks its arguments at once (ValueError naming the argument).
"""
from __future__ import annotations

from typing import Any

import sympy
from hypothesis import strategies as st

from proofs.goal_shapes import Affine, Capped, OddPower, Sieve, Tabulated
from rsi.goals import identity, prime
from rsi.programs import SpecProgram, TableProgram

__all__ = [
    "GOAL_KINDS",
    "goals",
    "growing_programs",
    "improving_chains",
    "increasing_transforms",
    "program_pairs",
    "programs",
    "rsi_programs",
    "spec_programs",
    "table_programs",
]

GOAL_KINDS: tuple[str, ...] = ("monotone", "prime-like", "bounded", "adversarial")
_T = sympy.Symbol("t", integer=True, nonnegative=True)  # equal to rsi.programs.t


def _natural(name: str, value: object, low: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")
    return value


def goals(kinds: tuple[str, ...] = GOAL_KINDS) -> st.SearchStrategy:
    """Goals G: N -> R of the given kinds.

    monotone: the identity, a*x + b (a > 0), x**3, x**5; prime-like: PRIME and
    "x if x = r mod m else 0"; bounded: min(x, cap); adversarial: an arbitrary table of values.
    """
    if not isinstance(kinds, tuple) or not kinds or not set(kinds) <= set(GOAL_KINDS):
        raise ValueError(f"kinds must be a non-empty tuple from {GOAL_KINDS}, got {kinds!r}")
    small = st.integers(0, 6)
    by_kind = {
        "monotone": st.one_of(st.just(identity), increasing_transforms()),
        "prime-like": st.one_of(
            st.just(prime),
            st.integers(2, 4).flatmap(lambda m: st.builds(Sieve, st.just(m), st.integers(0, m - 1))),
        ),
        "bounded": st.builds(Capped, st.integers(0, 8)),
        "adversarial": st.builds(Tabulated, st.lists(small, max_size=10).map(tuple), small),
    }
    return st.one_of(*(by_kind[kind] for kind in kinds))


def increasing_transforms() -> st.SearchStrategy:
    """Strictly increasing maps f: R -> R (a*x + b with a > 0, x**3, x**5), exact on integers."""
    return st.one_of(
        st.builds(Affine, st.integers(1, 5), st.integers(-5, 5)),
        st.sampled_from([OddPower(3), OddPower(5)]),
    )


def table_programs(
    max_value: int = 3, min_length: int = 1, max_length: int = 8
) -> st.SearchStrategy[TableProgram]:
    """TablePrograms (constant beyond the table) with values 0..max_value, min_length..max_length
    entries."""
    _natural("max_value", max_value)
    _natural("min_length", min_length, 1)
    _natural("max_length", max_length, min_length)
    values = st.lists(st.integers(0, max_value), min_size=min_length, max_size=max_length)
    return values.map(lambda v: TableProgram(tuple(v)))


_SHAPES = {  # closed forms in t with coefficients a, b (b may exceed the horizon)
    "a*t + b": lambda a, b: a * _T + b,
    "t**2 + b": lambda a, b: _T**2 + b,
    "floor(a*t/2) + b": lambda a, b: sympy.floor(a * _T / 2) + b,
    "b + t mod (a+1)": lambda a, b: b + sympy.Mod(_T, a + 1),
    # slow growth: a plateau of 4(a+1) steps, longer than a quarter of the default horizon,
    # so "has goal" is Unknown on short horizons and holds on longer ones
    "b + floor(t/(4a+4))": lambda a, b: b + sympy.floor(_T / (4 * a + 4)),
    "b - t (decreasing)": lambda a, b: b + 24 - _T,
}


def spec_programs(max_coefficient: int = 3, max_delay: int = 24) -> st.SearchStrategy[SpecProgram]:
    """SpecPrograms whose value is a sympy closed form in t: a*t + b, t**2 + b,
    floor(a*t/2) + b, b + (t mod (a+1)), b + floor(t/(4a+4)) (slow growth) or b + 24 - t
    (decreasing), with 0 <= a <= max_coefficient and b up to max_coefficient or, less often, up
    to 24 (above the values other programs reach on short horizons); steps(t) is a constant
    delay d <= max_delay, mostly <= 3, so P(t) = 0 for t < d ("0 if P has not halted"), and
    a late halting program shows nothing on a short horizon."""
    _natural("max_coefficient", max_coefficient)
    _natural("max_delay", max_delay)
    coefficient = st.integers(0, max_coefficient)
    offset = st.one_of(coefficient, st.integers(0, 24))
    delay = st.one_of(st.integers(0, min(3, max_delay)), st.integers(0, max_delay))

    def build(shape: str, a: int, b: int, delay: int) -> SpecProgram:
        value = _SHAPES[shape](a, b)
        return SpecProgram(value, delay, name=f"{value}, steps {delay}")

    return st.builds(build, st.sampled_from(sorted(_SHAPES)), coefficient, offset, delay)


def programs(max_value: int = 12) -> st.SearchStrategy:
    """TablePrograms with values up to max_value, or SpecPrograms (tables never have a goal,
    most closed forms do)."""
    return st.one_of(table_programs(max_value=max_value), spec_programs())


def _raised(program: Any, lift: int, delta: tuple[int, ...]) -> Any:
    """The program with its values raised: by `delta` on a table, by `lift` on a closed form."""
    if isinstance(program, TableProgram):
        padded = delta + (0,) * (len(program.values) - len(delta))
        return TableProgram(tuple(v + d for v, d in zip(program.values, padded, strict=False)))
    return _spec(program.value_form + lift, program.steps_form)


def _spec(value: Any, steps: Any) -> SpecProgram:
    return SpecProgram(value, steps, name=f"{value}, steps {steps}")


def _crossing(a: int, b: int, c: int, d: int) -> tuple[SpecProgram, SpecProgram]:
    """P(t) = (a + c)*t + b and Q(t) = a*t + b + d: Q is better first, P from t > d/c on."""
    p, q = (a + c) * _T + b, a * _T + b + d
    return SpecProgram(p, 0, name=str(p)), SpecProgram(q, 0, name=str(q))


def growing_programs(max_delay: int = 3) -> st.SearchStrategy[SpecProgram]:
    """SpecPrograms that have every goal that increases with x: a*t + b, t**2 + b or
    floor(a*t/2) + b + t with a >= 1, halting after at most max_delay steps."""
    _natural("max_delay", max_delay)
    shapes = {
        "a*t + b": lambda a, b: a * _T + b,
        "t**2 + b": lambda a, b: _T**2 + b,
        "floor(a*t/2) + b + t": lambda a, b: sympy.floor(a * _T / 2) + b + _T,
    }
    return st.builds(lambda shape, a, b, d: _spec(shapes[shape](a, b), d), st.sampled_from(sorted(shapes)),
                     st.integers(1, 3), st.integers(0, 3), st.integers(0, max_delay))


def _delayed(p: SpecProgram, extra: int) -> tuple[SpecProgram, SpecProgram]:
    """(P, Q) with Q = P halting `extra` steps later: Q worse first, then equal (never better);
    with P halting within 3 steps and extra <= 3, Q's last worse t is below the default
    horizon T, so conditions 1, 2 and 4 (read without 3) hold and only 3 fails."""
    return p, _spec(p.value_form, p.steps_form + extra)


def _under_a_ceiling(p: SpecProgram, ceiling: int) -> tuple[SpecProgram, SpecProgram]:
    """(P, Q) with Q the constant `ceiling`, above P on short horizons: better, but no goal."""
    return p, _spec(sympy.Integer(ceiling), 0)


def _over_a_floor(p: SpecProgram, level: int) -> tuple[SpecProgram, SpecProgram]:
    """(P, Q) with P the constant `level` (no goal) and Q = p + level + 1, always better."""
    return _spec(sympy.Integer(level), 0), _spec(p.value_form + level + 1, p.steps_form)


def _late(p: SpecProgram, delay: int, lift: int) -> tuple[SpecProgram, SpecProgram]:
    """(P, Q): P halting only after `delay` steps (nothing seen on a short horizon: its goal is
    Unknown there, not Refuted) and Q = P raised by `lift`."""
    late = _spec(p.value_form, delay)
    return late, _spec(p.value_form + lift, delay)


def program_pairs(base: st.SearchStrategy | None = None) -> st.SearchStrategy[tuple[Any, Any]]:
    """Pairs (P, Q) biased toward the edge cases of "Q improves on P", with a shape for each
    branch of the definitions: drawn independently; Q = P raised (a nonnegative table added,
    or a constant added to a closed form), so Q is never worse than P; two lines that cross
    (Q better first, P better later: only condition 4 fails).  Unless `base` is given, also:
    Q = P, or Q = P halting later (worse, then equal: only condition 3 fails); Q a constant
    above P (only condition 2 fails); P a constant below Q (only condition 1 fails); P and Q
    halting after the horizon (every verdict Unknown on it)."""
    if base is not None and not isinstance(base, st.SearchStrategy):
        raise ValueError(f"base must be a Hypothesis strategy of programs, got {base!r}")
    custom = base is not None
    base = programs() if base is None else base
    independent = st.tuples(base, base)
    raised = st.builds(
        lambda p, lift, delta: (p, _raised(p, lift, tuple(delta))),
        base, st.integers(1, 3), st.lists(st.integers(0, 2), min_size=1, max_size=8).filter(any),
    )
    small, positive = st.integers(0, 3), st.integers(1, 3)
    crossing = st.builds(_crossing, positive, small, positive, st.integers(1, 8))
    shapes = [crossing, raised]
    if not custom:
        growing = growing_programs()
        linear = st.builds(lambda a, b, d: _spec(a * _T + b, d), positive, small, small)
        shapes = [st.builds(_over_a_floor, growing, st.integers(1, 30)),
                  st.builds(_under_a_ceiling, linear, st.integers(40, 60)),
                  growing.map(lambda p: (p, p)),
                  crossing,
                  st.builds(_late, growing, st.integers(13, 24), positive),
                  st.builds(_delayed, growing, st.integers(1, 3)),
                  raised]
    shapes.append(independent)
    # one shape drawn uniformly (st.one_of would favour the first branches); when all shapes
    # are there, the two that only one law needs (a constant above P; crossing lines) twice
    weights = [1] * len(shapes) if custom else [1, 2, 1, 2, 1, 1, 1, 1]
    indices = [k for k, weight in enumerate(weights) for _ in range(weight)]
    return st.sampled_from(indices).flatmap(shapes.__getitem__)


def improving_chains(min_length: int = 2, max_length: int = 5) -> st.SearchStrategy[tuple]:
    """Improving sequences P_1, ..., P_n for every strictly increasing goal: P_i(t) =
    a_i*t + b_i with a_1 >= 1 and (a_i, b_i) nondecreasing, strictly in one coordinate, so
    P_{i+1} - P_i >= 0 everywhere and > 0 for t > 0."""
    _natural("min_length", min_length, 1)
    _natural("max_length", max_length, min_length)

    def build(start: tuple[int, int], steps: list[tuple[int, int]]) -> tuple:
        (a, b), chain = start, []
        for da, db in [(0, 0)] + steps:
            a, b = a + da, b + db
            chain.append(SpecProgram(a * _T + b, 0, name=str(a * _T + b)))
        return tuple(chain)

    step = st.tuples(st.integers(0, 2), st.integers(0, 2)).filter(lambda s: s != (0, 0))
    return st.builds(build, st.tuples(st.integers(1, 3), st.integers(0, 3)),
                     st.lists(step, min_size=min_length - 1, max_size=max_length - 1))


def _example5_like(a: int, b: int, n: int, stride: int, delay: int) -> SpecProgram:
    """P_n(t) = a*t + b + stride*n halting after `delay` steps; P_n(-1) = P_(n+stride)."""
    return SpecProgram(
        a * _T + b + stride * n, delay,
        successor=lambda: _example5_like(a, b, n + 1, stride, delay),
        name=f"P_{n}(t) = {a * _T + b + stride * n}, steps {delay}",
    )


def rsi_programs(max_coefficient: int = 3, max_delay: int = 3) -> st.SearchStrategy[SpecProgram]:
    """RSI programs like Example 5 (P_n(t) = t + n): P_1(t) = a*t + b + s with a, s >= 1,
    whose successor() is P_2(t) = a*t + b + 2s, and so on."""
    _natural("max_coefficient", max_coefficient, 1)
    _natural("max_delay", max_delay)
    positive = st.integers(1, max_coefficient)
    return st.builds(lambda a, b, s, d: _example5_like(a, b, 1, s, d), positive,
                     st.integers(0, max_coefficient), positive, st.integers(0, max_delay))


def _hypothesis_setup_hook() -> None:
    """Hypothesis entry point (group `hypothesis`): `st.from_type` for the program kinds."""
    st.register_type_strategy(TableProgram, table_programs())
    st.register_type_strategy(SpecProgram, spec_programs())

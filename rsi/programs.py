"""Programs and Mahoney's P(t).

Mahoney 2008, section Goals: "Define P(t) to mean the positive natural number encoded by the
output of program P with input t running on L after t time steps, or 0 if P has not halted
after t steps."  Input -1 asks a program for its successor's source (section Recursive Self
Improvement).  Every program kind (closed form, finite table, text on a metered machine)
satisfies the same `Program` protocol, so the definitions never care where a program came from.

Two program kinds live here: `SpecProgram`, the paper's idealised programs given by a closed
form value and running time (Examples 1-5), and `TableProgram`, a finite table that is
constant beyond its end (exact, for exhaustive checks).  Text programs are
`quines_text.machines.TextProgram`.  `t` (imported lazily, so that importing this module
does not import sympy) is the sympy symbol for the input t of closed forms.
"""
from __future__ import annotations

import math
import numbers
import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np

from rsi.arguments import integer
from rsi.closed_forms import ClosedForm
from rsi.records import JsonRecord


@dataclass(frozen=True)
class Outcome(JsonRecord):
    """One run of a program on input t.

    value: P(t), Mahoney's value (0 when not halted within t steps or when the output is not a
    positive natural number).  halted: whether the program halted within the budget.  steps:
    steps used (None when the machine is unmetered).  raw: the output as text.  note: why the
    value is 0 although the program halted (e.g. "not a natural number"), else "".
    """

    value: int
    halted: bool
    steps: int | None
    raw: str = ""
    note: str = ""


@runtime_checkable
class Program(Protocol):
    """Anything with run(t) -> Outcome.  `value(t)` is P(t)."""

    def run(self, t: int) -> Outcome: ...

    def value(self, t: int) -> int: ...


def parse_natural(raw: str) -> tuple[int, str]:
    """Decode program output as Mahoney's "positive natural number encoded by the output".

    Returns (value, note): surrounding whitespace is ignored; anything else that is not a
    decimal positive integer gives 0 with a note saying why (recorded, never raised).
    """
    text = raw.strip()
    if not text:
        return 0, "empty output"
    if not text.isascii() or not text.isdigit():
        return 0, "not a natural number"
    value = int(text)
    if value == 0:
        return 0, "zero is not a positive natural number"
    return value, ""


def __getattr__(name: str) -> Any:
    """`rsi.programs.t`: the sympy symbol of closed forms (sympy is imported on first use)."""
    if name == "t":
        import sympy

        return sympy.Symbol("t", integer=True, nonnegative=True)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _natural(value: Any) -> tuple[int, str]:
    """A closed form's value as P(t): a positive integer, else 0 with the reason (exact for
    ints, fractions and sympy rationals; a float counts only if it is a whole number)."""
    try:
        exact = operator.index(value)  # int, numpy and sympy integers, exactly
    except TypeError:
        if isinstance(value, numbers.Rational):  # Fraction, sympy Rational: no float rounding
            if value.denominator != 1:
                return 0, "not a natural number"
            exact = int(value.numerator)
        else:
            try:
                number = float(value)
            except (TypeError, ValueError, OverflowError):
                return 0, "not a natural number"
            if not (math.isfinite(number) and number.is_integer()):
                return 0, "not a natural number"
            exact = int(number)
    if exact <= 0:
        return 0, "zero is not a positive natural number" if exact == 0 else "negative"
    return exact, ""


def _halts(steps: Any, t: int) -> bool:
    """Whether a running time of `steps` fits in t steps (an undefined one, e.g. sympy's zoo
    for log(0), does not)."""
    try:
        return bool(steps <= t)
    except TypeError:
        return False


@dataclass(frozen=True, eq=False, init=False)
class SpecProgram:
    """Mahoney's idealised program: P(t) = value(t) if steps(t) <= t else 0.

    "P(t) [is] the positive natural number encoded by the output of program P with input t
    ... after t time steps, or 0 if P has not halted after t steps" (Mahoney 2008, Goals).
    `value` and `steps` are each a Python callable of t, a sympy expression in the symbol t
    (`rsi.programs.t`), or a number; they are kept as `value_form` and `steps_form` (the
    method `value(t)` is P(t), as for every program).  A value that is not a positive integer
    gives P(t) = 0.  `successor`, if given, is a zero-argument callable returning P(-1), the
    next program of an RSI chain.  `values_upto(T)` evaluates P(0..T) at once, exactly
    (`rsi.closed_forms`: numbers and sympy expressions of integers, rationals, +, *, integer
    powers, floor, ceiling, Mod, Max and Min in exact vectorised rational arithmetic; any other
    expression and Python callables once per t, as `run`), so `values_upto(T)[t]` is
    `value(t)` whatever T; the longest evaluation is cached on the program.
    """

    value_form: Any
    steps_form: Any
    successor: Callable[[], Any] | None
    name: str
    _forms: tuple = field(repr=False)
    _cache: dict = field(repr=False)

    def __init__(
        self,
        value: Any,
        steps: Any,
        successor: Callable[[], Any] | None = None,
        name: str = "",
    ) -> None:
        forms = (ClosedForm(value, "value"), ClosedForm(steps, "steps"))
        for attribute, content in (
            ("value_form", value), ("steps_form", steps), ("successor", successor),
            ("name", name), ("_forms", forms), ("_cache", {}),
        ):
            object.__setattr__(self, attribute, content)

    def run(self, t: int) -> Outcome:
        t = integer("t", t)
        if t < 0:
            raise ValueError(f"P(t) needs t >= 0, got t={t}; use successor() for t = -1")
        value_form, steps_form = self._forms
        steps = steps_form.exact_fn(t)
        if not _halts(steps, t):
            return Outcome(0, halted=False, steps=t, note="not halted within t steps")
        raw = value_form.exact_fn(t)
        value, note = _natural(raw)
        used = int(np.ceil(float(steps)))
        return Outcome(value, halted=True, steps=used, raw=str(raw), note=note)

    def _exact_value(self, t: int) -> int:
        """P(t) as `run(t).value`, without building the Outcome (the per-t evaluation path)."""
        value_form, steps_form = self._forms
        return _natural(value_form.exact_fn(t))[0] if _halts(steps_form.exact_fn(t), t) else 0

    def value(self, t: int) -> int:
        return self.run(t).value

    def values_upto(self, horizon: int) -> np.ndarray:
        """P(0), ..., P(horizon) as a read-only array (int64, or object for huge values)."""
        cached = self._cache.get("values")
        if cached is None or len(cached) <= horizon:
            cached = self._evaluate(horizon)
            cached.flags.writeable = False
            self._cache["values"] = cached
        return cached[: horizon + 1]

    def _evaluate(self, horizon: int) -> np.ndarray:
        ts = np.arange(horizon + 1, dtype=np.int64)
        value_form, steps_form = self._forms
        steps = steps_form.rational(ts)
        if steps is None:
            halted = np.array([_halts(steps_form.exact_fn(k), k) for k in range(horizon + 1)], dtype=bool)
        else:
            numerator, denominator, defined = steps
            scaled = (ts if denominator.dtype != object else ts.astype(object)) * denominator
            if denominator.dtype != object and int(np.max(np.abs(denominator))) * (horizon + 1) >= 2**62:
                scaled = ts.astype(object) * denominator.astype(object)
            halted = defined & (numerator <= scaled)
        values = value_form.rational(ts)
        if values is None:
            exact = [_natural(value_form.exact_fn(k))[0] if halted[k] else 0 for k in range(horizon + 1)]
        else:
            numerator, denominator, defined = values
            whole = defined & halted & (numerator % denominator == 0)
            naturals = numerator // denominator
            chosen = np.where(whole & (naturals > 0), naturals, 0)
            if chosen.dtype != object:
                return chosen.astype(np.int64)
            exact = chosen.tolist()
        try:
            return np.array(exact, dtype=np.int64)
        except OverflowError:
            return np.array([int(v) for v in exact], dtype=object)


def _checked_values(values: Any, kind: str) -> tuple[int, ...]:
    """`values` as a tuple of ints >= 0 (values of P(t)); ValueError naming the bad one."""
    values = tuple(values)
    if not values:
        raise ValueError(f"a {kind} needs at least one value")
    for index, value in enumerate(values):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
            raise ValueError(f"{kind} value at t={index} must be an int >= 0, got {value!r}")
    return tuple(int(value) for value in values)


@dataclass(frozen=True)
class TableProgram:
    """A finite program given by its table: P(t) = values[t] for t < len(values), and
    P(t) = values[-1] for every t beyond the table (eventually constant).

    Because the tail is known, every definition can be decided exactly on a TableProgram:
    times from `tail_start` = len(values) - 1 on all behave alike.  Values are P(t) itself,
    so each must be an int >= 0 (0: not halted within t steps, or no natural number).
    """

    values: tuple[int, ...]
    name: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", _checked_values(self.values, "TableProgram"))

    @property
    def tail_start(self) -> int:
        """The first t from which P is constant: P(t') = P(tail_start) for all t' >= it."""
        return len(self.values) - 1

    def run(self, t: int) -> Outcome:
        if t < 0:
            raise ValueError(f"P(t) needs t >= 0, got t={t}")
        value = self.values[min(t, self.tail_start)]
        return Outcome(value, halted=value > 0, steps=None, raw=str(value))

    def value(self, t: int) -> int:
        return self.run(t).value

    def values_upto(self, horizon: int) -> np.ndarray:
        """P(0), ..., P(horizon) as an array (the last value repeated beyond the table)."""
        table = np.array(self.values, dtype=object if max(self.values) >= 2**63 else np.int64)
        if horizon < len(table):
            return table[: horizon + 1]
        return np.concatenate([table, np.full(horizon + 1 - len(table), table[-1], table.dtype)])


@dataclass(frozen=True)
class ObservedProgram:
    """A program known only through a finite run: P(0), ..., P(T) observed, nothing beyond.

    Mahoney's definitions quantify over all t; a run to a horizon T shows only P(0..T), and an
    ObservedProgram is exactly that observation: the definitions read it on the horizon
    T = len(values) - 1 and answer HoldsUpTo / Unknown (or Refuted where a worse t' <= T is
    seen).  Unlike TableProgram (constant beyond its table, so it never has a goal) it claims
    nothing about t > T, and asking for P(t) there is a ValueError.  `steps`, when given, are
    the resources each observation used (e.g. the training budget behind P(t)); they must
    increase strictly.
    """

    values: tuple[int, ...]
    steps: tuple[int, ...] | None = None
    name: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", _checked_values(self.values, "ObservedProgram"))
        if self.steps is not None:
            steps = tuple(int(step) for step in self.steps)
            if len(steps) != len(self.values):
                raise ValueError(
                    f"ObservedProgram needs one step count per value: {len(steps)} steps for "
                    f"{len(self.values)} values"
                )
            if any(later <= earlier for earlier, later in zip(steps, steps[1:], strict=False)):
                raise ValueError(f"ObservedProgram steps must increase strictly, got {steps}")
            object.__setattr__(self, "steps", steps)

    @property
    def horizon(self) -> int:
        """The last observed t."""
        return len(self.values) - 1

    def run(self, t: int) -> Outcome:
        if not 0 <= t <= self.horizon:
            raise ValueError(f"P({t}) was not observed: only t = 0..{self.horizon} were")
        value = self.values[t]
        steps = None if self.steps is None else self.steps[t]
        return Outcome(value, halted=value > 0 or steps is not None, steps=steps, raw=str(value))

    def value(self, t: int) -> int:
        return self.run(t).value

    def values_upto(self, horizon: int) -> np.ndarray:
        """P(0..horizon) (the definitions evaluate through this)."""
        if horizon > self.horizon:
            raise ValueError(f"P(t) was observed only up to t = {self.horizon}, asked {horizon}")
        return np.array(self.values[: horizon + 1], dtype=np.int64)

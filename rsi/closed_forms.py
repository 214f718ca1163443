"""Closed forms of `rsi.programs.SpecProgram`, evaluated exactly on whole ranges of t.

Mahoney 2008's idealised programs (Examples 1-5) are closed forms: P(t) is an integer, and one
rounding error turns a verdict into a false `Refuted` with an invented witness (in float64,
64**(1/3) is 3.999..., so floor(t**(1/3)) at t = 64 is 3, not 4).  So values are never read
from floating point.  A sympy expression built from integers, rationals, t, +, *, integer
powers, floor, ceiling, Mod, Max and Min is evaluated on all of t = 0..T at once in exact
rational arithmetic: each node is a pair (numerator, denominator) of integer arrays, int64 where
interval bounds on the same nodes over 0 <= t <= T keep every intermediate below 2**60, Python
integers (numpy object arrays) otherwise, so big values (t + 10**30) stay exact.  Any other
expression (t**(1/3), log, a sympy Float, ...) and any Python callable is evaluated exactly once
per t through sympy or Python, as `SpecProgram.run(t)` does; the two paths give the same P(t).
"""
from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import numpy as np

# Below this bound on every intermediate (with a margin for float rounding in the bounds), int64
# arithmetic cannot overflow.
_INT64_SAFE = 2.0**60


class NotVectorisable(Exception):
    """The expression uses an operation the exact vectoriser does not know."""


class _Exact:
    """Exact rational evaluation of a sympy expression on an array of t (see module docstring).

    `values(ts)` returns (numerator, denominator, defined): integer arrays with denominator > 0,
    and a mask of the t where the expression is defined (no division by zero)."""

    def __init__(self, expression: Any) -> None:
        import sympy

        self.sympy = sympy
        self.expression = expression
        self._check(expression)

    def _check(self, node: Any) -> None:
        sympy = self.sympy
        if node.is_Symbol or node.is_Rational:
            return
        if isinstance(node, (sympy.Add, sympy.Mul, sympy.floor, sympy.ceiling, sympy.Mod,
                             sympy.Max, sympy.Min)):
            for arg in node.args:
                self._check(arg)
            return
        if isinstance(node, sympy.Pow):
            base, exponent = node.args
            if exponent.is_Integer or (exponent.is_integer and exponent.is_nonnegative
                                       and not exponent.is_number):
                self._check(base)
                self._check(exponent)
                return
        raise NotVectorisable(f"no exact vectorised rule for {type(node).__name__}")

    def values(self, ts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        peak: list[float] = [0.0]
        self._bound(self.expression, float(np.max(np.abs(ts), initial=0)), peak)
        dtype: Any = np.int64 if peak[0] < _INT64_SAFE else object
        ints = ts.astype(np.int64) if dtype is np.int64 else np.array([int(k) for k in ts], dtype=object)
        numerator, denominator, defined = self._walk(self.expression, ints, dtype)
        return numerator, denominator, defined

    def _bound(self, node: Any, top: float, peak: list[float]) -> tuple[float, float]:
        """Upper bounds (N, D) on |numerator| and denominator of `node` for every |t| <= top,
        by interval arithmetic on the same rules as `_walk`; peak[0] gets the largest bound of
        any intermediate (float: inf when it overflows)."""
        sympy = self.sympy

        def seen(*bounds: float) -> None:
            peak[0] = max(peak[0], *bounds)

        if node.is_Symbol:
            result = (top, 1.0)
        elif node.is_Rational:
            result = (float(abs(int(node.p))), float(int(node.q)))
        else:
            parts = [self._bound(arg, top, peak) for arg in node.args]
            n, d = parts[0]
            with np.errstate(all="ignore"):
                if isinstance(node, sympy.Add):
                    for n2, d2 in parts[1:]:
                        seen(n * d2, n2 * d)
                        n, d = n * d2 + n2 * d, d * d2
                elif isinstance(node, sympy.Mul):
                    for n2, d2 in parts[1:]:
                        n, d = n * n2, d * d2
                elif isinstance(node, (sympy.floor, sympy.ceiling)):
                    d = 1.0
                elif isinstance(node, sympy.Mod):
                    (n1, d1), (n2, d2) = parts
                    shifted = n2 * d1 * n1 * d2
                    seen(n1 * d2, d1 * n2, shifted)
                    n, d = n1 * d2 + shifted, d1 * d2
                elif isinstance(node, (sympy.Max, sympy.Min)):
                    for n2, d2 in parts[1:]:
                        seen(n2 * d, n * d2)
                        n, d = max(n, n2), max(d, d2)
                elif isinstance(node, sympy.Pow):
                    (nb, db), (ne, _) = parts
                    big = max(nb, db, 1.0)
                    n = d = float(np.float64(big) ** np.float64(ne))
                else:
                    raise NotVectorisable(f"no exact vectorised rule for {type(node).__name__}")
            result = (n, d)
        seen(*result)
        return result

    def _walk(self, node: Any, ts: np.ndarray, dtype: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        sympy = self.sympy
        ones = np.ones(ts.shape, dtype=bool)

        def make(value: int) -> np.ndarray:
            if dtype is object:
                return np.full(ts.shape, int(value), dtype=object)
            return np.full(ts.shape, value, dtype=dtype)

        def out(n: np.ndarray, d: np.ndarray, ok: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            return n, d, ok

        def reduce(n: np.ndarray, d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            # Not reduced to lowest terms: exactness does not need it (comparisons cross-
            # multiply, floor is n // d), and the bounds of `_bound` assume unreduced pairs.
            return n, d

        if node.is_Symbol:
            return out(ts.copy(), make(1), ones)
        if node.is_Rational:
            return out(make(int(node.p)), make(int(node.q)), ones)
        parts = [self._walk(arg, ts, dtype) for arg in node.args]
        with np.errstate(all="ignore"):
            if isinstance(node, sympy.Add):
                n, d, ok = parts[0]
                for n2, d2, ok2 in parts[1:]:
                    left, right = n * d2, n2 * d
                    n, d = reduce(left + right, d * d2)
                    ok = ok & ok2
                return out(n, d, ok)
            if isinstance(node, sympy.Mul):
                n, d, ok = parts[0]
                for n2, d2, ok2 in parts[1:]:
                    n, d = reduce(n * n2, d * d2)
                    ok = ok & ok2
                return out(n, d, ok)
            if isinstance(node, (sympy.floor, sympy.ceiling)):
                n, d, ok = parts[0]
                safe = np.where(d == 0, 1, d)
                whole = n // safe if isinstance(node, sympy.floor) else -((-n) // safe)
                return out(whole, make(1), ok)
            if isinstance(node, sympy.Mod):  # x mod y = x - y * floor(x / y), y != 0
                (n1, d1, ok1), (n2, d2, ok2) = parts
                zero = n2 == 0
                top, bottom = n1 * d2, np.where(zero, 1, d1 * n2)
                sign = np.where(bottom < 0, -1, 1)
                quotient = (top * sign) // (bottom * sign)
                shifted = n2 * d1 * quotient
                n, d = reduce(n1 * d2 - shifted, d1 * d2)
                return out(n, d, ok1 & ok2 & ~zero)
            if isinstance(node, (sympy.Max, sympy.Min)):
                n, d, ok = parts[0]
                for n2, d2, ok2 in parts[1:]:
                    left, right = n2 * d, n * d2
                    take = left > right if isinstance(node, sympy.Max) else left < right
                    n, d, ok = np.where(take, n2, n), np.where(take, d2, d), ok & ok2
                return out(n, d, ok)
            if isinstance(node, sympy.Pow):
                (nb, db, okb), (ne, de, oke) = parts
                if np.any(oke & (ne % np.where(de == 0, 1, de) != 0)):
                    raise NotVectorisable("a non-integer exponent")
                exponent = ne // np.where(de == 0, 1, de)
                negative = exponent < 0
                magnitude = np.where(negative, -exponent, exponent)
                if dtype is object:
                    pn = np.array([int(b) ** int(k) for b, k in zip(nb, magnitude, strict=True)], dtype=object)
                    pd = np.array([int(b) ** int(k) for b, k in zip(db, magnitude, strict=True)], dtype=object)
                else:
                    pn = np.power(nb, magnitude.astype(dtype))
                    pd = np.power(db, magnitude.astype(dtype))
                zero_base = negative & (nb == 0)
                sign = np.where(negative & (nb < 0) & (magnitude % 2 == 1), -1, 1)
                n = np.where(negative, pd * sign, pn)
                d = np.where(negative, np.where(zero_base, 1, pn * sign), pd)
                return out(n, d, okb & oke & ~zero_base)
        raise NotVectorisable(f"no exact vectorised rule for {type(node).__name__}")


class ClosedForm:
    """One of a SpecProgram's value/steps: a callable of t, a sympy expression, or a number.

    `exact_fn(k)` is exact (Python or sympy arithmetic), what `run(t)` uses.  `rational(ts)` is
    the exact vectorised evaluation (numerator, denominator, defined) of a number or of a
    sympy expression the vectoriser knows, None otherwise (then evaluate once per t)."""

    def __init__(self, spec: Any, what: str) -> None:
        self._exact: _Exact | None = None
        self._constant: Fraction | None = None
        if isinstance(spec, (int, float, np.integer, np.floating)) and not isinstance(spec, (bool, np.bool_)):
            number = spec.item() if isinstance(spec, np.generic) else spec
            if isinstance(number, float) and not math.isfinite(number):
                raise ValueError(f"{what} must be a finite number, got {number!r}")
            self.exact_fn: Callable[[int], Any] = lambda k: number
            self._constant = Fraction(number)
        elif hasattr(spec, "free_symbols") and hasattr(spec, "xreplace"):
            import sympy

            names = sorted(str(symbol) for symbol in spec.free_symbols)
            if names not in ([], ["t"]):
                raise ValueError(f"{what} may only use the symbol t, found {', '.join(names)}")
            symbols = list(spec.free_symbols) or [sympy.Symbol("t")]
            self.exact_fn = lambda k: spec.xreplace({symbols[0]: sympy.Integer(k)})
            try:
                self._exact = _Exact(spec)
            except NotVectorisable:
                self._exact = None
        elif callable(spec):
            self.exact_fn = spec
        else:
            raise ValueError(
                f"{what} must be a callable of t, a sympy expression in t or a number, "
                f"got {type(spec).__name__}"
            )

    def rational(self, ts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        if self._constant is not None:
            big = max(abs(self._constant.numerator), self._constant.denominator) >= _INT64_SAFE
            dtype: Any = object if big else np.int64
            n = np.full(ts.shape, self._constant.numerator, dtype=dtype)
            d = np.full(ts.shape, self._constant.denominator, dtype=dtype)
            return n, d, np.ones(ts.shape, dtype=bool)
        if self._exact is None:
            return None
        try:
            return self._exact.values(ts)
        except (NotVectorisable, OverflowError, ZeroDivisionError):
            return None

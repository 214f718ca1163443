"""Goals: Mahoney 2008, section Goals.

"We define a goal as a function G: N -> R mapping natural numbers ... to real numbers.  For
example, the function PRIME(x) = {x if x is prime, else 0} represents the goal of finding
large prime numbers."  Any callable int -> real number is a goal; `identity` (Example 5: "the
goal of finding big numbers") and `prime` are built in.  `goal_values` applies a goal to a whole
array of program values at once (a fast path for the built-in goals, else once per distinct
value).  A goal's outputs must be real numbers (ints, floats, fractions; not NaN, infinities,
strings or complex numbers: `ValueError` naming the t and the value), and they are compared
exactly: integers stay integers, and a mix of integers and floats is kept as Python numbers
(2**53 + 1 > 2.0**53), never rounded to float64.
"""
from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from typing import Any

import numpy as np

Goal = Callable[[int], float]

# Largest value for which `goal_values` sieves primes instead of testing each distinct value.
_SIEVE_LIMIT = 10_000_000


def is_prime(n: int) -> bool:
    """Whether the integer n is prime (sympy's deterministic test; False for n < 2)."""
    from sympy import isprime

    return bool(isprime(int(n)))


def identity(x: int) -> int:
    """G(x) = x: the goal of finding big numbers (Mahoney, Example 5)."""
    return x


def prime(x: int) -> int:
    """PRIME(x) = x if x is prime, else 0: the goal of finding large primes."""
    return x if is_prime(x) else 0


GOALS: dict[str, Goal] = {"identity": identity, "prime": prime}


def goal_by_name(name: str) -> Goal:
    """The built-in goal called `name`; ValueError naming the known goals otherwise."""
    if name not in GOALS:
        raise ValueError(f"unknown goal {name!r}; known goals: {', '.join(GOALS)}")
    return GOALS[name]


def _prime_mask(limit: int) -> np.ndarray:
    """Sieve of Eratosthenes: mask[k] is True iff k is prime, for 0 <= k <= limit."""
    mask = np.ones(limit + 1, dtype=bool)
    mask[:2] = False
    for k in range(2, math.isqrt(limit) + 1):
        if mask[k]:
            mask[k * k :: k] = False
    return mask


def _real(output: Any, x: int, values: np.ndarray) -> int | float | numbers.Real:
    """A goal's output checked to be a real number (see the module docstring)."""
    if isinstance(output, np.generic):
        output = output.item()
    good = isinstance(output, numbers.Real)
    if good and not isinstance(output, numbers.Rational):
        try:
            good = math.isfinite(float(output))
        except (TypeError, ValueError, OverflowError):
            good = False
    if not good:
        at = np.argwhere(values == x)[0]
        raise ValueError(
            f"the goal returned {output!r} for P(t) = {x} at t = {int(at[-1])}: a goal G: N -> R "
            "must return a finite real number"
        )
    if isinstance(output, numbers.Integral):
        return int(output)
    return output


def _exact_array(outputs: list[Any]) -> np.ndarray:
    """The outputs as an array that compares exactly: int64 or float64 where every output is of
    that kind and fits, else Python numbers (an object array)."""
    if all(isinstance(value, int) for value in outputs):
        try:
            return np.array(outputs, dtype=np.int64)
        except OverflowError:
            return np.array(outputs, dtype=object)
    if all(isinstance(value, float) for value in outputs):
        return np.array(outputs, dtype=np.float64)
    return np.array(outputs, dtype=object)


def goal_values(goal: Goal, values: np.ndarray) -> np.ndarray:
    """G applied elementwise to `values` (program outputs, all >= 0; the last axis is t).

    Integer arrays stay exact (identity returns them unchanged, PRIME zeroes the composites);
    any other goal is called once per distinct value, and its outputs are checked to be real
    numbers and kept exact (module docstring).
    """
    values = np.asarray(values)
    if goal is identity:
        return values
    if goal is prime and values.dtype.kind in "iu" and values.size:
        top = int(values.max())
        if top <= _SIEVE_LIMIT:
            return np.where(_prime_mask(max(top, 1))[values], values, 0)
    distinct, inverse = np.unique(values, return_inverse=True)
    mapped = [_real(goal(int(value)), int(value), values) for value in distinct]
    return _exact_array(mapped)[inverse].reshape(values.shape)

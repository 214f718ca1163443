"""One check for every public argument of the core: times t, horizons T, chain lengths n and the
enforced conditions of "Q improves on P" (Mahoney 2008, sections Goals and Improvement).

Python and numpy integers are accepted alike and returned as Python ints (so a verdict built from
them serialises); bools, floats, strings and everything else are refused with a `ValueError` that
names the argument, the rule and the value.  The command line turns that error into one line and
exit code 2.
"""
from __future__ import annotations

import operator
from collections.abc import Iterable
from typing import Any

import numpy as np

CONDITIONS: tuple[int, ...] = (1, 2, 3, 4)


def integer(name: str, value: Any, minimum: int | None = None) -> int:
    """`value` as a Python int, checked to be an integer (not a bool) >= `minimum`."""
    rule = "an integer" if minimum is None else f"an integer >= {minimum}"
    if isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be {rule}, got the bool {value!r}")
    try:
        number = operator.index(value)  # int, numpy and sympy integers; never a float
    except TypeError:
        raise ValueError(f"{name} must be {rule}, got {type(value).__name__} {value!r}") from None
    if minimum is not None and number < minimum:
        raise ValueError(f"{name} must be {rule}, got {number}")
    return number


def conditions(value: Any) -> tuple[int, ...]:
    """A non-empty set of the conditions 1..4 of "Q improves on P", sorted, as Python ints."""
    rule = f"conditions must be a non-empty collection of integers from {CONDITIONS}"
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise ValueError(f"{rule}, got {value!r}")
    chosen = []
    for item in value:
        if isinstance(item, (bool, np.bool_)):
            raise ValueError(f"{rule}, got the bool {item!r} in {value!r}")
        try:
            number = operator.index(item)
        except TypeError:
            raise ValueError(f"{rule}, got {item!r} in {value!r}") from None
        if number not in CONDITIONS:
            raise ValueError(f"{rule}, got {number} in {value!r}")
        chosen.append(number)
    if not chosen:
        raise ValueError(f"{rule}, got an empty one")
    return tuple(sorted(set(chosen)))

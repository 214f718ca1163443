"""Results as data: one JSON form for every frozen result record of the toolkit.

DESIGN.md: results (Verdict, Outcome, RunResult, ...) are frozen dataclasses with a `to_json()`.
`jsonable(value)` turns a value into plain JSON data, exactly where JSON can be exact: numpy
scalars become Python numbers, numpy arrays lists, an integer-valued `Fraction` or sympy
rational an int, any other rational its exact text "p/q", another sympy expression its text,
a dataclass the dict of its fields, a path its text.  `JsonRecord` gives a dataclass `to_dict()`
(its fields) and `to_json()` built on it; a class with its own `to_dict()` keeps it and still
serialises through `jsonable`, so `to_json()` never raises on numpy integers or fractions.
"""
from __future__ import annotations

import dataclasses
import json
import numbers
from fractions import Fraction
from pathlib import PurePath
from typing import Any

import numpy as np


def _rational(value: Any) -> Any:
    numerator, denominator = int(value.numerator), int(value.denominator)
    return numerator if denominator == 1 else f"{numerator}/{denominator}"


def jsonable(value: Any) -> Any:
    """`value` as JSON data (see the module docstring); unknown objects become their text."""
    if value is None or isinstance(value, (bool, str, int, float)):
        return int(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if isinstance(value, np.generic):
        return jsonable(value.item())
    if isinstance(value, np.ndarray):
        return [jsonable(item) for item in value.tolist()]
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(item) for item in value]
    if isinstance(value, Fraction):
        return _rational(value)
    if isinstance(value, numbers.Rational):  # sympy Integer and Rational register here
        return _rational(value)
    if hasattr(value, "to_dict") and callable(value.to_dict):
        return jsonable(value.to_dict())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, PurePath):
        return str(value)
    if hasattr(value, "is_Float") and value.is_Float:  # a sympy Float
        return float(value)
    return str(value)


def to_json(value: Any, **options: Any) -> str:
    """`json.dumps(jsonable(value), **options)` (options such as indent, sort_keys)."""
    return json.dumps(jsonable(value), **options)


class JsonRecord:
    """Mixin for frozen dataclasses: `to_dict()` is the fields as JSON data, `to_json()` its text."""

    def to_dict(self) -> dict[str, Any]:
        assert dataclasses.is_dataclass(self)
        return {f.name: jsonable(getattr(self, f.name)) for f in dataclasses.fields(self)}

    def to_json(self) -> str:
        return to_json(self.to_dict())

"""Programs and Mahoney's P(t).

Mahoney 2008, section Goals: "Define P(t) to mean the positive natural number encoded by the
output of program P with input t running on L after t time steps, or 0 if P has not halted
after t steps."  Input -1 asks a program for its successor's source (section Recursive Self
Improvement).  Every program kind (closed form, finite table, text on a metered machine)
satisfies the same `Program` protocol, so the definitions never care where a program came from.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Protocol, runtime_checkable


@dataclass(frozen=True)
class Outcome:
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

    def to_json(self) -> str:
        return json.dumps(asdict(self))


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

"""Machines: Mahoney's "fixed universal Turing machine L", one per language.

A metered machine counts steps exactly and stops at the budget, so `value(source, t)` is
Mahoney's P(t) exactly; an unmetered one runs under a wall-clock guard and says so
(`metered = False`).  I/O convention (DESIGN.md): stdin is one line with t in decimal; stdout is
a decimal integer for t >= 0 and the successor program's source for t = -1.
Adding a language is one small module plus one entry in quines_text.languages.
"""
from __future__ import annotations

import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from quines_text.languages import EXTENSIONS as LANGUAGE_EXTENSIONS
from quines_text.languages import MACHINE_INFO, language_of_path
from quines_text.run_result import RunResult
from rsi.programs import Outcome, parse_natural


@runtime_checkable
class Machine(Protocol):
    name: str
    metered: bool

    def run(self, source: str, stdin: bytes = b"", step_budget: int | None = None) -> RunResult:
        """Run `source` on `stdin`; a metered machine stops with status step_limit past the budget."""
        ...

    def value(self, source: str, t: int) -> Outcome:
        """Mahoney's P(t): run on input t with a budget of t steps (metered machines)."""
        ...


# name -> module that defines a dict `MACHINES` holding that machine (imported on first use);
# derived from the one registry of languages and machines, quines_text.languages.
MACHINE_MODULES: dict[str, str] = {name: info.module for name, info in MACHINE_INFO.items()}

# File extension -> language.  A language's name is also the name of its default machine
# (.py runs on the metered Python machine, .c on gcc; `--metered` picks c-wasm for C).
EXTENSIONS: dict[str, str] = dict(LANGUAGE_EXTENSIONS)


def lang_from_path(path: str | Path) -> str:
    """The language of a program file from its extension (EXTENSIONS); ValueError otherwise."""
    return language_of_path(path).name


def get_machine(name: str) -> Machine:
    """The machine called `name` (one of MACHINE_MODULES); ValueError naming it otherwise."""
    import importlib

    if name not in MACHINE_MODULES:
        known = ", ".join(sorted(MACHINE_MODULES))
        raise ValueError(f"unknown machine {name!r}; known machines: {known}")
    return importlib.import_module(MACHINE_MODULES[name]).MACHINES[name]


def outcome_from_run(result: RunResult) -> Outcome:
    """Mahoney's P(t) from one run made with budget t: the positive natural number printed
    if the program halted (status ok) within the budget, else 0 with the reason in `note`."""
    if result.status == "step_limit" or result.status == "timeout":
        return Outcome(0, halted=False, steps=result.steps, raw=result.text, note=result.status)
    if result.status != "ok":
        return Outcome(0, halted=True, steps=result.steps, raw=result.text, note=result.status)
    value, note = parse_natural(result.text)
    return Outcome(value, halted=True, steps=result.steps, raw=result.text, note=note)


def stdin_for(t: int) -> bytes:
    """The I/O convention: stdin is one line holding t in decimal."""
    return f"{t}\n".encode()


_BATCH_CACHE: weakref.WeakKeyDictionary[TextProgram, np.ndarray] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class TextProgram:
    """A program text on a machine: the `rsi.programs.Program` of the text layer.

    run(t) is one run with a budget of t steps (Mahoney's P(t)); successor() is P(-1), the
    next program of an RSI chain, run without a step budget under the wall-clock guard.
    """

    source: str
    lang: str

    def run(self, t: int) -> Outcome:
        if t < 0:
            raise ValueError(f"P(t) needs t >= 0, got t={t}; use successor() for t = -1")
        return get_machine(self.lang).value(self.source, t)

    def value(self, t: int) -> int:
        return self.run(t).value

    def values_upto(self, horizon: int) -> np.ndarray:
        """P(0), ..., P(horizon) (rsi.definitions.values_on): in one batch where the machine has
        one (`values`: c-wasm compiles once and instantiates per t; metered Python runs them
        in one warm evaluator, quines_text.sandbox.evaluator), else one run per t; the
        values are the same either way.  The longest result is kept per program."""
        cached = _BATCH_CACHE.get(self)
        if cached is not None and len(cached) > horizon:
            return cached[: horizon + 1]
        machine = get_machine(self.lang)
        batch = getattr(machine, "values", None)
        outcomes = batch(self.source, horizon) if batch else [machine.value(self.source, k)
                                                              for k in range(horizon + 1)]
        values = [outcome.value for outcome in outcomes]
        try:
            array = np.array(values, dtype=np.int64)
        except OverflowError:
            array = np.array(values, dtype=object)
        array.flags.writeable = False
        _BATCH_CACHE[self] = array
        return array

    def successor(self) -> TextProgram:
        result = get_machine(self.lang).run(self.source, stdin_for(-1), None)
        if result.status != "ok":
            raise RuntimeError(f"P(-1) did not produce a successor: status {result.status}")
        return TextProgram(result.text, self.lang)

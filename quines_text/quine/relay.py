"""Quine relays: follow program -> its output -> its output ... and report the cycle.

A quine is a relay of period 1; a Python program that prints a JavaScript program that prints
the Python program is a relay of period 2 (`make_relay` builds one with the recursion-theorem
construction of `quines_text.quine.make`).  Each stage runs in the harness with empty stdin.
The language of each stage is given (one language for all, or a cycle of languages) or
detected from the text with `detect_lang`, a documented heuristic.  Both the detection rules
and the relay's printers are facts of each language's registry entry (quines_text.languages).
"""
from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from quines_text.languages import LANGUAGES
from quines_text.quine.check import CHECK_LANGS, run_program
from quines_text.quine.make import make, scheme_of
from rsi.records import JsonRecord

STOP_REASONS: tuple[str, ...] = ("cycle", "error", "max_steps", "unknown_language")

_STRING = re.compile(r'"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'')


@functools.cache
def _mark(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.M)


def detect_lang(text: str) -> str:
    """The language of a program text: the first registered language, by detect_rank, whose
    `detect` expression matches the text with its string literals blanked (code quoted inside
    another program does not count).  The rules today, in order: bf if every non-space
    character is a BF command; c if a line starts with `#include` or `#define`, or
    `main(...) {` appears; js if `console.`, `process.`, `require(`, `const`, `let`, `var`,
    `function` or `=>` appears; python if `import`, `def`, `print`, `lambda`, `exec`, `:=` or a
    line ending in `:` appears.  ValueError when no rule matches."""
    code = _STRING.sub('""', text)
    rules = sorted((lang for lang in LANGUAGES.values() if lang.detect), key=lambda lang: lang.detect_rank)
    for lang in rules:
        if lang.detect and _mark(lang.detect).search(code):
            return lang.name
    raise ValueError("cannot tell the language of the program text")


@dataclass(frozen=True)
class Stage:
    """One program of the relay: its language, size, and the status of its run."""

    index: int
    lang: str
    bytes: int
    status: str


@dataclass(frozen=True)
class RelayResult(JsonRecord):
    """stopped: one of STOP_REASONS.  period: cycle length when stopped == "cycle" (stage
    `cycle_start + period` has the text and language of stage `cycle_start`), else None.
    detail: one line on why it stopped."""

    stages: tuple[Stage, ...]
    stopped: str
    period: int | None
    cycle_start: int | None
    detail: str

    def to_dict(self) -> dict:
        return asdict(self)



def _lang_of(index: int, text: str, langs: str | Sequence[str] | None, first_lang: str | None) -> str:
    if langs is None:
        return first_lang if index == 0 and first_lang is not None else detect_lang(text)
    if isinstance(langs, str):
        return langs
    return langs[index % len(langs)]


def relay(
    source: str,
    langs: str | Sequence[str] | None = None,
    max_steps: int = 10,
    first_lang: str | None = None,
) -> RelayResult:
    """Follow source -> output -> ... for at most `max_steps` runs.

    langs: None detects each stage's language (the first stage's is `first_lang` when given,
    e.g. from the file's extension); a str runs every stage in that language; a sequence gives
    stage i the language langs[i % len(langs)].  The relay stops at the first
    stage that repeats an earlier (text, language) pair (a cycle; with a language sequence the
    position in it must match too), at a run that fails or prints nothing, or after max_steps."""
    if max_steps < 1:
        raise ValueError(f"max_steps must be >= 1, got {max_steps}")
    if not isinstance(langs, (str, type(None))):
        langs = tuple(langs)
        if not langs:
            raise ValueError("langs is an empty sequence")
    for lang in ([langs] if isinstance(langs, str) else list(langs or ())) + [first_lang]:
        if lang is None:
            continue
        if lang not in CHECK_LANGS:
            raise ValueError(f"unknown language {lang!r}; languages: {', '.join(CHECK_LANGS)}")
    period_of_langs = len(langs) if isinstance(langs, tuple) else 1
    seen: dict[tuple[str, str, int], int] = {}
    stages: list[Stage] = []
    text = source
    for index in range(max_steps + 1):
        try:
            lang = _lang_of(index, text, langs, first_lang)
        except ValueError as error:
            return RelayResult(tuple(stages), "unknown_language", None, None, f"stage {index}: {error}")
        key = (text, lang, index % period_of_langs)
        if key in seen:
            start = seen[key]
            return RelayResult(
                tuple(stages), "cycle", index - start, start,
                f"stage {index} repeats stage {start}: period {index - start}",
            )
        if index == max_steps:
            break
        seen[key] = index
        result = run_program(text, lang)
        stages.append(Stage(index, lang, len(text.encode("utf-8")), result.status))
        if result.status != "ok" or not result.stdout:
            why = f"status {result.status}" if result.status != "ok" else "empty output"
            return RelayResult(tuple(stages), "error", None, None, f"stage {index} ({lang}): {why}")
        text = result.text
    return RelayResult(tuple(stages), "max_steps", None, None, f"no cycle within {max_steps} runs")


def relay_pairs() -> tuple[tuple[str, str], ...]:
    """The (first, second) pairs make_relay builds: first has a printer, second a writer."""
    return tuple((a.name, b.name) for a in LANGUAGES.values() for b in LANGUAGES.values()
                 if a is not b and a.printer and a.quine_scheme and b.writer)


def make_relay(first: str, second: str) -> str:
    """A program in `first` that prints a program in `second` that prints the first program
    again: a relay of period 2.  The first stage is make() of `first`'s printer template, which
    writes `second`'s writer with the JSON literal of SELF in it (relay_pairs: python->js and
    js->python today)."""
    if (first, second) not in relay_pairs():
        pairs = ", ".join(f"{a}->{b}" for a, b in relay_pairs())
        raise ValueError(f"no relay template for {first}->{second}; pairs: {pairs}")
    printer, writer = LANGUAGES[first].printer, LANGUAGES[second].writer
    assert printer is not None and writer is not None  # relay_pairs checked both
    prefix, _, suffix = writer.partition("{literal}")
    literal = scheme_of(first).literal
    template = printer.replace("{prefix}", literal(prefix)).replace("{suffix}", literal(suffix))
    return make(template, first)

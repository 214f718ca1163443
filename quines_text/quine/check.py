"""Is a program text a quine?  Verdicts `quine`, `cheating`, `near`, `not_quine`, `error`.

A quine prints its own source, byte for byte, without reading it (DESIGN.md, quines_text.quine;
Kleene's recursion theorem).  `check` runs the program once the ordinary way (its source present as a file) and,
when that run prints the source, once more with no copy of the source reachable
(`quines_text.sandbox.run(..., expose_source=False)`: Python from `-c`, node from `-e`, the C
binary run without its source).  Output equal to the source in both runs is a `quine`; equal
only in the first is `cheating` (the program read itself: `open(__file__)`, `inspect`,
`/proc/self/...`).  The two runs are the whole mechanism: the sandbox's Python audit hook
refuses reads outside the run folder but does not record reads inside it, where the program's
own file lies, so it gives no separate evidence of self-reading.  A language the sandbox does
not run (its registry entry has no sandbox_lang: BF) runs in-process on its plain machine,
where no copy of the source exists, so a program in it cannot cheat this way.

`near` (precisely): the ordinary run halted (status ok) and printed a text other than the source
whose edit distance to it is at most max(NEAR_MIN, NEAR_FRACTION * len(source)).  The edit
distance is the Levenshtein distance between the two texts (characters; insertions, deletions
and substitutions cost 1), computed by rapidfuzz.  The diff shown beside it is difflib's.
"""
from __future__ import annotations

import difflib
import math
from dataclasses import asdict, dataclass

from rapidfuzz.distance import Levenshtein

from quines_text import languages
from quines_text.languages import LANGUAGES, Language, LanguageNames
from quines_text.run_result import RunResult
from rsi.records import JsonRecord

VERDICTS: tuple[str, ...] = ("quine", "cheating", "near", "not_quine", "error")
CHECK_LANGS: LanguageNames = languages.CHECK_LANGS  # read from the registry at every use
NEAR_MIN = 2
NEAR_FRACTION = 0.05
BF_STEP_BUDGET = 100_000_000  # steps of an in-process machine (BF); a BF quine of a few kB runs in well under 10^7
_STDERR_KEEP = 2000  # characters of the program's stderr kept in a verdict


@dataclass(frozen=True)
class QuineVerdict(JsonRecord):
    """verdict: one of VERDICTS.  status: the sandbox status of the run the verdict rests on
    (the run without the source for `quine` and `cheating`, else the ordinary run).
    edit_distance: between the source and that run's output (None for `error`, where no output
    counts).  diff: unified diff source -> output ("" when equal or for `error`).
    evidence: one line saying why.  stderr: the start of that run's stderr."""

    verdict: str
    lang: str
    status: str
    edit_distance: int | None
    diff: str
    evidence: str
    stderr: str = ""

    def to_dict(self) -> dict:
        return asdict(self)



def edit_distance(a: str, b: str) -> int:
    """The Levenshtein distance between a and b, in characters (module docstring)."""
    return Levenshtein.distance(a, b)


def near_bound(length: int) -> int:
    """The largest edit distance that still counts as `near` for a source of `length` chars."""
    return max(NEAR_MIN, math.floor(NEAR_FRACTION * length))


def unified_diff(source: str, output: str) -> str:
    """Unified diff from the source to the output; a line without a final newline is marked
    `\\ No newline at end of file`, as GNU diff does, so a missing newline is visible."""
    lines = difflib.unified_diff(
        source.splitlines(keepends=True), output.splitlines(keepends=True),
        fromfile="source", tofile="output",
    )
    marked = []
    for line in lines:
        if line.endswith("\n"):
            marked.append(line)
        else:
            marked.append(line + "\n\\ No newline at end of file\n")
    return "".join(marked)


def _checked(lang: str) -> Language:
    if lang not in CHECK_LANGS:
        raise ValueError(f"unknown language {lang!r}; languages: {', '.join(CHECK_LANGS)}")
    return LANGUAGES[lang]


def run_program(source: str, lang: str, stdin: bytes = b"", *, expose_source: bool = True) -> RunResult:
    """One run of `source` in `lang` with the harness: the sandbox for a sandbox language
    (python, c, js; with or without a copy of the source reachable), else the language's plain
    machine with a step budget (bf)."""
    entry = _checked(lang)
    if entry.sandbox_lang is None:
        from quines_text.machines import get_machine

        return get_machine(entry.plain).run(source, stdin, BF_STEP_BUDGET)
    from quines_text import sandbox

    return sandbox.run(source, entry.sandbox_lang, stdin, expose_source=expose_source)


def _stderr(result: RunResult) -> str:
    return result.stderr.decode("utf-8", errors="replace")[:_STDERR_KEEP]


def _compare(source: str, result: RunResult, lang: str) -> QuineVerdict:
    """Verdict from the ordinary run when its output is not the source."""
    if result.status != "ok":
        return QuineVerdict(
            "error", lang, result.status, None, "",
            f"the program did not halt normally: status {result.status}", _stderr(result),
        )
    output = result.text
    distance = edit_distance(source, output)
    bound = near_bound(len(source))
    if distance <= bound:
        return QuineVerdict(
            "near", lang, result.status, distance, unified_diff(source, output),
            f"output differs from the source by edit distance {distance} <= {bound}",
            _stderr(result),
        )
    return QuineVerdict(
        "not_quine", lang, result.status, distance, unified_diff(source, output),
        f"output differs from the source by edit distance {distance} > {bound}", _stderr(result),
    )


def check(source: str, lang: str) -> QuineVerdict:
    """Run `source` in `lang` (one of CHECK_LANGS) and classify it (see the module docstring).

    ValueError for an unknown language."""
    entry = _checked(lang)
    expected = source.encode("utf-8")
    ordinary = run_program(source, lang)
    if ordinary.status != "ok" or ordinary.stdout != expected:
        return _compare(source, ordinary, lang)
    if entry.sandbox_lang is None:
        return QuineVerdict(
            "quine", lang, ordinary.status, 0, "",
            f"prints its source; the {entry.plain} machine holds no copy of it", _stderr(ordinary),
        )
    hidden = run_program(source, lang, expose_source=False)
    if hidden.status == "ok" and hidden.stdout == expected:
        return QuineVerdict(
            "quine", lang, hidden.status, 0, "",
            "prints its source, also with no copy of the source reachable", _stderr(hidden),
        )
    output = hidden.text
    return QuineVerdict(
        "cheating", lang, hidden.status, edit_distance(source, output),
        unified_diff(source, output),
        "prints its source only when its source file is reachable "
        f"(without it: status {hidden.status})",
        _stderr(hidden),
    )

"""Text quines: check, construct (Kleene's recursion theorem), relay, RSI-ready successors.

The public face of the quine layer (DESIGN.md, quines_text.quine).  The work is split by job:
`check` (verdicts quine / cheating / near / not_quine / error), `make` (the recursion-theorem
construction, `make` and `make_successor` for Mahoney 2008 Example 6 shaped programs) and
`relay` (program -> output -> ... cycles).
"""
from quines_text.machines import EXTENSIONS, lang_from_path
from quines_text.quine.check import (
    CHECK_LANGS,
    NEAR_FRACTION,
    NEAR_MIN,
    VERDICTS,
    QuineVerdict,
    check,
    edit_distance,
    near_bound,
    unified_diff,
)
from quines_text.quine.make import (
    MAKE_LANGS,
    QUINE_TEMPLATES,
    SUCCESSOR_TEMPLATES,
    make,
    make_successor,
)
from quines_text.quine.relay import STOP_REASONS, RelayResult, Stage, detect_lang, make_relay, relay

__all__ = [
    "CHECK_LANGS",
    "EXTENSIONS",
    "MAKE_LANGS",
    "NEAR_FRACTION",
    "NEAR_MIN",
    "QUINE_TEMPLATES",
    "STOP_REASONS",
    "SUCCESSOR_TEMPLATES",
    "VERDICTS",
    "QuineVerdict",
    "RelayResult",
    "Stage",
    "check",
    "detect_lang",
    "edit_distance",
    "lang_from_path",
    "make",
    "make_relay",
    "make_successor",
    "near_bound",
    "relay",
    "unified_diff",
]

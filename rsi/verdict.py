"""Verdicts: what running can say about Mahoney's quantified definitions.

Mahoney 2008 defines "has goal", "improves", "improving sequence" and "RSI program" with
quantifiers over all times t (e.g. "for all t' > t, G(P(t')) >= G(P(t))").  Running a
program up to a horizon T cannot decide such a claim, so every definition in
`rsi.definitions` answers with one of four verdicts instead of a bool:

- `Refuted(witness, reason)`: definitively false, with a concrete witness (e.g. the t' where
  G(P(t')) < G(P(t)), or the constant tail of a finite table).
- `HoldsUpTo(horizon, evidence)`: nothing up to `horizon` contradicts the claim and its
  existential parts were witnessed; the universal parts are only checked up to `horizon`.
- `Proven(argument)`: true for all t (an exhausted finite table, or a symbolic argument).
- `Unknown(reason)`: an existential part could not be witnessed within the horizon.

Every verdict also carries an `evidence` dict (data supporting it; may be empty).  Verdicts
are frozen and JSON-serializable, and `bool(verdict)` raises `TypeError`, so no caller can
turn "holds up to T" into "holds" by accident: look at `.kind`.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar

from rsi.records import JsonRecord, jsonable


class _VerdictBase(JsonRecord):
    """Shared behaviour: `.kind`, no truth value, `to_dict` / `to_json` (JSON data throughout)."""

    KIND: ClassVar[str]

    @property
    def kind(self) -> str:
        """One of "refuted", "holds_up_to", "proven", "unknown"."""
        return self.KIND

    def __bool__(self) -> bool:
        raise TypeError(
            f"a {type(self).__name__} verdict has no truth value; look at .kind "
            "('refuted', 'holds_up_to', 'proven' or 'unknown'): 'holds_up_to' holds only up "
            "to its horizon"
        )

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.KIND}
        data.update({f.name: jsonable(getattr(self, f.name)) for f in fields(self)})  # type: ignore[arg-type]
        return data

    def summary(self) -> str:
        """One line for people: the kind and what supports it."""
        return f"{self.KIND}: {self._detail()}"

    def _detail(self) -> str:
        raise NotImplementedError


@dataclass(frozen=True)
class Refuted(_VerdictBase):
    """Definitively false.  `witness`: JSON-able data that shows it, e.g. {"t": 7, "t_prime": 8}."""

    KIND: ClassVar[str] = "refuted"
    witness: Any
    reason: str
    evidence: dict = field(default_factory=dict)

    def _detail(self) -> str:
        return f"{self.reason} (witness {json.dumps(self.witness, default=str)})"


@dataclass(frozen=True)
class HoldsUpTo(_VerdictBase):
    """Not contradicted for any time up to `horizon`, existential parts witnessed."""

    KIND: ClassVar[str] = "holds_up_to"
    horizon: int
    evidence: dict

    def _detail(self) -> str:
        shown = {
            key: value for key, value in self.evidence.items() if not isinstance(value, (dict, list))
        }
        return f"up to t = {self.horizon} {json.dumps(shown, default=str)}"


@dataclass(frozen=True)
class Proven(_VerdictBase):
    """True for every t; `argument` says why in one or two sentences."""

    KIND: ClassVar[str] = "proven"
    argument: str
    evidence: dict = field(default_factory=dict)

    def _detail(self) -> str:
        return self.argument


@dataclass(frozen=True)
class Unknown(_VerdictBase):
    """Undecided within the horizon; `reason` says what could not be witnessed."""

    KIND: ClassVar[str] = "unknown"
    reason: str
    evidence: dict = field(default_factory=dict)

    def _detail(self) -> str:
        return self.reason


Verdict = Refuted | HoldsUpTo | Proven | Unknown

# The kinds that support a claim (up to a horizon, or outright): the one definition of
# "the verdict supports the claim" (`supports`), used by every caller.
POSITIVE_KINDS: tuple[str, ...] = ("holds_up_to", "proven")


def supports(verdict: Verdict | Mapping[str, Any] | str) -> bool:
    """Whether a verdict (or its `to_dict()`, or its kind) supports the claim: HoldsUpTo (up to
    its horizon) or Proven.  Refuted and Unknown do not."""
    if isinstance(verdict, str):
        kind = verdict
    elif isinstance(verdict, Mapping):
        kind = verdict["kind"]
    else:
        kind = verdict.kind
    if kind not in VERDICT_KINDS:
        raise ValueError(f"unknown verdict kind {kind!r}; known kinds: {', '.join(VERDICT_KINDS)}")
    return kind in POSITIVE_KINDS

VERDICT_KINDS: dict[str, type] = {
    cls.KIND: cls for cls in (Refuted, HoldsUpTo, Proven, Unknown)
}


def verdict_from_dict(data: dict[str, Any]) -> Verdict:
    """The verdict that `to_dict()` produced `data` from; ValueError on an unknown kind."""
    kind = data.get("kind")
    if kind not in VERDICT_KINDS:
        known = ", ".join(VERDICT_KINDS)
        raise ValueError(f"unknown verdict kind {kind!r}; known kinds: {known}")
    fields = {name: value for name, value in data.items() if name != "kind"}
    return VERDICT_KINDS[kind](**fields)

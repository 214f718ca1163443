"""The table of proof obligations that `rsi prove` prints (Mahoney 2008's definitions checked).

One row per (law, definitions, method): the laws of `proofs.laws` by property search
(`proofs.runner`) and on every small program (`proofs.exhaustive`), and the closed-form claims
of `proofs.symbolic`.  Each row says what it should get: laws that hold must not be refuted,
and each necessity law ("condition k is redundant", and irreflexivity / asymmetry without
conditions 3 / 4) must be refuted with a counterexample by at least one method.  A method that
did not find a counterexample a necessity law needs is not a failure of that row: its
`outcome` reads "no counterexample found by this method", and the report fails only if no
method found one.  `prove_definitions` checks every law that must hold against a user's own
`Definitions` (property search only: the exhaustive and symbolic checks mirror the core).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from proofs import exhaustive, laws, runner, symbolic
from rsi.records import JsonRecord
from rsi.verdict import Verdict, supports

NOT_FOUND = "no counterexample found by this method"

QUICK_EXAMPLES = 60
THOROUGH_EXAMPLES = 2000


@dataclass(frozen=True)
class Obligation(JsonRecord):
    """One row: `expect` is "holds" (must not be refuted), "proven" or "refuted" (a
    counterexample, by this method or another)."""

    law: str
    definitions: str
    method: str  # "property", "exhaustive" or "symbolic"
    expect: str
    verdict: dict[str, Any]

    @property
    def status(self) -> str:
        return self.verdict["kind"]

    @property
    def cases(self) -> int | None:
        return self.verdict.get("evidence", {}).get("cases")

    @property
    def outcome(self) -> str:
        """The row in words: what it found, measured against what it should get."""
        if self.expect == "refuted":
            return "counterexample found" if self.status == "refuted" else NOT_FOUND
        if _meets(self):
            return "holds" if self.status == "holds_up_to" else self.status
        return f"FAILED: expected {self.expect}, got {self.status}"

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "status": self.status, "cases": self.cases, "outcome": self.outcome}


@dataclass(frozen=True)
class ProofReport(JsonRecord):
    """All obligations; `ok` iff every "holds" row holds and every "refuted" law was refuted
    by at least one method."""

    obligations: tuple[Obligation, ...]

    @property
    def failures(self) -> tuple[str, ...]:
        """What keeps the report from being ok, one line each."""
        wrong = [f"{o.law} ({o.definitions}, {o.method}): {o.outcome}"
                 for o in self.obligations if not _meets(o)]
        needed = {(o.law, o.definitions) for o in self.obligations if o.expect == "refuted"}
        found = {(o.law, o.definitions) for o in self.obligations
                 if o.expect == "refuted" and o.status == "refuted"}
        wrong += [f"{law} ({definitions}): no counterexample found by any method"
                  for law, definitions in sorted(needed - found)]
        return tuple(wrong)

    @property
    def ok(self) -> bool:
        return not self.failures

    @property
    def broken(self) -> tuple[Obligation, ...]:
        """The rows whose law should hold and was refuted (with a witness)."""
        return tuple(o for o in self.obligations if o.expect != "refuted" and o.status == "refuted")

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "failures": list(self.failures),
                "obligations": [o.to_dict() for o in self.obligations]}


def _meets(o: Obligation) -> bool:
    """A "holds" law holds (HoldsUpTo or Proven), a "proven" claim is Proven; a "refuted" law
    is judged over all methods together (a search may miss what another finds)."""
    if o.expect == "holds":
        return supports(o.verdict)
    if o.expect == "proven":
        return o.status == "proven"
    return True


def _row(law: str, definitions: str, method: str, expect: str, verdict: Verdict) -> Obligation:
    return Obligation(law, definitions, method, expect, verdict.to_dict())


def necessity_runs() -> list[tuple[laws.Law, laws.Definitions, str]]:
    """The property runs of the core: every law of `proofs.laws.LAWS`, and the laws that break
    without condition 3 / 4, each with what it must get."""
    core = laws.core_definitions()
    runs = [(law, core, "refuted" if law in laws.REDUNDANT else "holds") for law in laws.LAWS]
    runs += [(laws.IRREFLEXIVE, laws.without_condition(3), "refuted"),
             (laws.ASYMMETRIC, laws.without_condition(4), "refuted")]
    return runs


def prove_all(max_examples: int = QUICK_EXAMPLES, domain: exhaustive.Domain | None = None,
              horizon: int = runner.DEFAULT_HORIZON) -> ProofReport:
    """Every obligation: property laws with `max_examples` cases each, the exhaustive domain
    (0..3 on t = 0..4 by default), and the symbolic claims."""
    rows = []
    for law, definitions, expect in necessity_runs():
        verdict = runner.check_law(law, definitions, max_examples, horizon)
        rows.append(_row(law.name, definitions.name, "property", expect, verdict))
    domain = domain or exhaustive.Domain()
    for exhaustive_law in exhaustive.EXHAUSTIVE_LAWS:
        rows.append(_row(exhaustive_law.name, exhaustive_law.definitions, "exhaustive",
                         exhaustive_law.expect, exhaustive.check_exhaustive(exhaustive_law, domain)))
    rows.append(_row("numpy-mirror-agrees-with-core", "core", "exhaustive", "holds",
                     exhaustive.check_agreement(domain)))
    for claim in symbolic.SYMBOLIC_CLAIMS:
        rows.append(_row(claim.name, "closed form", "symbolic", claim.expect, claim.decide()))
    return ProofReport(tuple(rows))


def prove_definitions(definitions: laws.Definitions, max_examples: int = QUICK_EXAMPLES,
                      horizon: int = runner.DEFAULT_HORIZON) -> ProofReport:
    """Every law that holds for Mahoney's definitions (`proofs.laws.LAWS` but the necessity
    laws, which read the core's per-condition evidence), checked against `definitions` by
    property search; a refuted row is a broken law with its shrunk witness."""
    rows = []
    for law in laws.LAWS:
        if law in laws.REDUNDANT:
            continue
        verdict = runner.check_law(law, definitions, max_examples, horizon)
        rows.append(_row(law.name, definitions.name, "property", "holds", verdict))
    return ProofReport(tuple(rows))

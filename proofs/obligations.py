"""The table of proof obligations that `rsi prove` prints (Mahoney 2008's definitions checked).

One row per (law, definitions, method): the laws of `proofs.laws` by property search
(`proofs.runner`) and on every small program (`proofs.exhaustive`), and the closed-form claims
of `proofs.symbolic`.  Each row says what it should get: laws that hold must not be refuted,
and each necessity law ("condition k is redundant", and irreflexivity / asymmetry without
conditions 3 / 4) must be refuted with a counterexample by at least one method.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from proofs import exhaustive, laws, runner, symbolic
from rsi.verdict import Verdict

QUICK_EXAMPLES = 60
THOROUGH_EXAMPLES = 2000


@dataclass(frozen=True)
class Obligation:
    """One row: `expect` is "holds" (must not be refuted) or "refuted" (a counterexample)."""

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

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "status": self.status, "cases": self.cases}

    def to_json(self) -> str:
        return json.dumps(self.to_dict())


@dataclass(frozen=True)
class ProofReport:
    """All obligations; `ok` iff every "holds" row holds and every "refuted" law was refuted
    by at least one method."""

    obligations: tuple[Obligation, ...]

    @property
    def failures(self) -> tuple[str, ...]:
        """What keeps the report from being ok, one line each."""
        wrong = [f"{o.law} ({o.definitions}, {o.method}): expected {o.expect}, got {o.status}"
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

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "failures": list(self.failures),
                "obligations": [o.to_dict() for o in self.obligations]}

    def to_json(self) -> str:
        return json.dumps(self.to_dict())


def _meets(o: Obligation) -> bool:
    """A "holds" law holds (HoldsUpTo or Proven), a "proven" claim is Proven; a "refuted" law
    is judged over all methods together (a search may miss what another finds)."""
    if o.expect == "holds":
        return o.status in laws.HOLDS
    if o.expect == "proven":
        return o.status == "proven"
    return True


def _row(law: str, definitions: str, method: str, expect: str, verdict: Verdict) -> Obligation:
    return Obligation(law, definitions, method, expect, verdict.to_dict())


def prove_all(max_examples: int = QUICK_EXAMPLES, domain: exhaustive.Domain | None = None,
              horizon: int = runner.DEFAULT_HORIZON) -> ProofReport:
    """Every obligation: property laws with `max_examples` cases each, the exhaustive domain
    (0..3 on t = 0..4 by default), and the symbolic claims."""
    core = laws.core_definitions()
    rows = []
    property_runs = [(law, core, "refuted" if law in laws.REDUNDANT else "holds")
                     for law in laws.LAWS]
    property_runs += [(laws.IRREFLEXIVE, laws.without_condition(3), "refuted"),
                      (laws.ASYMMETRIC, laws.without_condition(4), "refuted")]
    for law, definitions, expect in property_runs:
        verdict = runner.check_law(law, definitions, max_examples, horizon)
        rows.append(_row(law.name, definitions.name, "property", expect, verdict))
    domain = domain or exhaustive.Domain()
    for law in exhaustive.EXHAUSTIVE_LAWS:
        rows.append(_row(law.name, law.definitions, "exhaustive", law.expect,
                         exhaustive.check_exhaustive(law, domain)))
    rows.append(_row("numpy-mirror-agrees-with-core", "core", "exhaustive", "holds",
                     exhaustive.check_agreement(domain)))
    for claim in symbolic.SYMBOLIC_CLAIMS:
        rows.append(_row(claim.name, "closed form", "symbolic", claim.expect, claim.decide()))
    return ProofReport(tuple(rows))

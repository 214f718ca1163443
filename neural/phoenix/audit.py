"""Auditing DeepPhoenix's kept sources with Mahoney's "Q improves on P" (Mahoney 2008; Sheng, Algorithm 1).

Mahoney 2008, section Improvement: "Q improves on P with respect to goal G if and only if
[1] P has goal G, [2] Q has goal G, [3] there exists t such that G(Q(t)) > G(P(t)), [4] there
does not exist t' > t such that G(Q(t')) < G(P(t'))", where P(t) is what program P gives
with t units of time.

Each kept model source of DeepPhoenix is read as such a program: its time is a training budget.
`program_from_losses` gives an `rsi.programs.ObservedProgram` holding P_i(t) for
t = 0, 1, ..., k, where t indexes a grid of training budgets b_0 = 0 < b_1 < ... < b_k (steps
of the paper's training stage, all sources trained from the same seed on the same batches) and

    P_i(t) = floor(10^6 * exp(-L_i(b_t)))

with L_i(b) the mean held-out cross-entropy per byte after b steps.  exp(-L) is the geometric
mean probability the model gives each held-out byte: in (0, 1], decreasing in the loss (so it
orders models exactly as the loss does) and, unlike 1 - L, not clipped to 0 while L > 1, which
byte-level losses are for most of a short run.  A diverged run (non-finite loss) gives 0.
The horizon of every verdict is the grid: T = k, so "for all t" means "for every audited
budget"; the program refuses t beyond it.  The goal is the identity.

`audit_step` compares P_{i+1} with P_i under all four conditions and under conditions 3 and 4
alone (is the newer source better at some budget and never worse after it, whether or not
either curve "has the goal"), beside the greedy rule's decision; `disagreements` counts how
often "kept a new source by the greedy rule" and "improves in Mahoney's sense" differ.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from rsi.definitions import improves
from rsi.goals import identity
from rsi.programs import ObservedProgram
from rsi.verdict import Verdict, supports

QUALITY_SCALE = 10**6


def quality(loss: float) -> int:
    """P(t) for a held-out loss: floor(10^6 * exp(-loss)), 0 for a non-finite loss."""
    return int(math.floor(QUALITY_SCALE * math.exp(-loss))) if math.isfinite(loss) else 0


def program_from_losses(budgets: Sequence[int], losses: Sequence[float],
                        name: str = "") -> ObservedProgram:
    """P(t) = quality(losses[t]) observed after budgets[t] training steps (t = 0 .. k)."""
    if len(budgets) < 2:
        raise ValueError(f"an audited source needs at least 2 budgets, got {len(budgets)}")
    return ObservedProgram(tuple(quality(loss) for loss in losses), tuple(budgets), name)


@dataclass(frozen=True)
class AuditStep:
    """Step i -> i+1: did the greedy rule keep a new source, and does P_{i+1} improve on P_i."""

    index: int
    greedy_kept_new: bool
    verdict: Verdict  # all four conditions
    verdict_3_4: Verdict  # conditions 3 and 4 only
    budgets: tuple[int, ...]
    values_p: tuple[int, ...]
    values_q: tuple[int, ...]

    @property
    def mahoney_improves(self) -> bool:
        return supports(self.verdict)

    @property
    def better_3_4(self) -> bool:
        return supports(self.verdict_3_4)

    def to_dict(self) -> dict:
        return {
            "index": self.index, "greedy_kept_new": self.greedy_kept_new,
            "mahoney_improves": self.mahoney_improves, "better_3_4": self.better_3_4,
            "disagree": self.greedy_kept_new != self.mahoney_improves,
            "verdict": self.verdict.to_dict(), "verdict_3_4": self.verdict_3_4.to_dict(),
            "budgets": list(self.budgets), "P_i": list(self.values_p),
            "P_i_plus_1": list(self.values_q),
        }


def audit_step(index: int, p: ObservedProgram, q: ObservedProgram,
               greedy_kept_new: bool) -> AuditStep:
    """Mahoney's "q improves on p" (goal identity, horizon = the grid) beside the greedy rule."""
    if p.steps is None:
        raise ValueError("an audited program needs its training budgets (ObservedProgram.steps)")
    if p.steps != q.steps:
        raise ValueError("both programs must be audited on the same budgets")
    horizon = p.horizon
    return AuditStep(index, greedy_kept_new, improves(q, p, identity, horizon),
                     improves(q, p, identity, horizon, conditions=(3, 4)),
                     p.steps, p.values, q.values)


def disagreements(steps: Sequence[AuditStep]) -> dict[str, int]:
    """The 2x2 table of greedy-kept-new vs Mahoney-improves, its disagreements, and the same
    count for conditions 3-4 alone."""
    table = {"steps": len(steps), "kept_improves": 0, "kept_not_improves": 0,
             "not_kept_improves": 0, "not_kept_not_improves": 0}
    for step in steps:
        kept = "kept" if step.greedy_kept_new else "not_kept"
        table[f"{kept}_{'improves' if step.mahoney_improves else 'not_improves'}"] += 1
    table["disagree"] = table["kept_not_improves"] + table["not_kept_improves"]
    table["disagree_3_4"] = sum(step.greedy_kept_new != step.better_3_4 for step in steps)
    return table

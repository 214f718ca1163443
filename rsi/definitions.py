"""Mahoney 2008's definitions, decided on a finite horizon and answered as verdicts.

Sections "Goals", "Improvement" and "Recursive Self Improvement" of M. Mahoney, "A Model for
Recursively Self Improving Programs" (2008): has goal at t, has goal, Q improves on P,
improving sequence, RSI program.  Each function quotes the definition it implements.

How a horizon T is read (the quantifiers range over all t, running reaches only t <= T):

- A universal part ("for all t' > t ...") is checked for every t' <= T.  A counterexample is
  a definitive `Refuted` with the concrete t' as witness; otherwise the claim `HoldsUpTo(T)`.
- An existential part ("there exists t' > t ...") must be witnessed by some t' <= T; if none
  is, the verdict is `Unknown` (a witness may lie beyond T), never `Refuted`.
- Times: Mahoney defines P(t) for every natural t (and t = -1 for the successor), so times
  start at `t_min` = 0 by default; the paper's examples take t > 0 ("for all t > 1000"), and
  `t_min=1` (PAPER_T_MIN) restricts every quantifier to t >= 1.  An improvement whose only
  witness t (condition 3) is below PAPER_T_MIN says so in evidence["note"].
- "There exists C such that for all t > C": the times near T have no room left to show an
  increase, so only t <= T // 2 are checked, each against every t' <= T.  The smallest C such
  that every t in (C, T // 2] has the goal on the horizon is reported as evidence["C"]
  (C = t_min - 1, e.g. -1, means every t checked: every t from t_min up to T // 2; nothing is
  said of the t beyond T // 2 except through the horizon).  The claim `HoldsUpTo(T)` only if C <= T // 4, so that at
  least the quarter (T // 4, T // 2] of the times is settled; a larger C (a failure close to
  the horizon, e.g. G(P(t)) = PRIME(t) dropping after each prime) gives `Unknown` with C.
- "Q improves on P" (conditions 3 and 4 share their t): the t is the smallest t <= T with
  G(Q(t)) > G(P(t)) and no t' in (t, T] with G(Q(t')) < G(P(t')) -- the finite reading of
  "there exists t ... there does not exist t' > t".  Condition 3 is then `Proven` by that
  witness and condition 4 `HoldsUpTo(T)`; evidence["conditions"]["4"]["evidence"]
  ["checked_t_prime"] is the range (t, T] actually checked, so a witness near T (little
  left to check) is visible.
- A `TableProgram` is constant from its last entry on, so everything about it is decided
  exactly, whatever the horizon: a constant tail never increases, so "has goal at t" is
  `Refuted` for every t at or after the tail, and "has goal" is `Refuted` for every table.
  Where a table decides a claim true, the verdict is `Proven`.
- An existential claim on its own (improves condition 3) is `Proven` by a concrete witness t.
"""
from __future__ import annotations

import contextlib
import weakref
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from rsi import arguments
from rsi.arguments import CONDITIONS, integer
from rsi.goals import Goal, goal_values
from rsi.programs import Program, TableProgram
from rsi.verdict import HoldsUpTo, Proven, Refuted, Unknown, Verdict

__all__ = ["CONDITIONS", "PAPER_T_MIN", "has_goal", "has_goal_at", "improves", "is_improving_sequence",
           "is_rsi", "plain_number", "values_on"]

PAPER_T_MIN = 1  # the paper's examples take t > 0

# P(0..T) of programs without their own vectorised `values_upto` (text programs), by program.
_VALUES_CACHE: weakref.WeakKeyDictionary[Any, np.ndarray] = weakref.WeakKeyDictionary()


def _check_horizon(horizon: Any) -> int:
    return integer("horizon", horizon, 1)


def _check_t_min(t_min: Any, horizon: int) -> int:
    t_min = integer("t_min", t_min, 0)
    if t_min > horizon // 2:
        raise ValueError(f"t_min must be <= horizon // 2 = {horizon // 2}, got {t_min}")
    return t_min


def plain_number(number: Any) -> Any:
    """A numpy scalar as a JSON-friendly Python number."""
    return number.item() if isinstance(number, np.generic) else number


def values_on(program: Program, horizon: int) -> np.ndarray:
    """P(0), P(1), ..., P(horizon) as an array (int64, or object for very large values).

    SpecProgram and TableProgram evaluate vectorised (`values_upto`); any other program (a
    text program) is run once per t, and the longest result is cached per program.
    """
    horizon = _check_horizon(horizon)
    if not isinstance(program, Program):
        raise ValueError(f"a program needs run(t) and value(t), got {type(program).__name__} {program!r}")
    if hasattr(program, "values_upto"):
        return program.values_upto(horizon)
    try:
        cached = _VALUES_CACHE.get(program)
    except TypeError:  # unhashable or not weak-referenceable: no cache
        cached = None
    if cached is not None and len(cached) > horizon:
        return cached[: horizon + 1]
    values = [program.value(k) for k in range(horizon + 1)]
    try:
        array = np.array(values, dtype=np.int64)
    except OverflowError:
        array = np.array(values, dtype=object)
    array.flags.writeable = False
    with contextlib.suppress(TypeError):
        _VALUES_CACHE[program] = array
    return array


def _tail(program: Program) -> int | None:
    """The t from which the program is known to be constant, None if unknown."""
    return program.tail_start if isinstance(program, TableProgram) else None


def _goal_trace(program: Program, goal: Goal, upto: int) -> np.ndarray:
    """G(P(t)) for t = 0..upto."""
    return goal_values(goal, values_on(program, upto))


def has_goal_at(program: Program, goal: Goal, t: int, horizon: int) -> Verdict:
    """Mahoney: "P has goal G at time t if and only if there exists t' > t such that
    G(P(t')) > G(P(t)) and for all t' > t, G(P(t')) >= G(P(t))" ("running P longer will
    eventually produce a better result and never produce a worse result afterwards").

    Refuted with witness {"t", "t_prime", "G_t", "G_t_prime"} at the first worse t' <= T;
    HoldsUpTo(T) with the first better t' as evidence; Unknown if no t' <= T is better.
    A TableProgram is decided exactly: Proven, or Refuted by a worse t' or by its constant
    tail (witness {"t", "tail_from", "reason"}).
    """
    horizon = _check_horizon(horizon)
    t = integer("t", t, 0)
    if horizon <= t:
        raise ValueError(f"horizon must exceed t: horizon={horizon}, t={t}")
    tail = _tail(program)
    g = _goal_trace(program, goal, horizon if tail is None else max(tail, t + 1))
    base = plain_number(g[t])
    later = g[t + 1 :]
    worse = np.flatnonzero(later < g[t])
    if worse.size:
        t_prime = t + 1 + int(worse[0])
        witness = {"t": t, "t_prime": t_prime, "G_t": base, "G_t_prime": plain_number(g[t_prime])}
        return Refuted(witness, f"G(P({t_prime})) < G(P({t})): running longer gives a worse result")
    better = np.flatnonzero(later > g[t])
    if better.size:
        t_prime = t + 1 + int(better[0])
        evidence = {"t": t, "t_prime": t_prime, "G_t": base, "G_t_prime": plain_number(g[t_prime])}
        if tail is None:
            return HoldsUpTo(int(horizon), evidence)
        return Proven(
            f"G(P({t_prime})) > G(P({t})), and no t' > {t} is worse: the table is checked "
            f"up to t = {len(g) - 1} and constant after it",
            evidence,
        )
    if tail is not None:
        witness = {"t": t, "tail_from": tail, "reason": f"constant tail from t={tail}"}
        return Refuted(witness, f"P is constant from t={tail} on: no t' > {t} has a larger G")
    return Unknown(
        f"no t' in ({t}, {horizon}] has G(P(t')) > G(P({t})) = {base}",
        {"t": t, "G_t": base},
    )


def has_goal(program: Program, goal: Goal, horizon: int, *, t_min: int = 0) -> Verdict:
    """Mahoney: "P has goal G if there exists a constant C such that P has goal G for all
    t > C."

    Checks t = t_min .. T // 2, each against every t' <= T (the later t have no room left to
    show an increase).  evidence["C"] is the smallest C >= t_min - 1 such that every t in
    (C, T // 2] has the goal on the horizon (t_min - 1: every t checked); HoldsUpTo(T) if
    C <= T // 4, else Unknown (the failure at t = C is too close to the horizon to settle).
    A TableProgram never has a goal (Refuted: its constant tail never increases).
    """
    horizon = _check_horizon(horizon)
    t_min = _check_t_min(t_min, horizon)
    tail = _tail(program)
    if tail is not None:
        g_tail = plain_number(_goal_trace(program, goal, max(tail, 1))[tail])
        reason = (
            f"P is constant from t={tail} on, so for every t >= {tail} no t' > t has "
            f"G(P(t')) > G(P(t)) = {g_tail}: has goal at t fails for all of them and no C works"
        )
        witness = {"every_t_from": tail, "G_tail": g_tail, "reason": f"constant tail from t={tail}"}
        return Refuted(witness, reason)
    g = _goal_trace(program, goal, horizon)
    last = horizon // 2
    # Over t' in (t, T]: the smallest and largest G, for every t <= T // 2.
    later_min = np.minimum.accumulate(g[::-1])[::-1][1 : last + 2]
    later_max = np.maximum.accumulate(g[::-1])[::-1][1 : last + 2]
    head = g[: last + 1]
    holds = (later_min >= head) & (later_max > head)
    failing = np.flatnonzero(~holds[t_min:]) + t_min
    smallest_c = int(failing[-1]) if failing.size else t_min - 1
    if smallest_c < last and smallest_c <= horizon // 4:
        evidence = {"C": smallest_c, "checked_t": [smallest_c + 1, last], "t_prime_up_to": horizon}
        if t_min:
            evidence["t_min"] = t_min
        return HoldsUpTo(horizon, evidence)
    at_c = has_goal_at(program, goal, smallest_c, horizon)
    return Unknown(
        f"has goal at t = {smallest_c} is {at_c.kind} on the horizon T = {horizon}, so the "
        f"smallest C that works up to T // 2 = {last} is {smallest_c}; settling needs "
        f"C <= T // 4 = {horizon // 4} and C < T // 2",
        {"C": smallest_c, "last_checked_t": last, "at_C": at_c.to_dict()},
    )


def _combine(
    parts: dict[str, Verdict], enforced: Sequence[str], horizon: int, evidence: dict
) -> Verdict:
    """The conjunction of the `enforced` parts: Refuted if one is, else Unknown if one is,
    else Proven if all are, else HoldsUpTo(horizon)."""
    chosen = [(label, parts[label]) for label in enforced]
    for label, part in chosen:
        if isinstance(part, Refuted):
            witness = {"part": label, "witness": part.witness}
            return Refuted(witness, f"{label}: {part.reason}", evidence)
    for label, part in chosen:
        if isinstance(part, Unknown):
            return Unknown(f"{label}: {part.reason}", evidence)
    proven = [(label, part) for label, part in chosen if isinstance(part, Proven)]
    if len(proven) == len(chosen):
        return Proven("; ".join(f"{label}: {part.argument}" for label, part in proven), evidence)
    return HoldsUpTo(int(horizon), evidence)


def _conditions_3_and_4(
    q: Program, p: Program, goal: Goal, horizon: int, need_better: bool, need_never_worse: bool,
    t_min: int = 0,
) -> tuple[Verdict, Verdict, int | None]:
    """Conditions 3 and 4 of "Q improves on P", sharing their t >= t_min; returns (3, 4, the t)."""
    tail_p, tail_q = _tail(p), _tail(q)
    exact = tail_p is not None and tail_q is not None
    upto = horizon
    if tail_p is not None and tail_q is not None:
        upto = max(tail_p, tail_q, t_min + 1, 1)  # values_on needs a horizon >= 1
    gq, gp = _goal_trace(q, goal, upto), _goal_trace(p, goal, upto)
    better, worse = gq > gp, gq < gp
    better[:t_min] = False  # times before t_min are outside the quantifiers
    worse[:t_min] = False
    worse_at = np.flatnonzero(worse)
    last_worse = int(worse_at[-1]) if worse_at.size else -1
    candidates = np.arange(max(last_worse + 1, t_min), upto + 1)
    if need_better:
        candidates = candidates[better[candidates]]
    chosen = int(candidates[0]) if candidates.size else None

    better_at = np.flatnonzero(better)
    t3 = chosen if need_better and need_never_worse and chosen is not None else None
    if t3 is None and better_at.size:
        t3 = int(better_at[0])
    if t3 is not None:
        g_q, g_p = plain_number(gq[t3]), plain_number(gp[t3])
        condition_3: Verdict = Proven(
            f"witness t = {t3}: G(Q(t)) = {g_q} > G(P(t)) = {g_p}",
            {"t": t3, "G_Q": g_q, "G_P": g_p},
        )
    elif exact:
        reason = (
            f"G(Q(t)) <= G(P(t)) for every t: the tables are checked up to t = {upto} and "
            "constant after"
        )
        condition_3 = Refuted({"reason": reason}, reason)
    else:
        condition_3 = Unknown(f"no t <= {horizon} has G(Q(t)) > G(P(t))")

    t4 = chosen if need_never_worse else t3
    if chosen is not None:
        if exact:
            evidence = {"t": chosen, "tables_checked_up_to": int(upto)}
            condition_4: Verdict = Proven(
                f"no t' > {chosen} has G(Q(t')) < G(P(t')): the tables are checked up to "
                f"t = {upto} and constant after",
                evidence,
            )
        else:
            checked = {"t": chosen, "checked_t_prime": [chosen + 1, int(upto)]}
            condition_4 = HoldsUpTo(int(horizon), checked)
    else:
        after = ""
        if last_worse >= 0:
            after = f"after the last t' = {last_worse} with G(Q(t')) < G(P(t'))"
        if not need_better:
            reason = f"Q is worse than P at t' = {last_worse}, the last t checked"
        elif better_at.size:
            pieces = (f"no t <= {upto} has G(Q(t)) > G(P(t))", after, f"(the first is t = {t3})")
            reason = " ".join(piece for piece in pieces if piece)
        else:
            reason = "no t has G(Q(t)) > G(P(t)) to start from"
        if exact:
            condition_4 = Refuted({"last_worse_t": last_worse, "reason": reason}, reason)
        else:
            condition_4 = Unknown(reason, {"last_worse_t": last_worse})
    return condition_3, condition_4, t4


def improves(
    q: Program,
    p: Program,
    goal: Goal,
    horizon: int,
    conditions: Sequence[int] = CONDITIONS,
    *,
    t_min: int = 0,
) -> Verdict:
    """Mahoney: "Q improves on P with respect to goal G if and only if all of the following
    conditions are met: [1] P has goal G.  [2] Q has goal G.  [3] There exists t such that
    G(Q(t)) > G(P(t)).  [4] There does not exist t' > t such that G(Q(t')) < G(P(t'))."

    The t of condition 4 is the t of condition 3: the smallest t <= T with
    G(Q(t)) > G(P(t)) after which Q is never worse up to T.  `conditions` selects which
    conditions are enforced (the others are still evaluated and reported), so the necessity
    of each can be tested; without 3, the t of condition 4 is any t after Q's last worse
    result.  Every t and t' is >= t_min (module docstring).  evidence["conditions"] maps
    "1".."4" to each condition's verdict dict and evidence["t"] is the shared t (None when
    there is none); evidence["note"] says when the improvement is witnessed only at a
    t < PAPER_T_MIN, outside the paper's t > 0.
    """
    horizon = _check_horizon(horizon)
    t_min = _check_t_min(t_min, horizon)
    enforced = list(arguments.conditions(conditions))
    need = {"need_better": 3 in enforced, "need_never_worse": 4 in enforced}
    condition_3, condition_4, t = _conditions_3_and_4(q, p, goal, horizon, t_min=t_min, **need)
    parts = {
        "1": has_goal(p, goal, horizon, t_min=t_min),
        "2": has_goal(q, goal, horizon, t_min=t_min),
        "3": condition_3,
        "4": condition_4,
    }
    evidence: dict[str, Any] = {
        "conditions": {label: part.to_dict() for label, part in parts.items()},
        "enforced": enforced,
        "t": t,
    }
    if t is not None and t < PAPER_T_MIN <= horizon // 2 and t_min < PAPER_T_MIN:
        paper = _conditions_3_and_4(q, p, goal, horizon, t_min=PAPER_T_MIN, **need)
        kinds = {label: part.kind for label, part in zip("34", paper[:2], strict=True)
                 if int(label) in enforced and part.kind not in ("holds_up_to", "proven")}
        if kinds:
            evidence["note"] = (
                f"witnessed only at t = {t}, outside the paper's t > 0: with t_min = {PAPER_T_MIN} "
                + ", ".join(f"condition {label} is {kind}" for label, kind in kinds.items())
            )
    return _combine(
        {f"condition {label}": part for label, part in parts.items()},
        [f"condition {c}" for c in enforced],
        horizon,
        evidence,
    )


def is_improving_sequence(
    programs: Sequence[Program], goal: Goal, horizon: int, *, t_min: int = 0
) -> Verdict:
    """Mahoney: "Define an improving sequence with respect to G as an infinite sequence of
    programs P1, P2, P3, ... such that for all i > 0, P_{i+1} improves on P_i with respect to
    goal G."  Checked on the given finite prefix; evidence["links"][i - 1] is the verdict of
    "P_{i+1} improves on P_i"."""
    horizon = _check_horizon(horizon)
    if len(programs) < 2:
        raise ValueError(f"an improving sequence needs at least 2 programs, got {len(programs)}")
    links = {
        f"P_{i + 2} improves on P_{i + 1}":
            improves(programs[i + 1], programs[i], goal, horizon, t_min=t_min)
        for i in range(len(programs) - 1)
    }
    evidence = {"programs": len(programs), "links": [link.to_dict() for link in links.values()]}
    return _combine(links, list(links), horizon, evidence)


def is_rsi(first: Program, n: int, goal: Goal, horizon: int, *, t_min: int = 0) -> Verdict:
    """Mahoney: "P1 is a recursively self improving (RSI) program with respect to G if and
    only if P_i(-1) = P_{i+1} for all i > 0 and the sequence P_i, i = 1, 2, 3... is an
    improving sequence with respect to G."

    Generates P_2 .. P_n by running P_i(-1) (`successor()`), then checks the improving
    sequence P_1 .. P_n.  A program without a successor, or whose successor is not a program
    (no run(t) and value(t)), is Refuted; a successor run that fails (e.g. times out) is
    Unknown.
    """
    horizon = _check_horizon(horizon)
    n = integer("n (the number of programs)", n, 2)
    if not isinstance(first, Program):
        raise ValueError(f"P_1 must be a program (run(t) and value(t)), got {type(first).__name__}")
    chain = [first]
    for i in range(1, n):
        successor = getattr(chain[-1], "successor", None)
        if successor is None:
            reason = f"P_{i} has no successor: P_{i}(-1) is not a program"
            return Refuted({"i": i, "reason": reason}, reason)
        try:
            following = successor()
        except (RuntimeError, ValueError, OSError) as error:
            return Unknown(f"running P_{i}(-1) failed: {error}", {"i": i})
        if not isinstance(following, Program):
            reason = (f"P_{i}(-1) is not a program: it gave {type(following).__name__} "
                      f"{following!r:.60}, which has no run(t) and value(t)")
            return Refuted({"i": i, "reason": reason}, reason)
        chain.append(following)
    sequence = is_improving_sequence(chain, goal, horizon, t_min=t_min)
    evidence = {**sequence.evidence, "generated": f"P_2 .. P_{n} by running P_i(-1)"}
    return replace(sequence, evidence=evidence)

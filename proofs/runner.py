"""The one generic law runner: any `proofs.laws.Law` against any `Definitions`, as a verdict.

Modelled on dry-python/returns' `check_all_laws`, without its Hypothesis internals: a law's
cases are drawn by its strategy under settings of the runner's own (not the pytest profile),
the check's asserts decide, and the result is a `rsi.verdict` value:

- `Refuted(witness, reason)`: a case broke the law; the witness is Hypothesis's shrunk case,
  described as data (program tables t, P(t), Q(t), G(P(t)), G(Q(t)) on the horizon).
- `HoldsUpTo(horizon, evidence)`: no case broke it; evidence["cases"] says how many ran.
"""
from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, Phase, Verbosity, given, seed, settings, target

from proofs.laws import Definitions, Law
from rsi.arguments import integer
from rsi.definitions import plain_number, values_on
from rsi.goals import goal_values
from rsi.verdict import HoldsUpTo, Refuted, Verdict

DEFAULT_HORIZON = 12


def law_settings(max_examples: int, derandomize: bool = True) -> settings:
    """Settings independent of the loaded Hypothesis profile (derandomised unless a seed is
    given to `check_law`)."""
    integer("max_examples", max_examples, 1)
    return settings(
        parent=settings.get_profile("default"),
        max_examples=max_examples,
        derandomize=derandomize,
        database=None,
        deadline=None,
        verbosity=Verbosity.quiet,
        report_multiple_bugs=False,
        suppress_health_check=list(HealthCheck),
        phases=(Phase.explicit, Phase.generate, Phase.target, Phase.shrink),
    )


def check_law(
    law: Law, definitions: Definitions, max_examples: int = 100, horizon: int = DEFAULT_HORIZON,
    random_seed: int | None = None,
) -> Verdict:
    """Run `law` on up to `max_examples` cases against `definitions` on the horizon: the same
    cases on every run, or, with `random_seed`, the cases of that seed (to measure how often
    the search finds a counterexample)."""
    tried = 0
    failures: list[tuple[Any, str]] = []

    def body(case: tuple) -> None:
        nonlocal tried
        tried += 1
        if law.score is not None:
            target(float(law.score(definitions, horizon, *case)), label=law.name)
        try:
            law.check(definitions, horizon, *case)
        except AssertionError as error:
            failures.append((case, str(error)))  # the last one is the shrunk case
            raise

    test = law_settings(max_examples, derandomize=random_seed is None)(given(law.cases)(body))
    if random_seed is not None:
        test = seed(integer("random_seed", random_seed, 0))(test)
    try:
        test()
    except AssertionError:
        case, message = failures[-1]
        witness = describe_case(law, case, horizon)
        return Refuted(witness, f"{law.name} fails for {definitions.name}: {message}",
                       {"cases": tried, "method": "property", "definitions": definitions.name})
    return HoldsUpTo(horizon, {"cases": tried, "method": "property",
                               "definitions": definitions.name})


def _labelled(law: Law, case: tuple) -> dict[str, Any]:
    named: dict[str, Any] = {}
    for names, value in zip(law.variables, case, strict=False):
        if "," in names:
            named.update(zip(names.split(","), value, strict=False))
        else:
            named[names] = value
    return named


def _shown(value: Any) -> str:
    """A program or goal in a witness: its name (P(t) = ... for closed forms), else its text."""
    name = getattr(value, "name", "") or getattr(value, "__name__", "")
    if hasattr(value, "value_form"):
        return f"{value.value_form}, halting after {value.steps_form} steps"
    return str(name) if name else str(value)


def describe_case(law: Law, case: tuple, horizon: int) -> dict[str, Any]:
    """The case as JSON-able data: every program's name and its table on the horizon, with the
    goal's values when the case has a goal G."""
    named = _labelled(law, case)
    goal = named.get("G")
    programs = {name: v for name, v in named.items() if hasattr(v, "run")}
    described: dict[str, Any] = {
        "horizon": horizon,
        "programs": {name: _shown(program) for name, program in programs.items()},
        "other": {name: _shown(v) for name, v in named.items() if name not in programs},
    }
    rows = [{"t": t} for t in range(horizon + 1)]
    traces = {name: values_on(program, horizon) for name, program in programs.items()}
    for name, values in traces.items():
        for t, row in enumerate(rows):
            row[f"{name}(t)"] = plain_number(values[t])
    if goal is not None:
        for name, values in traces.items():
            for t, score in enumerate(goal_values(goal, values)):
                rows[t][f"G({name}(t))"] = plain_number(score)
    described["table"] = rows
    return described


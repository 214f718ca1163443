"""Mahoney 2008, Example 2 on real metered machines.

The paper: "let P = {t} complete after t/2 steps.  Then P has goal PRIME at time t = 6, but
not at t = 7."  Its P is idealised: it always halts within its budget of t steps.  A real
program that prints t pays a fixed start-up cost (reading its input, converting, printing),
so for small t it has not halted after t steps and P(t) = 0 — and 0 is followed by a prime
and never by less, so the real P *has* goal PRIME at small primes t where the idealised one
does not.  `example2_on_machine` computes, on a horizon, every t at which the real program has
goal PRIME and where that differs from the idealised program.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

from quines_text.languages import LANGUAGES
from quines_text.machines import TextProgram, get_machine
from rsi.definitions import has_goal_at
from rsi.goals import prime
from rsi.programs import SpecProgram, t
from rsi.records import JsonRecord
from rsi.verdict import supports

# Programs that print their input t (the I/O convention: stdin is "t\n"), by metered machine.
PRINT_T: dict[str, str] = {
    lang.metered: lang.print_t for lang in LANGUAGES.values() if lang.metered and lang.print_t
}


@dataclass(frozen=True)
class MeteredExample2(JsonRecord):
    """lang: the metered machine.  first_halting_t: the smallest t with P(t) = t.
    goal_times / idealised_goal_times: the t <= checked_upto at which the real / the paper's
    program has goal PRIME up to the horizon.  differ: the t where the two answers differ."""

    lang: str
    horizon: int
    checked_upto: int
    first_halting_t: int | None
    goal_times: tuple[int, ...]
    idealised_goal_times: tuple[int, ...]
    differ: tuple[int, ...]

    def to_dict(self) -> dict:
        return asdict(self)



def _goal_times(program, checked_upto: int, horizon: int) -> tuple[int, ...]:
    return tuple(
        time for time in range(checked_upto + 1)
        if supports(has_goal_at(program, prime, time, horizon))
    )


def example2_on_machine(lang: str, horizon: int = 128, checked_upto: int = 64) -> MeteredExample2:
    """Example 2 with P = PRINT_T[lang] on the metered machine `lang` (python, c-wasm or bf)."""
    if lang not in PRINT_T:
        raise ValueError(f"no Example 2 program for {lang!r}; languages: {', '.join(PRINT_T)}")
    if not get_machine(lang).metered:
        raise ValueError(f"machine {lang!r} is not metered: P(t) would not be exact")
    if not 0 <= checked_upto < horizon:
        raise ValueError(f"need 0 <= checked_upto < horizon, got {checked_upto} and {horizon}")
    real = TextProgram(PRINT_T[lang], lang)
    idealised = SpecProgram(t, t / 2, name="Example 2")
    goal_times = _goal_times(real, checked_upto, horizon)
    idealised_times = _goal_times(idealised, checked_upto, horizon)
    halting = [time for time in range(horizon + 1) if real.value(time) == time and time > 0]
    return MeteredExample2(
        lang=lang,
        horizon=horizon,
        checked_upto=checked_upto,
        first_halting_t=halting[0] if halting else None,
        goal_times=goal_times,
        idealised_goal_times=idealised_times,
        differ=tuple(sorted(set(goal_times) ^ set(idealised_times))),
    )

"""Mahoney 2008, Example 6 on the metered C machine `c-wasm`.

The paper's P_n prints t + n and its successor differs only in "n=1" -> "n=2"; the paper
treats running time as free, so P_n(t) = t + n for every t.  On a metered machine P(t) is what
P prints within t steps: the C program pays its libc start-up, scanf and printf (about two
thousand WebAssembly instructions, growing with the number of digits), so P_n(t) = 0 until t
reaches the steps the run on input t needs, and t + n from there on.  `example6_on_machine`
recomputes P_n(0..horizon) for n = 1..programs on one compiled module per program, checks that
shape exactly (first_output_t[n-1] is the first t with P_n(t) > 0), and checks that P_1 .. P_n
is still an improving sequence for the identity goal up to the horizon.  The conditions of
"improves" look for the better t at t <= horizon // 2, so the horizon must be at least twice
the first output time (2 x 2307 here) for the verdict to be decided.
"""
from __future__ import annotations

from dataclasses import dataclass

from quines_text.languages import machine_info
from quines_text.machines import TextProgram
from rsi.definitions import is_improving_sequence, values_on
from rsi.examples import example6_source
from rsi.goals import identity
from rsi.records import JsonRecord
from rsi.verdict import HoldsUpTo, Refuted, Verdict, supports

MACHINE = "c-wasm"


@dataclass(frozen=True)
class MeteredExample6(JsonRecord):
    """machine and step_unit: where it ran; first_output_t[k]: the first t with P_{k+1}(t) > 0
    (None: none up to the horizon); values: the verdict on P_n(t) = 0 before it and t + n from
    it on; improving: is_improving_sequence(P_1 .. P_n, identity, horizon)."""

    machine: str
    step_unit: str
    programs: int
    horizon: int
    first_output_t: tuple[int | None, ...]
    values: Verdict
    improving: Verdict

    @property
    def agrees(self) -> bool:
        """The paper's claim survives metering: the shape holds and the sequence improves."""
        return supports(self.values) and supports(self.improving)

    def to_dict(self) -> dict:
        return {"machine": self.machine, "step_unit": self.step_unit, "programs": self.programs,
                "horizon": self.horizon, "first_output_t": list(self.first_output_t),
                "values": self.values.to_dict(), "improving": self.improving.to_dict(),
                "agrees": self.agrees}



def _shape(chain: list[TextProgram], horizon: int) -> tuple[tuple[int | None, ...], Verdict]:
    firsts: list[int | None] = []
    for n, program in enumerate(chain, start=1):
        values = values_on(program, horizon)
        first = next((k for k in range(horizon + 1) if values[k] > 0), None)
        firsts.append(first)
        for k in range(horizon + 1):
            expected = 0 if first is None or k < first else k + n
            if int(values[k]) != expected:
                witness = {"n": n, "t": k, "P_n(t)": int(values[k]), "expected": expected}
                return tuple(firsts), Refuted(witness, f"P_{n}({k}) = {values[k]}, not {expected}")
    return tuple(firsts), HoldsUpTo(horizon, {"first_output_t": firsts})


def example6_on_machine(programs: int = 3, horizon: int = 5000) -> MeteredExample6:
    """Example 6's P_1 .. P_programs on c-wasm, P_n(0..horizon) each (module docstring)."""
    if programs < 2:
        raise ValueError(f"an improving sequence needs programs >= 2, got {programs}")
    if horizon < 1:
        raise ValueError(f"horizon must be >= 1, got {horizon}")
    chain = [TextProgram(example6_source(), MACHINE)]
    for _ in range(1, programs):
        chain.append(chain[-1].successor())
    firsts, values = _shape(chain, horizon)
    improving = is_improving_sequence(chain, identity, horizon)
    return MeteredExample6(MACHINE, machine_info(MACHINE).step_unit, programs, horizon, firsts,
                           values, improving)

"""Mahoney 2008, Example 6 on the metered C machine `c-wasm`.

The paper's P_n prints t + n and its successor differs only in "n=1" -> "n=2"; the paper
treats running time as free, so P_n(t) = t + n for every t.  On a metered machine P(t) is what
P prints within t steps: the C program pays its libc start-up, scanf and printf (about two
thousand WebAssembly instructions, growing with the number of digits), so P_n(t) = 0 until t
reaches the steps the run on input t needs, and t + n from there on.  `example6_on_machine`
recomputes P_n(0..horizon) for n = 1..programs on one compiled module per program, checks that
shape exactly (first_output_t[n-1] is the first t with P_n(t) > 0), and checks that P_1 .. P_n
is still an improving sequence for the identity goal up to the horizon, which must reach the
first output time (2307 here) for the verdict to be decided.  Without a horizon it is taken
from the data: `output_time` of P_1 plus MARGIN.
"""
from __future__ import annotations

from dataclasses import dataclass

from quines_text.languages import machine_info
from quines_text.machines import TextProgram, get_machine, stdin_for
from rsi.definitions import is_improving_sequence, values_on
from rsi.examples import example6_source
from rsi.goals import identity
from rsi.records import JsonRecord
from rsi.verdict import HoldsUpTo, Refuted, Verdict, supports

MACHINE = "c-wasm"
MARGIN = 300  # t beyond the output time in the derived horizon: room for conditions 1, 2 and 4
SCAN_LIMIT = 64  # unmetered runs output_time may make before it gives up


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


def output_time(source: str, machine: str = MACHINE) -> tuple[int, tuple[int, ...]]:
    """A t with P(t) > 0 on `machine`, and the scan that found it: t_0 = 0, t_(k+1) = s(t_k),
    the steps the run on input t_k takes with no budget, until s(t_k) <= t_k.  Then P(t_k) is
    the output of a run that had its steps.  It is the first such t when s never falls below an
    earlier t_k (true of Example 6, whose steps grow with the digits of t); example6_on_machine
    finds the exact first t from the values.  ValueError when a run fails or the scan does not
    settle within SCAN_LIMIT runs."""
    runner = get_machine(machine)
    scan = [0]
    for _ in range(SCAN_LIMIT):
        result = runner.run(source, stdin_for(scan[-1]))
        if result.status != "ok" or result.steps is None:
            raise ValueError(f"the run on input {scan[-1]} ended {result.status}, not ok with a step count")
        if result.steps <= scan[-1]:
            return scan[-1], tuple(scan)
        scan.append(result.steps)
    raise ValueError(f"no t with s(t) <= t within {SCAN_LIMIT} runs: {scan}")


def example6_on_machine(programs: int = 3, horizon: int | None = None) -> MeteredExample6:
    """Example 6's P_1 .. P_programs on c-wasm, P_n(0..horizon) each (module docstring);
    horizon None: output_time(P_1) + MARGIN."""
    if programs < 2:
        raise ValueError(f"an improving sequence needs programs >= 2, got {programs}")
    if horizon is None:
        horizon = output_time(example6_source())[0] + MARGIN
    if horizon < 1:
        raise ValueError(f"horizon must be >= 1, got {horizon}")
    chain = [TextProgram(example6_source(), MACHINE)]
    for _ in range(1, programs):
        chain.append(chain[-1].successor())
    firsts, values = _shape(chain, horizon)
    improving = is_improving_sequence(chain, identity, horizon)
    return MeteredExample6(MACHINE, machine_info(MACHINE).step_unit, programs, horizon, firsts,
                           values, improving)

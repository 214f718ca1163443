"""Mahoney 2008, Example 6: the paper's C program P_1 whose successor P_{i+1} = P_i(-1) differs
only in the initialisation n = i + 1, so that P_n(t) = t + n; run through the harness.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from quines_text.machines import TextProgram
from quines_text.sandbox import compile_c
from rsi.definitions import is_rsi
from rsi.examples import EXAMPLES, ExampleResult, example6_source, result_of
from rsi.goals import identity
from rsi.verdict import HoldsUpTo, Refuted, Unknown, Verdict


@dataclass(frozen=True)
class Example6:
    """The paper's C program P_1, run with gcc through the harness: P_2, P_3 are generated
    by running P_i(-1); checks P_n(t) = t + n for t <= horizon and that P_1 is RSI for the
    identity goal on the chain P_1 .. P_n (the C machine is unmetered: P(t) is the printed
    number, the wall-clock guard standing in for the step bound)."""

    number: ClassVar[int] = 6
    claim: ClassVar[str] = (
        "Let L to be the C programming language, with input and output expressed as decimal "
        "strings. Let G be the identity goal. Then define P_{1}(t) as the following program: "
        "[...] Successive iterations P_{2}, P_{3},... [...] differ functionally from P_{1} "
        "only in that the initialization \u201cn=1\u201d is replaced by \u201cn=2\u201d, "
        "\u201cn=3\u201d, etc."
    )
    programs: int = 3
    horizon: int = 12

    def check(self) -> ExampleResult:
        first = TextProgram(example6_source(), "c")
        chain = [first]
        try:
            for _ in range(1, self.programs):
                chain.append(chain[-1].successor())
            values = self._values(chain)
            rsi = is_rsi(first, self.programs, identity, self.horizon)
        except (RuntimeError, ValueError, OSError) as error:  # e.g. no gcc: the harness failed
            values = rsi = Unknown(f"running the C program failed: {error}")
        return result_of(self.number, self.claim, {
            f"P_n(t) = t + n for n = 1..{self.programs}, t = 0..{self.horizon}": (values, "holds"),
            f"P_1 is RSI for the identity goal (P_1 .. P_{self.programs})": (rsi, "holds"),
        })

    def _values(self, chain: list) -> Verdict:
        for n, program in enumerate(chain, start=1):
            if f"int t,n={n};" not in program.source:
                reason = f"P_{n} does not initialise n={n}"
                return Refuted({"n": n, "reason": f"no 'int t,n={n};' in its source"}, reason)
            for k in range(self.horizon + 1):
                got = program.value(k)
                if got != k + n:
                    witness = {"n": n, "t": k, "P_n(t)": got}
                    return Refuted(witness, f"P_{n}({k}) = {got}, not {k} + {n}")
        flags = list(compile_c(chain[0].source).flags)
        return HoldsUpTo(self.horizon, {
            "programs": len(chain),
            "bytes": [len(program.source) for program in chain],
            "gcc_flags": " ".join(flags),
            "needs_gnu89": "-std=gnu89" in flags,
        })


ALL_EXAMPLES = (*EXAMPLES, Example6())

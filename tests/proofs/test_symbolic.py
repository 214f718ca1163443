"""proofs.symbolic: closed-form claims get their verdicts; what sympy leaves open is Unknown."""
import pytest
import sympy

from proofs.symbolic import (
    SYMBOLIC_CLAIMS,
    T,
    eventual_sign,
    prove_big_o,
    prove_has_goal,
    prove_improves,
)


@pytest.mark.parametrize("claim", SYMBOLIC_CLAIMS, ids=lambda c: c.name)
def test_each_symbolic_claim_gets_its_expected_verdict(claim):
    assert claim.decide().kind == claim.expect


N = sympy.Symbol("n", positive=True, integer=True)
UNDECIDABLE = {
    "accumbounds": lambda: prove_has_goal(T + sympy.sin(T)),  # lim of the step is AccumBounds
    "unevaluated limit": lambda: prove_has_goal(sympy.Function("f")(T)),
    "floor steps": lambda: prove_has_goal(sympy.floor(T / 2)),
    "big-O accumbounds": lambda: prove_big_o(N * sympy.sin(N), N, N),
}


@pytest.mark.parametrize("case", sorted(UNDECIDABLE))
def test_what_sympy_cannot_decide_is_unknown_never_proven(case):
    assert UNDECIDABLE[case]().kind == "unknown"


def test_eventual_sign_of_an_unsettled_sign_is_none():
    x, y = sympy.symbols("x y", positive=True)
    assert (x - y).is_positive is None  # sympy's None ...
    assert eventual_sign(x - y).sign is None  # ... stays undecided


def test_never_halting_program_has_no_goal():
    assert prove_has_goal(T, steps=2 * T).kind == "refuted"


def test_c_t_improves_on_t_only_for_c_above_one():
    assert prove_improves(3 * T, T).kind == "proven"
    assert prove_improves(T, T).kind == "refuted"  # D = 0: no t with G(Q(t)) > G(P(t))

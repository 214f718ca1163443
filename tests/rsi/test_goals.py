"""Goals (Mahoney 2008, section Goals): PRIME(x) = x if x is prime else 0, identity."""
import numpy as np
import pytest

from rsi.goals import GOALS, goal_by_name, goal_values, identity, is_prime, prime

PRIMES_BELOW_50 = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47]  # by hand


def test_is_prime_matches_the_hand_list_below_50():
    assert [n for n in range(-3, 50) if is_prime(n)] == PRIMES_BELOW_50


def test_prime_goal_keeps_primes_and_zeroes_the_rest():
    assert [prime(n) for n in (0, 1, 2, 4, 7, 9, 97)] == [0, 0, 2, 0, 7, 0, 97]


def test_identity_goal_is_the_value():
    assert identity(12345) == 12345


def test_goal_by_name_finds_builtins_and_names_the_known_ones():
    assert goal_by_name("prime") is prime and goal_by_name("identity") is identity
    with pytest.raises(ValueError, match="identity, prime"):
        goal_by_name("speed")
    assert set(GOALS) == {"identity", "prime"}


@pytest.mark.parametrize("goal", [prime, identity, lambda x: -x / 3.0], ids=["prime", "identity", "user"])
def test_goal_values_equals_the_goal_applied_elementwise(goal):
    values = np.array([0, 1, 2, 3, 4, 5, 1_000_003, 999_983, 5, 0, 2**61 - 1], dtype=np.int64)
    assert list(goal_values(goal, values)) == [goal(int(v)) for v in values]


def test_goal_values_on_huge_object_values_stays_exact():
    values = np.array([2**89 - 1, 2**89 + 1, 3], dtype=object)  # 2^89 - 1 is a Mersenne prime
    assert list(goal_values(prime, values)) == [2**89 - 1, 0, 3]


def test_goal_values_mixing_ints_and_floats_compare_exactly():
    from rsi.definitions import has_goal_at
    from rsi.programs import TableProgram

    scores = {1: 2**53 + 1, 2: float(2**53), 3: 2**54}  # G(P(1)) < G(P(0)), by one
    goal = scores.__getitem__
    assert goal_values(goal, np.array([1, 2]))[0] > goal_values(goal, np.array([1, 2]))[1]
    verdict = has_goal_at(TableProgram((1, 2, 3)), goal, 0, 5)
    assert verdict.kind == "refuted" and verdict.witness["t_prime"] == 1


@pytest.mark.parametrize("output", [float("nan"), "7", 1 + 2j, None, float("inf")],
                         ids=["nan", "str", "complex", "none", "inf"])
def test_a_goal_must_return_real_numbers_naming_t_and_the_value(output):
    def goal(x):
        return output if x == 5 else x

    with pytest.raises(ValueError, match=r"at t = 2.*finite real number") as raised:
        goal_values(goal, np.array([1, 3, 5, 5]))
    assert repr(output) in str(raised.value)


def test_fractions_and_numpy_scalars_are_real_goal_values():
    from fractions import Fraction

    assert goal_values(lambda x: Fraction(x, 3), np.array([3, 4])).tolist() == [1, Fraction(4, 3)]
    assert goal_values(lambda x: np.float64(x) / 2, np.array([1, 2])).tolist() == [0.5, 1.0]

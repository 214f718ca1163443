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

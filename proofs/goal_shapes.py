"""Goal shapes the strategies draw from: readable, comparable callables G: N -> R.

Mahoney 2008, section Goals: "a goal [is] a function G: N -> R".  A goal drawn by Hypothesis must
print readably in a counterexample, so each shape is a frozen dataclass with a `__call__` and a
`__str__` formula, not a lambda.  `Increasing` shapes are strictly increasing maps R -> R, used to
check that the definitions only depend on the order of goal values (f o G for increasing f).
Every shape computes exactly on integers (Python ints), so no two distinct goal values collapse
in floating point.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rsi.goals import is_prime


@dataclass(frozen=True)
class Affine:
    """x -> a*x + b; strictly increasing when a > 0 (the strategies only draw a > 0)."""

    a: int
    b: int

    def __call__(self, x: float) -> float:
        return self.a * x + self.b

    def __str__(self) -> str:
        return f"{self.a}*x{self.b:+d}"


@dataclass(frozen=True)
class OddPower:
    """x -> x**k for odd k: strictly increasing on all of R."""

    k: int

    def __call__(self, x: float) -> float:
        return x**self.k

    def __str__(self) -> str:
        return f"x**{self.k}"


@dataclass(frozen=True)
class Capped:
    """x -> min(x, cap): a bounded goal (no program keeps improving past the cap)."""

    cap: int

    def __call__(self, x: float) -> float:
        return min(x, self.cap)

    def __str__(self) -> str:
        return f"min(x, {self.cap})"


@dataclass(frozen=True)
class Sieve:
    """x -> x if x passes the sieve else 0: prime-like goals (PRIME, or x = r mod m)."""

    modulus: int  # 0 means "x is prime"
    residue: int = 0

    def __call__(self, x: float) -> float:
        keep = is_prime(int(x)) if self.modulus == 0 else int(x) % self.modulus == self.residue
        return x if keep else 0

    def __str__(self) -> str:
        if self.modulus == 0:
            return "x if prime(x) else 0"
        return f"x if x % {self.modulus} == {self.residue} else 0"


@dataclass(frozen=True)
class Tabulated:
    """x -> table[x] for x < len(table), else `beyond`: an arbitrary (adversarial) goal."""

    table: tuple[int, ...]
    beyond: int

    def __call__(self, x: float) -> float:
        index = int(x)
        return self.table[index] if 0 <= index < len(self.table) else self.beyond

    def __str__(self) -> str:
        return f"table{list(self.table)} then {self.beyond}"


@dataclass(frozen=True)
class Composed:
    """x -> outer(inner(x)): f o G, the goal G seen through the transform f."""

    outer: Callable[[float], float]
    inner: Callable[[float], float]

    def __call__(self, x: float) -> float:
        return self.outer(self.inner(x))

    def __str__(self) -> str:
        return f"({self.outer}) o ({self.inner})"

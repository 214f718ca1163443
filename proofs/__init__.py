"""Mahoney's definitions checked: laws as data, Hypothesis strategies, sympy proofs,
exhaustive checks on small domains."""

"""Hypothesis strategies for Mahoney's objects (filled by the proofs work)."""


def _hypothesis_setup_hook() -> None:
    """Hypothesis entry point (group `hypothesis`): registers this package's type strategies."""

"""Shared test set-up: Hypothesis profiles `ci` (derandomised, make test) and `thorough`
(make test-all, at least 2,000 examples per property)."""
import os

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", derandomize=True, max_examples=25, deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "thorough", max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    """A test whose language's toolchain (gcc, node) is missing is skipped with the reason."""
    from quines_text.sandbox import ToolchainMissing

    outcome = yield
    if outcome.excinfo is not None and issubclass(outcome.excinfo[0], ToolchainMissing):
        outcome.force_exception(pytest.skip.Exception(str(outcome.excinfo[1]), _use_item_location=True))

"""Fixtures shared by the hostile suites."""
import os

import pytest


@pytest.fixture(scope="module", autouse=True)
def private_c_cache(tmp_path_factory):
    """Each run's marker makes new C sources: keep their binaries out of the user's cache."""
    old = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("cache"))
    yield
    if old is None:
        del os.environ["XDG_CACHE_HOME"]
    else:
        os.environ["XDG_CACHE_HOME"] = old

"""Suite-wide safety: no test may reach the real OS keychain.

Tests that need a keychain install an in-memory one (``tests.storage.conftest.keyring_backend``);
everything else, including subprocesses started by tests, sees the ``fail`` backend, which the
application treats as "no keychain here".
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import keyring
import keyring.backends.fail
import pytest

FAIL_BACKEND = "keyring.backends.fail.Keyring"


@pytest.fixture(autouse=True, scope="session")
def _no_real_keychain() -> Iterator[None]:
    previous_env = os.environ.get("PYTHON_KEYRING_BACKEND")
    previous = keyring.get_keyring()
    os.environ["PYTHON_KEYRING_BACKEND"] = FAIL_BACKEND
    keyring.set_keyring(keyring.backends.fail.Keyring())
    yield
    keyring.set_keyring(previous)
    if previous_env is None:
        os.environ.pop("PYTHON_KEYRING_BACKEND", None)
    else:
        os.environ["PYTHON_KEYRING_BACKEND"] = previous_env

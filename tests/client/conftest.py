"""Client-service fixtures: real encrypted replicas, no Qt."""

from __future__ import annotations

from tests.storage.conftest import (  # noqa: F401 - fixtures
    keyring_backend,
    replica,
    replica_factory,
    replica_template,
)

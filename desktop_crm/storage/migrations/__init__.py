"""The replica's schema migrations (Alembic), run from code — no ``alembic.ini`` at run time.

Revisions live in ``versions/`` with plain ids ("0001", "0002", ...). ``upgrade`` and
``downgrade`` take a :class:`sqlalchemy.Connection`; run them inside a transaction you own so the
whole step commits or rolls back together (SQLite DDL is transactional), with foreign keys off
(``render_as_batch`` may rebuild tables; see :func:`desktop_crm.storage.replica.migrate`).
"""

from __future__ import annotations

import functools
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

MIGRATIONS_DIR = Path(__file__).resolve().parent


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    config.attributes["connection"] = connection
    return config


@functools.cache
def script_directory() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    head = script_directory().get_current_head()
    if head is None:  # pragma: no cover - the package always ships revisions
        raise RuntimeError("no replica migrations found")
    return head


@functools.cache
def known_revisions() -> frozenset[str]:
    return frozenset(script.revision for script in script_directory().walk_revisions())


def current_revision(connection: Connection) -> str | None:
    """The revision recorded in the replica (None for an empty database)."""
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(connection: Connection, revision: str = "head") -> None:
    command.upgrade(alembic_config(connection), revision)


def downgrade(connection: Connection, revision: str) -> None:
    command.downgrade(alembic_config(connection), revision)

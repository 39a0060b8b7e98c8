"""Alembic environment for the replica; run programmatically (see ``migrations/__init__.py``).

The caller passes an open SQLAlchemy ``Connection`` in ``config.attributes["connection"]``,
usually inside a transaction it owns (so the whole upgrade commits or rolls back as one).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

config = context.config


def run_migrations_offline() -> None:
    context.configure(
        url="sqlite://",
        target_metadata=None,
        literal_binds=True,
        render_as_batch=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if not isinstance(connection, Connection):
        raise RuntimeError(
            "replica migrations run through desktop_crm.storage.migrations with a connection"
        )
    context.configure(
        connection=connection,
        target_metadata=None,
        render_as_batch=True,
        transactional_ddl=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()

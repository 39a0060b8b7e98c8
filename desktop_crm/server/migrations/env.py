"""Alembic environment for the server database.

Run programmatically by :func:`desktop_crm.server.db.migrate`, which passes an open connection in
``config.attributes["connection"]``; there is no alembic.ini to keep in step.
"""

from __future__ import annotations

from alembic import context

from desktop_crm.server.models import metadata

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reached when someone runs alembic by hand
    raise RuntimeError("run migrations through `desktop-crm-server migrate`")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()

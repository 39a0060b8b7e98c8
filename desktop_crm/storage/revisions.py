"""The replica's schema revisions, read from the migration files' text without Alembic.

Opening a replica only needs to know the newest revision and which ones exist (is the file
current, or written by a newer program?). Alembic costs a tenth of a second to import and to
parse every revision, so the client's start path asks this module, and imports Alembic
(:mod:`desktop_crm.storage.migrations`) only when a migration is due. ``tests/storage/
test_migrations.py`` checks that both read the same revisions.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from sqlalchemy import Connection, text

VERSIONS_DIR = Path(__file__).resolve().parent / "migrations" / "versions"
_REVISION = re.compile(r"""^revision(?:\s*:[^=]*)?\s*=\s*["']([^"']+)["']""", re.MULTILINE)
_DOWN = re.compile(r"""^down_revision(?:\s*:[^=]*)?\s*=\s*(?:["']([^"']+)["']|None)""", re.M)


@functools.cache
def revision_graph() -> dict[str, str | None]:
    """``{revision: the revision it revises}`` for every migration file."""
    graph: dict[str, str | None] = {}
    for path in sorted(VERSIONS_DIR.glob("*.py")):
        source = path.read_text(encoding="utf-8")
        revision = _REVISION.search(source)
        if revision is not None:
            down = _DOWN.search(source)
            graph[revision.group(1)] = down.group(1) if down else None
    return graph


def known_revisions() -> frozenset[str]:
    return frozenset(revision_graph())


def head_revision() -> str:
    graph = revision_graph()
    heads = set(graph) - {down for down in graph.values() if down}
    if len(heads) != 1:  # pragma: no cover - the package always ships one line of revisions
        raise RuntimeError(f"the replica migrations have {len(heads)} heads: {sorted(heads)}")
    return heads.pop()


def current_revision(conn: Connection) -> str | None:
    """The revision recorded in the replica (None for a database without one)."""
    has_table = conn.exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
    ).first()
    if has_table is None:
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()

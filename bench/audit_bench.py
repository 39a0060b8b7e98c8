"""Audit chain cost: appending a push batch's audit entries with the hash chain, against the
same multi-row insert without it (SQLite; PostgreSQL too when DESKTOP_CRM_TEST_POSTGRES_URL
is set, in a scratch schema).

    python -m bench --only audit [--sizes 500]
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, insert, text

from bench.table import Table
from desktop_crm.server import audit, db
from desktop_crm.server import models as m
from desktop_crm.server.timeutil import iso, now

ROUNDS = 15
_UNCHAINED = {"detail_hash": "0" * 64, "prev_hash": "0" * 64, "hash": "0" * 64}


def _entries(n: int) -> list[dict[str, Any]]:
    """Entries like a push batch's record writes."""
    return [
        {
            "at": iso(now()),
            "actor_id": "user-1",
            "device_id": "device-1",
            "action": "record.update",
            "entity": "contact",
            "record_id": f"record-{i}",
            "change_id": f"change-{i}",
            "detail": json.dumps({"changed_fields": ["title"], "version": {"r1": i}, "seq": i}),
        }
        for i in range(n)
    ]


def _plain(conn: Connection, entries: list[dict[str, Any]]) -> None:
    conn.execute(insert(m.audit_log), [{**e, **_UNCHAINED} for e in entries])


@contextmanager
def _engine(kind: str) -> Iterator[Engine]:
    if kind == "SQLite":
        with tempfile.TemporaryDirectory() as folder:
            engine = db.make_engine(db.sqlite_url(Path(folder) / "audit.db"))
            db.migrate(engine)
            yield engine
            engine.dispose()
        return
    base = os.environ["DESKTOP_CRM_TEST_POSTGRES_URL"]
    schema = f"bench_audit_{os.getpid()}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = db.make_engine(f"{base}?options=-csearch_path%3D{schema}")
    try:
        db.migrate(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _median_ms(
    kind: str, size: int, write: Callable[[Connection, list[dict[str, Any]]], None]
) -> float:
    times = []
    with _engine(kind) as engine:
        for _ in range(ROUNDS):
            entries = _entries(size)
            with engine.connect() as conn, db.short_write(conn):
                start = time.perf_counter()
                write(conn, entries)
                times.append(time.perf_counter() - start)
    return sorted(times)[len(times) // 2] * 1000


def run(sizes: tuple[int, ...] | None = None) -> Table:
    table = Table(
        "Audit entries of one push batch: chained append vs plain insert (median ms)",
        ["database", "entries", "plain insert", "chained append", "per entry (µs)"],
    )
    kinds = ["SQLite"] + (["PostgreSQL"] if os.environ.get("DESKTOP_CRM_TEST_POSTGRES_URL") else [])
    for kind in kinds:
        for size in sizes or (500,):
            plain = _median_ms(kind, size, _plain)
            chained = _median_ms(kind, size, audit.append)
            table.add(kind, size, plain, chained, (chained - plain) * 1000 / size)
    table.notes.append(f"median of {ROUNDS} batches; chained: head row read/update + SHA-256 each")
    return table

"""Tombstone purge behind a per-device watermark.

A deleted record stays in ``records`` as a tombstone so every replica learns of the deletion
through its pull. Each pull records the cursor the device presented (it has applied everything
up to it) in ``devices.pull_seq``; a snapshot records its own position (see :mod:`feed`). The
**watermark** is the lowest of those over the devices that can still pull: not revoked, their
user active, and heard from (pulled, signed in or registered) within ``stale_days``. A device
that has never pulled holds it at 0. Tombstones at or below the watermark are purged.

A device left out because it was away too long may come back with a cursor from before the
purge: ``server_state["tombstones_purged_through"]`` keeps the highest change-log position of a
purged tombstone, and a pull from below it answers ``resync_required`` (a fresh snapshot makes
the replica right without the missing tombstones). A purged tombstone leaves its key behind
in ``purged_records``: a push that edits such a record is rejected, one that deletes it is
answered ``already_applied`` (see :mod:`push`), so a deleted record cannot come back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Connection, bindparam, delete, func, insert, or_, select, update

from desktop_crm.server import models as m
from desktop_crm.server.auth import audit_event
from desktop_crm.server.timeutil import iso, now

#: ``server_state`` key: the highest change-log position of a purged tombstone.
PURGED_THROUGH = "tombstones_purged_through"
#: While its cursor stands still, a device's ``pulled_at`` is refreshed at most this often.
PULLED_AT_REFRESH = timedelta(days=1)

PURGED_THROUGH_QUERY = select(m.server_state.c.value).where(m.server_state.c.key == PURGED_THROUGH)


@dataclass(frozen=True, slots=True)
class Purged:
    entity: str
    id: str
    #: The change-log position of the deletion.
    seq: int


@dataclass(slots=True)
class PurgeReport:
    #: Tombstones at or below this change-log position could go.
    watermark: int
    #: The devices that hold the watermark where it is (lowest cursor), for the report.
    holding_devices: list[str] = field(default_factory=list)
    #: Active devices left out because they have not pulled for ``stale_days``.
    stale_devices: list[str] = field(default_factory=list)
    purged: list[Purged] = field(default_factory=list)
    #: Pulls from below this position now ask for a fresh snapshot.
    purged_through: int = 0
    dry_run: bool = False


def purged_through(conn: Connection) -> int:
    value = conn.scalar(PURGED_THROUGH_QUERY)
    return int(value) if value is not None else 0


_PURGED_BY_IDS = select(m.purged_records.c.id).where(
    m.purged_records.c.entity == bindparam("entity"),
    m.purged_records.c.id.in_(bindparam("ids", expanding=True)),
)


def purged_keys(conn: Connection, keys: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which of ``keys`` (``(entity, id)``) are purged tombstones."""
    by_entity: dict[str, list[str]] = {}
    for entity, record_id in keys:
        by_entity.setdefault(str(entity), []).append(record_id)
    out: set[tuple[str, str]] = set()
    for entity, ids in sorted(by_entity.items()):
        ids.sort()
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            out.update(
                (entity, i) for i in conn.scalars(_PURGED_BY_IDS, {"entity": entity, "ids": chunk})
            )
    return out


def _last_heard(row: object) -> str:
    stamps = [
        getattr(row, name)
        for name in ("pulled_at", "last_seen_at", "created_at")
        if getattr(row, name, None)
    ]
    return max(stamps) if stamps else ""


def watermark(conn: Connection, stale_days: int, at: datetime | None = None) -> PurgeReport:
    """The watermark and which devices decide it (nothing is changed)."""
    cutoff = iso((at or now()) - timedelta(days=stale_days))
    head = int(conn.scalar(select(func.coalesce(func.max(m.change_log.c.seq), 0))) or 0)
    rows = conn.execute(
        select(
            m.devices.c.id,
            m.devices.c.pull_seq,
            m.devices.c.pulled_at,
            m.devices.c.last_seen_at,
            m.devices.c.created_at,
        )
        .join(m.users, m.users.c.id == m.devices.c.user_id)
        .where(m.devices.c.revoked_at.is_(None), m.users.c.active.is_(True))
        .order_by(m.devices.c.id)
    ).all()
    held: dict[str, int] = {}
    stale: list[str] = []
    for row in rows:
        if _last_heard(row) < cutoff:
            stale.append(row.id)
        else:
            held[row.id] = int(row.pull_seq or 0)
    mark = min(held.values(), default=head)
    return PurgeReport(
        watermark=mark,
        holding_devices=sorted(d for d, seq in held.items() if seq == mark),
        stale_devices=stale,
        purged_through=purged_through(conn),
    )


def purge(
    conn: Connection, stale_days: int, *, dry_run: bool = False, actor_id: str = "server"
) -> PurgeReport:
    """Purge the tombstones every device that can still pull has pulled past. Run inside
    :func:`desktop_crm.server.db.write_transaction` (no push writes in between)."""
    report = watermark(conn, stale_days)
    report.dry_run = dry_run
    gone = (m.records.c.deleted.is_(True), m.records.c.change_seq <= report.watermark)
    report.purged = [
        Purged(entity, record_id, int(seq))
        for entity, record_id, seq in conn.execute(
            select(m.records.c.entity, m.records.c.id, m.records.c.change_seq)
            .where(*gone)
            .order_by(m.records.c.change_seq)
        )
    ]
    if dry_run or not report.purged:
        return report
    stamp = iso(now())
    for start in range(0, len(report.purged), 1000):
        conn.execute(
            insert(m.purged_records),
            [
                {"entity": p.entity, "id": p.id, "deleted_seq": p.seq, "purged_at": stamp}
                for p in report.purged[start : start + 1000]
            ],
        )
    conn.execute(delete(m.records).where(*gone))
    _forget_cascades(conn, report.purged)
    through = max(report.purged_through, max(p.seq for p in report.purged))
    if report.purged_through == 0 and conn.scalar(PURGED_THROUGH_QUERY) is None:
        conn.execute(insert(m.server_state).values(key=PURGED_THROUGH, value=str(through)))
    else:
        conn.execute(
            update(m.server_state)
            .where(m.server_state.c.key == PURGED_THROUGH)
            .values(value=str(through))
        )
    report.purged_through = through
    audit_event(
        conn,
        actor_id,
        None,
        "tombstones.purge",
        {
            "count": len(report.purged),
            "watermark": report.watermark,
            "purged_through": through,
            "stale_devices": report.stale_devices,
        },
    )
    return report


def _forget_cascades(conn: Connection, purged: Iterable[Purged]) -> None:
    """A purged child cannot be restored with its account: its cascade row goes too."""
    by_entity: dict[str, list[str]] = {}
    for p in purged:
        by_entity.setdefault(p.entity, []).append(p.id)
    for entity, ids in sorted(by_entity.items()):
        for start in range(0, len(ids), 500):
            conn.execute(
                delete(m.cascade_deletions).where(
                    m.cascade_deletions.c.entity == entity,
                    m.cascade_deletions.c.id.in_(ids[start : start + 500]),
                )
            )


# Recording where devices are -------------------------------------------------------------------

_NOTE_PULL = (
    update(m.devices)
    .where(m.devices.c.id == bindparam("device_id"))
    .values(pull_seq=bindparam("seq"), pulled_at=bindparam("at"))
)
#: A snapshot moves a device's position forward only (its page tokens may be older).
_NOTE_SNAPSHOT = (
    update(m.devices)
    .where(
        m.devices.c.id == bindparam("device_id"),
        or_(m.devices.c.pull_seq.is_(None), m.devices.c.pull_seq < bindparam("seq")),
    )
    .values(pull_seq=bindparam("seq"), pulled_at=bindparam("at"))
)


def needs_note(seq: int, recorded: int | None, recorded_at: str | None) -> bool:
    """Whether a pull from ``seq`` should be written down: the cursor moved, or the last note
    is a day old (so a device in a quiet system does not look stale)."""
    if recorded is None or recorded != seq:
        return True
    return not recorded_at or recorded_at < iso(now() - PULLED_AT_REFRESH)


def note_pull(conn: Connection, device_id: str, seq: int) -> None:
    """The device presented cursor ``seq``: it has every change up to it. Exact, also when it
    went back (a replica restored from a backup)."""
    conn.execute(_NOTE_PULL, {"device_id": device_id, "seq": seq, "at": iso(now())})


def note_snapshot(conn: Connection, device_id: str, seq: int) -> None:
    """The device started a snapshot at ``seq``: tombstones below it no longer concern it."""
    conn.execute(_NOTE_SNAPSHOT, {"device_id": device_id, "seq": seq, "at": iso(now())})

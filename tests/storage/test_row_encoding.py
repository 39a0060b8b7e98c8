"""The bulk loader's fast row encoding and its name-index entries store exactly what the
careful path (``apply_remote``, one record at a time, rows from ``row_values``) stores, for
every entity: None, missing and empty values, Decimal amounts, dates, non-ASCII text, list
fields whose JSON needs escapes or holds more than strings, tombstones, more than one batch."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from desktop_crm.domain.records import (
    Account,
    Activity,
    Contact,
    Entity,
    Opportunity,
    Phone,
    RecordMeta,
    SyncedRecord,
)
from desktop_crm.domain.version_vector import VersionVector
from desktop_crm.storage import bulk_load
from desktop_crm.storage import records_store as store
from desktop_crm.storage.records_store import COLUMN_CODINGS, COLUMNS, StoredRecord
from desktop_crm.storage.replica import Replica

T0 = datetime(2025, 5, 1, 8, 0, tzinfo=UTC)
TABLES = (
    "accounts",
    "contacts",
    "opportunities",
    "activities",
    "contact_phones",
    "account_status_log",
    "opportunity_stage_history",
    "name_index",
)
AUTOINCREMENT = ("contact_phones", "account_status_log", "opportunity_stage_history")
#: List-field values whose JSON text needs care: quotes, backslashes, control characters,
#: separators JavaScript treats as line ends, astral characters, non-ASCII.
AWKWARD = [
    'say "hi"',
    "back\\slash",
    "tab\there",
    "nl\nx",
    "\x00\x1f",
    "\u2028\u2029",
    "😀",
    "王芳",
]
_REFERENCE_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def reference_row(record: StoredRecord) -> tuple[Any, ...]:
    """The row as the store encoded it before the fast encoder (kept here as the spec)."""
    updated_at = record.updated_at
    if updated_at.tzinfo is None:
        updated_at = updated_at.replace(tzinfo=UTC)
    values: list[Any] = [
        record.id,
        record.version.to_json(),
        bool(record.deleted),
        updated_at.astimezone(UTC).isoformat(),
        record.updated_by,
    ]
    for name, kind in COLUMN_CODINGS[record.entity].items():
        value = record.data.get(name)
        if kind == "json":
            value = _REFERENCE_ENCODER.encode(value if value is not None else [])
        elif kind == "bool":
            value = bool(value)
        values.append(value)
    return tuple(values)


def _meta(n: int, *, deleted: bool = False) -> RecordMeta:
    return RecordMeta(
        id=f"rec-{n:04d}",
        version=VersionVector({"server": n + 1, "replica-a": n % 3}),
        deleted=deleted,
        updated_at=T0 + timedelta(minutes=n),
        updated_by="someone" if n % 2 else "",
    )


def typed_records(n_accounts: int) -> list[SyncedRecord]:
    """Every entity, with the awkward values spread over them."""
    out: list[SyncedRecord] = []
    n = 0
    for a in range(n_accounts):
        n += 1
        account = Account(
            name=f'上海华东精密机械 {a} "Ltd"' if a % 2 else f"Ünïcødé {a} 😀",
            industry="" if a % 3 else "manufacturing",
            tags=[] if a % 4 == 0 else AWKWARD[a % len(AWKWARD) :],
            notes="总部在浦东\n第二行" if a % 2 else "",
            meta=_meta(n, deleted=a % 7 == 6),
        )
        out.append(account)
        n += 1
        contact = Contact(
            account_id=account.meta.id,
            name=f"王芳 {a}" if a % 2 else f"O'Brien \\ {a}",
            emails=[] if a % 3 == 0 else [f"x{a}@example.com", "名字@例子.中国"],
            phones=[
                Phone("+86 138 0013 8000", primary=True, e164="+8613800138000"),
                Phone("021-6234 5678 转 801", kind="work"),  # never normalized
                Phone("not a number", kind="other"),
            ][: a % 4],
            consent_email=bool(a % 2),
            decision_weight=a,
            meta=_meta(n, deleted=a % 5 == 4),
        )
        out.append(contact)
        n += 1
        opportunity = Opportunity(
            account_id=account.meta.id,
            name=f"生产线升级 {a}",
            stage="proposal" if a % 2 else "qualification",
            amount=Decimal("1250000.50") if a % 2 else Decimal("0.0001"),
            probability=a % 100,
            expected_close=date(2025, 9, 30) if a % 3 else None,
            meta=_meta(n),
        )
        out.append(opportunity)
        n += 1
        activity = Activity(
            account_id=account.meta.id,
            kind="call",
            start_at=datetime(2025, 5, 20, 3, 15, tzinfo=timezone(timedelta(hours=8))),
            contact_id=contact.meta.id if a % 2 else None,
            opportunity_id=opportunity.meta.id if a % 3 else None,
            direction="inbound" if a % 2 else None,
            participants=[] if a % 2 else AWKWARD,
            summary='询价 "quote"',
            follow_up_at=datetime(2025, 5, 27, 3, 0, tzinfo=UTC) if a % 2 else None,
            follow_up_done=a % 4 == 1,
            meta=_meta(n),
        )
        out.append(activity)
    return out


def wire_oddities() -> list[StoredRecord]:
    """Records as a server might send them that no typed record produces: nulls and empty
    values where the columns allow them, list fields holding numbers, objects and floats, a
    naive timestamp, an integer for a boolean."""
    version = VersionVector({"server": 1})
    account = StoredRecord.from_record(Account(name="Lists", meta=_meta(900)))
    contact = StoredRecord.from_record(
        Contact(account_id=account.id, name="Nulls", meta=_meta(901))
    )
    activity = StoredRecord.from_record(
        Activity(
            account_id=account.id,
            kind="note",
            start_at=datetime(2025, 1, 1, tzinfo=UTC),
            meta=_meta(902),
        )
    )
    return [
        dataclasses.replace(
            account,
            updated_at=datetime(2025, 5, 1, 8, 0),  # naive: taken as UTC
            data={**account.data, "tags": [1, 2.5, None, {"k": "ü"}, ["nested"], True, "s"]},
        ),
        dataclasses.replace(contact, data={**contact.data, "emails": None, "phones": None}),
        dataclasses.replace(
            contact,
            id=_meta(903).id,
            # Phones the bulk loader's fast path does not take: no normalized form (derived
            # from the raw text, or none when it is unreadable), a number for it, nulls.
            data={
                **contact.data,
                "phones": [
                    {"raw": "+86 138 0013 8000", "kind": "work"},
                    {"raw": "not a number", "e164": "", "primary": 1},
                    {"raw": None, "e164": 12025550101, "extension": None},
                    {"raw": "+1 202 555 0101", "e164": "+12025550101", "extension": "12"},
                    {"raw": "", "e164": "+4930123456", "kind": None, "primary": None},
                ],
            },
        ),
        dataclasses.replace(
            activity,
            version=version,
            data={**activity.data, "participants": None, "follow_up_done": 1, "direction": None},
        ),
    ]


def incomplete() -> list[StoredRecord]:
    """Fields left out altogether: encoded as None (the NOT NULL columns then refuse them on
    either path), list fields as ``[]``."""
    version = VersionVector({"server": 1})
    return [
        StoredRecord(entity, f"bare-{entity.value}", version, False, T0, "", {})
        for entity in Entity
    ] + [StoredRecord(Entity.ACCOUNT, "named", version, True, T0, "", {"name": "Only a name"})]


def dump(rep: Replica) -> dict[str, list[tuple[Any, ...]]]:
    out = {}
    with rep.engine.connect() as conn:
        for table in TABLES:
            rows = [tuple(r) for r in conn.exec_driver_sql(f"SELECT * FROM {table}").all()]
            if table in AUTOINCREMENT:
                rows = [r[1:] for r in rows]
            out[table] = sorted(rows, key=repr)
        rows = [
            tuple(r)
            for r in conn.exec_driver_sql(
                "SELECT m.entity, m.record_id, n.entity, n.record_id, n.name FROM name_index_rows"
                " AS m LEFT JOIN name_index AS n ON n.rowid = m.fts_rowid"
            )
        ]
        assert all(r[0] == r[2] and r[1] == r[3] for r in rows)
        out["name_index_rows"] = sorted(rows, key=repr)
    return out


def test_row_encoding_matches_the_reference() -> None:
    records = [StoredRecord.from_record(r) for r in typed_records(12)]
    records += wire_oddities() + incomplete()
    for record in records:
        row = store.row_tuple(record)
        assert row == reference_row(record), record
        assert store.row_values(record) == dict(zip(COLUMNS[record.entity], row, strict=True))
        # Same types too (True is not 1 to this comparison's eyes only through repr).
        assert [type(v) for v in row] == [type(v) for v in reference_row(record)]
    assert {r.entity for r in records} == set(Entity)


@given(
    st.lists(
        st.one_of(
            st.text(),
            st.integers(),
            st.floats(allow_nan=False),
            st.none(),
            st.booleans(),
            st.lists(st.text(), max_size=2),
        ),
        max_size=6,
    )
)
def test_list_fields_encode_as_the_json_encoder_does(value: list[Any]) -> None:
    assert store.json_text(value) == _REFERENCE_ENCODER.encode(value)


def test_bulk_loader_stores_what_apply_remote_stores(
    replica_factory: Callable[..., Replica],
) -> None:
    # 61 per entity, in two batches of 30-odd each: enough for the bulk path that bypasses the
    # name-index triggers (bulk_load._BYPASS_TRIGGER_MIN), with rows already there for the second.
    typed = typed_records(61)
    assert 130 // 4 >= bulk_load._BYPASS_TRIGGER_MIN
    stored = [StoredRecord.from_record(r) for r in typed] + wire_oddities()
    careful, fast, fast_typed = (replica_factory(n) for n in ("careful.db", "fast.db", "typed.db"))
    with careful.engine.begin() as conn:
        for record in stored:
            store.apply_remote(conn, record)
    with fast.engine.begin() as conn:
        # Two batches: the second finds rows and name-index entries already there.
        assert bulk_load.bulk_apply(conn, stored, batch_size=130) == len(stored)
    with fast_typed.engine.begin() as conn:
        bulk_load.bulk_apply(conn, [*typed, *wire_oddities()], batch_size=130)
    expected = dump(careful)
    assert dump(fast) == expected
    assert dump(fast_typed) == expected
    assert len(expected["contact_phones"]) > 20 and len(expected["name_index"]) > 40
    with fast.engine.connect() as conn:
        for record in stored:
            again = store.read_record(conn, record.entity, record.id)
            assert again is not None and store.row_tuple(again) == store.row_tuple(record)


def test_stored_record_fields_are_what_the_encoder_reads() -> None:
    # The encoder reads these attributes by name; a renamed field must fail here, not silently.
    assert [f.name for f in dataclasses.fields(StoredRecord)] == [
        "entity",
        "id",
        "version",
        "deleted",
        "updated_at",
        "updated_by",
        "data",
        "masked",  # not encoded: kept in masked_fields (records_store.note_masked)
    ]

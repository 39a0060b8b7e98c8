"""Suspected duplicates at scale: the entry-time check on the encrypted replica, and the
server's full scan.

- check: ``storage.duplicates.similar_accounts`` on a SQLCipher replica of N accounts (one or
  two contacts each, demo data, loaded with ``bulk_load.bulk_apply``), p50/p95 of single warm
  calls. Queries: half are stored names altered the way duplicates arise (a legal form added,
  one letter changed, a city put in front), half new names.
- scan: ``server.duplicates.scan`` over N accounts in a SQLite server database (demo data,
  ``bulk.load_records``): the whole command's time, pairs compared and found.

``python -m bench --only duplicates [--sizes 100000]``
"""

from __future__ import annotations

import random
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from bench.chunks import chunks
from bench.replica_bench import _percentiles
from bench.table import Table
from desktop_crm.domain import demo_data
from desktop_crm.domain.records import Account, Entity, SyncedRecord
from desktop_crm.protocol.messages import Role
from desktop_crm.server import bulk, db, directory
from desktop_crm.server import duplicates as server_duplicates
from desktop_crm.storage import bulk_load
from desktop_crm.storage.duplicates import similar_accounts
from desktop_crm.storage.keys import RawKey
from desktop_crm.storage.replica import create_replica

QUICK_SIZES = (20_000,)
DEFAULT_SIZES = (100_000,)
NOW = datetime(2026, 12, 1, tzinfo=UTC)
LOOKUPS = 400
CHILDREN = {
    "contacts_per_account": (1, 2),
    "opportunities_per_account": (0, 0),
    "activities_per_account": (0, 0),
}


#: Characters and syllables the bench draws distinctive name parts from.
_CJK = (
    "安邦宝昌辰驰达鼎东方丰福富海瀚浩和恒宏华汇佳嘉金锦竞凯康乐力立联隆茂美明南宁鹏齐"
    "启千庆瑞润森尚盛泰天通拓万旺威伟翔鑫新信星兴旭雅扬耀亿义银英永优宇元远跃云泽展兆"
    "振正志智中众卓"
)
_SYLLABLES = (
    "ba be bo da de di ka ke ko la le lo ma me mi na no ra re ri sa se so ta te to va ve vi za zo"
).split()


def _distinct(rng: random.Random, name: str) -> str:
    """Demo names come from small word lists (the same brand in many cities): real customer
    lists are not like that, so each account gets a distinctive part of its own."""
    if name.isascii():
        word = "".join(rng.choice(_SYLLABLES) for _ in range(3)).capitalize()
        return f"{word} {name}"
    return name[:2] + "".join(rng.choice(_CJK) for _ in range(2)) + name[2:]


def _records(size: int, owner: str = "rep") -> Iterator[SyncedRecord]:
    """``size`` accounts with distinctive names, one in a hundred an altered copy of an
    earlier one (the duplicates to find)."""
    rng = random.Random(17)
    earlier: list[str] = []
    generated = demo_data.generate(seed=11, accounts=size, owner_ids=[owner], now=NOW, **CHILDREN)
    for record in generated:
        if isinstance(record, Account):
            if earlier and rng.random() < 0.01:
                record.name = _altered(rng, rng.choice(earlier))
            else:
                record.name = _distinct(rng, record.name)
                earlier.append(record.name)
        yield record


def _altered(rng: random.Random, name: str) -> str:
    kind = rng.randrange(3)
    if kind == 0:
        return name + (" 有限公司" if rng.random() < 0.5 else " Co., Ltd.")
    if kind == 1 and len(name) > 4:
        i = rng.randrange(len(name))
        return name[:i] + "x" + name[i + 1 :]
    return "上海" + name


def _queries(size: int) -> list[str]:
    rng = random.Random(5)  # (altered copies of stored names, and new names)
    names = [r.name for r in _records(size) if isinstance(r, Account)]
    altered = [_altered(rng, n) for n in rng.sample(names, LOOKUPS // 2)]
    new = [f"Neue Firma {rng.randrange(10**6)} GmbH" for _ in range(LOOKUPS // 4)]
    new += [f"新客户{rng.randrange(10**6)}贸易有限公司" for _ in range(LOOKUPS // 4)]
    return altered + new


def _check(size: int, tmp: Path, table: Table) -> None:
    replica = create_replica(tmp / f"dup-{size}.db", RawKey.generate())
    try:
        with replica.engine.connect() as conn:
            for chunk in chunks(_records(size), 20_000):
                with conn.begin():
                    bulk_load.bulk_apply(conn, chunk)
        queries = _queries(size)
        p50, p95 = _percentiles(replica.engine, queries, lambda c, q: similar_accounts(c, q))
        with replica.engine.connect() as conn:
            found = sum(1 for q in queries[: LOOKUPS // 2] if similar_accounts(conn, q))
        table.add(
            f"entry-time check, {size:,} accounts (SQLCipher)",
            f"p50 {p50:.1f} ms, p95 {p95:.1f} ms",
            "p95 < 50 ms",
            f"altered names found: {found}/{LOOKUPS // 2}",
        )
    finally:
        replica.close()


def _scan(size: int, tmp: Path, table: Table) -> None:
    engine = db.make_engine(db.sqlite_url(tmp / f"server-{size}.db"))
    db.migrate(engine)
    with engine.connect() as conn, db.write_transaction(conn):
        rep = directory.create_user(conn, "rep1", "pw", Role.REP, "server")
        bulk.load_records(conn, _records(size, rep), "server")
    started = time.perf_counter()
    with engine.connect() as conn, db.write_transaction(conn):
        report = server_duplicates.scan(conn, Entity.ACCOUNT)
    seconds = time.perf_counter() - started
    engine.dispose()
    table.add(
        f"server scan, {size:,} accounts (SQLite)",
        f"{seconds:.1f} s",
        "< 60 s",
        f"{report.compared:,} pairs scored, {len(report.pairs):,} found",
    )


def run(sizes: tuple[int, ...] | None = None, quick: bool = False) -> Table:
    table = Table("Duplicates", ("measure", "result", "target", "notes"))
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes or (QUICK_SIZES if quick else DEFAULT_SIZES):
            _check(size, Path(tmp), table)
            _scan(size, Path(tmp), table)
    table.notes.append("2 cores shared with other work; single warm calls; demo data names")
    return table

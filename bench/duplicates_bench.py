"""Suspected duplicates at scale: the entry-time check on the encrypted replica, and the
server's full scan.

- check: ``storage.duplicates.similar_accounts`` on a SQLCipher replica of N accounts (one or
  two contacts each, demo data, loaded with ``bulk_load.bulk_apply``), p50/p95 of single warm
  calls. Queries: half are stored names altered the way duplicates arise (a legal form added,
  one letter changed, a city put in front), half new names.
- scan: ``server.duplicates.scan`` over N accounts in a SQLite server database (demo data,
  ``bulk.load_records``): the whole command's time (wall and CPU), a fresh queue and again
  with the queue filled; pairs queued, and how many of the planted duplicates were found.
- before/after: the name-pair search of the scan as it was (commit :data:`BASELINE`, loaded
  from git) and as it is, on the same 20k keys in the same run.

``python -m bench --only duplicates [--sizes 100000]``
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

from bench.chunks import chunks
from bench.replica_bench import _percentiles
from bench.table import Table
from desktop_crm.domain import demo_data
from desktop_crm.domain.duplicates import (
    DEFAULT_THRESHOLD,
    company_core,
    name_score,
    similar_name_pairs,
)
from desktop_crm.domain.records import Account, Entity, SyncedRecord
from desktop_crm.protocol.messages import Role
from desktop_crm.server import bulk, db, directory
from desktop_crm.server import duplicates as server_duplicates
from desktop_crm.storage import bulk_load
from desktop_crm.storage.duplicates import similar_accounts
from desktop_crm.storage.keys import RawKey
from desktop_crm.storage.replica import create_replica

QUICK_SIZES = (20_000,)
#: Accounts the scan before and after this change are compared on (before is quadratic-ish:
#: 20k took 20 s, 40k two minutes).
BEFORE_AFTER_SIZE = 20_000
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


def _records(
    size: int, owner: str = "rep", planted: list[tuple[str, str, str, str]] | None = None
) -> Iterator[SyncedRecord]:
    """``size`` accounts with distinctive names, one in a hundred an altered copy of an
    earlier one (the duplicates to find; ``planted`` collects them as (id, name, id of the
    copy, its name))."""
    rng = random.Random(17)
    earlier: list[tuple[str, str]] = []
    generated = demo_data.generate(seed=11, accounts=size, owner_ids=[owner], now=NOW, **CHILDREN)
    for record in generated:
        if isinstance(record, Account):
            if earlier and rng.random() < 0.01:
                original_id, original = rng.choice(earlier)
                record.name = _altered(rng, original)
                if planted is not None:
                    planted.append((original_id, original, record.meta.id, record.name))
            else:
                record.name = _distinct(rng, record.name)
                earlier.append((record.meta.id, record.name))
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


class _Clock:
    """Wall and CPU time (this process, all threads) of a block: with other work on the
    machine the wall time alone says little."""

    def __enter__(self) -> _Clock:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu

    def __str__(self) -> str:
        return f"{self.wall:.1f} s (CPU {self.cpu:.1f} s)"


def _scan(size: int, tmp: Path, table: Table) -> None:
    engine = db.make_engine(db.sqlite_url(tmp / f"server-{size}.db"))
    db.migrate(engine)
    planted: list[tuple[str, str, str, str]] = []
    with engine.connect() as conn, db.write_transaction(conn):
        rep = directory.create_user(conn, "rep1", "pw", Role.REP, "server")
        bulk.load_records(conn, _records(size, rep, planted), "server")
    with _Clock() as first, engine.connect() as conn, db.write_transaction(conn):
        report = server_duplicates.scan(conn, Entity.ACCOUNT)
    with _Clock() as again, engine.connect() as conn, db.write_transaction(conn):
        server_duplicates.scan(conn, Entity.ACCOUNT)
    engine.dispose()
    found = {(p.id_a, p.id_b) for p in report.pairs}
    # (A planted copy is a duplicate by the rules when its name still scores 80: "x" put in
    # a four-character name does not.)
    due = [tuple(sorted((a, b))) for a, x, b, y in planted if _names_match(x, y)]
    table.add(
        f"server scan, {size:,} accounts (SQLite)",
        str(first),
        "< 60 s",
        f"{len(report.pairs):,} pairs queued; planted duplicates found "
        f"{sum(1 for pair in due if pair in found)}/{len(due)}",
    )
    table.add("  again, queue filled (rescore, keep decided)", str(again), "", "")


def _names_match(a: str, b: str) -> bool:
    return name_score(company_core(a), company_core(b)) >= DEFAULT_THRESHOLD


def _before_after(size: int, table: Table) -> None:
    """The name pairs of ``size`` accounts by the scan before this change (prefix-filtered
    bigram candidates scored one by one, loaded from git as it was) and now, on the same
    keys in the same run."""
    keys = list(
        dict.fromkeys(company_core(r.name) for r in _records(size) if isinstance(r, Account))
    )
    with _Clock() as now_clock:
        now_pairs = {(i, j) for i, j, _ in similar_name_pairs(keys)}
    before = _baseline()
    if before is None:
        table.add(f"name pairs, {size:,} accounts, before", "(git not available)", "", "")
    else:
        with _Clock() as before_clock:
            before_pairs = {
                (i, j)
                for i, j in before.candidate_pairs(keys)
                if before.name_score(keys[i], keys[j]) >= DEFAULT_THRESHOLD
            }
        table.add(
            f"name pairs, {size:,} accounts, before ({BASELINE})",
            str(before_clock),
            "",
            f"{len(before_pairs):,} pairs",
        )
    table.add(
        f"name pairs, {size:,} accounts, now",
        str(now_clock),
        "",
        f"{len(now_pairs):,} pairs"
        + ("" if before is None else f", {len(now_pairs & before_pairs):,} of before's"),
    )


#: The commit whose duplicate scan the bench compares against.
BASELINE = "69a48bb"


def _baseline() -> ModuleType | None:
    """``domain/duplicates.py`` as of :data:`BASELINE`, as a module (None outside a git
    checkout): the old code is measured, not kept."""
    try:
        source = subprocess.run(
            ["git", "show", f"{BASELINE}:desktop_crm/domain/duplicates.py"],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).resolve().parent,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    module = ModuleType("duplicates_before")
    sys.modules[module.__name__] = module  # (its dataclasses look their module up)
    exec(compile(source, module.__name__, "exec"), module.__dict__)  # noqa: S102
    return module


def run(sizes: tuple[int, ...] | None = None, quick: bool = False) -> Table:
    table = Table("Duplicates", ("measure", "result", "target", "notes"))
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes or (QUICK_SIZES if quick else DEFAULT_SIZES):
            _check(size, Path(tmp), table)
            _scan(size, Path(tmp), table)
        _before_after(BEFORE_AFTER_SIZE, table)
    table.notes.append("2 cores shared with other work; single warm calls; demo data names")
    table.notes.append(
        f"load average when done: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    return table

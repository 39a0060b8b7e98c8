"""The replica at scale: bulk load, phone lookups and name search, SQLCipher vs plain SQLite.

For each size, two replicas with the same schema (the real migrations) and the same demo data:
one SQLCipher-encrypted (raw key, opened the way the client opens it) and one plain SQLite
(the stdlib ``sqlite3`` module, same PRAGMAs). Everything is measured through the code the
application runs: ``bulk_load.bulk_apply`` and ``search.search``.

- load: records/s (accounts + contacts, each contact with 1–3 phone rows and its name-index
  row), time spent in ``bulk_apply`` and in building the indexes a first sync defers
  (``storage/bulk_phase.py``; data generation excluded).
- phone (full number as typed, any format) and last-4-digits lookups, name search (3+ character
  substrings through FTS5 trigram) and 2-character Chinese names (prefix path): p50/p95 of
  single warm calls through ``search()``.
- file: database + ``-wal`` after closing.
"""

from __future__ import annotations

import os
import random
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import QueuePool

from bench.chunks import chunks
from bench.table import Table, _fmt
from desktop_crm.domain import demo_data
from desktop_crm.domain.records import Account, Contact
from desktop_crm.storage import bulk_load, bulk_phase, migrations
from desktop_crm.storage.engine import DEFAULT_SETTINGS, EngineSettings, writer
from desktop_crm.storage.keys import RawKey
from desktop_crm.storage.replica import create_replica
from desktop_crm.storage.search import search

QUICK_SIZES = (20_000,)
DEFAULT_SIZES = (100_000,)
NOW = datetime(2025, 6, 2, 9, 30, tzinfo=UTC)
CHUNK = 20_000  # records generated, then loaded, at a time
LOOKUPS = 400


@dataclass
class Sample:
    """Queries drawn from the generated data (same for both variants)."""

    full_numbers: list[str]
    last4: list[str]
    names3: list[str]
    names2: list[str]


def _plain_engine(path: Path, settings: EngineSettings) -> Engine:
    """Plain SQLite with the client's PRAGMAs (WAL, synchronous, cache, temp store)."""

    def creator() -> sqlite3.Connection:
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA temp_store = MEMORY")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute(f"PRAGMA synchronous = {settings.synchronous}")
        conn.execute(f"PRAGMA cache_size = {settings.cache_size}")
        return conn

    engine = create_engine("sqlite://", creator=creator, poolclass=QueuePool)

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN")

    return engine


def _make(variant: str, path: Path, settings: EngineSettings) -> Engine:
    if variant == "sqlcipher":
        return create_replica(path, RawKey.generate(), settings=settings).engine
    engine = _plain_engine(path, settings)
    with engine.begin() as conn:
        migrations.upgrade(conn)
    return engine


def _records(size: int) -> Iterator[Account | Contact]:
    return demo_data.generate_contacts(size, seed=2025, now=NOW)


def _load(engine: Engine, size: int, sample: Sample | None) -> tuple[int, float, Sample]:
    """Bulk-load ``size`` contacts; returns (records, seconds in bulk_apply, query sample)."""
    rng = random.Random(7)
    keep = max(1, size // 2000)
    full: list[str] = []
    names3: list[str] = []
    names2: list[str] = []
    total = 0
    # As a first sync loads (storage/bulk_phase.py): the deferred indexes are dropped first and
    # built once at the end; their build counts in the load time.
    started = time.perf_counter()
    with writer(engine).begin() as conn:
        bulk_phase.begin(conn)
    spent = time.perf_counter() - started
    with engine.connect() as conn:
        for chunk in chunks(_records(size), CHUNK):
            if sample is None:
                for record in chunk:
                    if rng.randrange(keep) == 0 and len(full) < LOOKUPS * 2:
                        if isinstance(record, Contact):
                            full.append(rng.choice(record.phones).raw)
                            if len(record.name) == 2:
                                names2.append(record.name)
                        else:
                            # A 3–6 character substring of the company name.
                            start = rng.randrange(0, max(1, len(record.name) - 3))
                            names3.append(record.name[start : start + rng.randrange(3, 7)])
            started = time.perf_counter()
            with conn.begin():
                total += bulk_load.bulk_apply(conn, chunk)
            spent += time.perf_counter() - started
    started = time.perf_counter()
    bulk_phase.finish(writer(engine))
    spent += time.perf_counter() - started
    if sample is None:
        last4 = [f"{rng.randrange(10_000):04d}" for _ in range(LOOKUPS)]
        sample = Sample(full[:LOOKUPS], last4, names3[:LOOKUPS], names2[:LOOKUPS])
    return total, spent, sample


def _percentiles(
    engine: Engine, queries: list[str], fn: Callable[[Any, str], Any]
) -> tuple[float, float]:
    if not queries:
        return float("nan"), float("nan")
    timings = []
    with engine.connect() as conn:
        for query in queries[:20]:  # warm up: page cache, statement cache
            fn(conn, query)
        for query in queries:
            started = time.perf_counter()
            fn(conn, query)
            timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    p95 = timings[min(len(timings) - 1, int(len(timings) * 0.95))]
    return statistics.median(timings), p95


def _progress(message: str) -> None:
    print(f"  [{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _size_mb(path: Path) -> float:
    files = [path, path.with_name(path.name + "-wal")]
    return sum(f.stat().st_size for f in files if f.exists()) / 1e6


def _check_hits(engine: Engine, sample: Sample) -> float:
    """Share of full-number lookups whose first hit is an exact match (sanity, not speed)."""
    found = 0
    with engine.connect() as conn:
        for number in sample.full_numbers[:100]:
            hits = search(conn, number)
            found += bool(hits) and hits[0].phone_match is not None
    return found / max(1, min(100, len(sample.full_numbers)))


def run(
    sizes: tuple[int, ...] | None = None,
    out_dir: Path | None = None,
    quick: bool = False,
    variants: tuple[str, ...] = ("sqlcipher", "plain"),
    settings: EngineSettings = DEFAULT_SETTINGS,
) -> Table:
    sizes = sizes or (QUICK_SIZES if quick else DEFAULT_SIZES)
    work = (out_dir or Path("bench/out")) / "replica"
    work.mkdir(parents=True, exist_ok=True)
    table = Table(
        "Replica: bulk load and search() latency (ms), SQLCipher vs plain SQLite",
        [
            "contacts",
            "variant",
            "load rec/s",
            "phone p50",
            "phone p95",
            "last4 p50",
            "last4 p95",
            "name p50",
            "name p95",
            "2-char p50",
            "2-char p95",
            "MB",
            "found",
        ],
    )
    for size in sizes:
        sample: Sample | None = None
        loads: dict[str, float] = {}
        for variant in variants:
            path = work / f"{variant}-{size}-{os.getpid()}.db"
            engine = _make(variant, path, settings)
            try:
                started = time.perf_counter()
                records, seconds, sample = _load(engine, size, sample)
                _progress(
                    f"{variant} {size:,}: loaded {records:,} in {seconds:.1f} s "
                    f"({time.perf_counter() - started:.0f} s with generation)"
                )
                phone = _percentiles(engine, sample.full_numbers, search)
                last4 = _percentiles(engine, sample.last4, search)
                names = _percentiles(engine, sample.names3, search)
                names2 = _percentiles(engine, sample.names2, search)
                found = _check_hits(engine, sample)
                _progress(f"{variant} {size:,}: lookups done")
            finally:
                engine.dispose()
            row = (
                size,
                variant,
                records / seconds,
                *phone,
                *last4,
                *names,
                *names2,
                _size_mb(path),
                f"{found:.0%}",
            )
            table.add(*row)
            table.figure(f"replica.load.records_per_s.{variant}", records / seconds, size)
            loads[variant] = records / seconds
            _progress(" | ".join(_fmt(v) for v in row))
            for suffix in ("", "-wal", "-shm", ".key.json"):
                extra = path.with_name(path.name + suffix)
                if extra.exists():
                    extra.unlink()
            for leftover in path.parent.glob(path.name + "*"):
                leftover.unlink()
        if {"sqlcipher", "plain"} <= loads.keys():
            ratio = loads["plain"] / loads["sqlcipher"]
            table.figure("replica.load.ratio_encrypted_to_plain", ratio, size)
    table.notes += [
        f"cache_size={settings.cache_size}, synchronous={settings.synchronous}, WAL; "
        f"bulk_apply in transactions of {CHUNK:,} records, as a first sync: the deferred "
        "indexes dropped first and built after (storage/bulk_phase.py), their build timed",
        "rec/s counts accounts + contacts; each contact also writes 1–3 phone rows and a "
        "name-index row (triggers)",
        "found = share of full-number lookups whose first hit matched",
    ]
    return table

"""Tag rules benchmark: the server's evaluation of the example rules over every account.

    python -m bench --only tags [--sizes 100000] [--quick]
    python -m bench.tags_bench --accounts 100000

Seeds a server database (SQLite; PostgreSQL too when DESKTOP_CRM_TEST_POSTGRES_URL is set)
with demo accounts and their children (contacts, opportunities, activities), sets the example
rules (``docs/examples/tag-rules.toml``: every fact source is read) and times:

- the scheduled pass (``admin evaluate-tags``) the first time (every tag row written) and again
  a day later (only changes written);
- the re-evaluation an applied push runs, for 500 touched accounts (a full push batch touching
  500 different accounts, the worst case).

The target (issue 10): the pass over 100,000 accounts in under 30 s on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select

from bench.server_bench import _database, _seed
from bench.table import Table
from desktop_crm.domain.records import Entity
from desktop_crm.server import admin, db, tag_store, tags
from desktop_crm.server import models as m
from desktop_crm.server.timeutil import now

EXAMPLES = Path(__file__).resolve().parents[1] / "docs" / "examples" / "tag-rules.toml"
QUICK_SIZES = (2000,)
DEFAULT_SIZES = (100_000,)
TARGET_S = 30.0


def _progress(message: str) -> None:
    print(f"  … {message}", file=sys.stderr, flush=True)


@contextmanager
def _seeded(kind: str, accounts: int, postgres_url: str | None, out_dir: Path) -> Iterator[str]:
    """A seeded database. SQLite's is kept in ``out_dir`` and reused by the next run (seeding
    a million records takes minutes on a busy machine); its tags are cleared first."""
    if kind != "sqlite":
        with _database(kind, postgres_url) as url:
            _progress(f"{kind}: seeding {accounts:,} accounts with children")
            _seed(url, accounts, "default", seed=3)
            yield url
        return
    path = out_dir / f"tags-{accounts}.db"
    url = db.sqlite_url(path)
    if not path.exists():
        _progress(f"{kind}: seeding {accounts:,} accounts with children (kept in {path})")
        _seed(url, accounts, "default", seed=3)
    yield url


def _bench_one(
    kind: str, accounts: int, postgres_url: str | None, out_dir: Path
) -> dict[str, Any]:
    with _seeded(kind, accounts, postgres_url, out_dir) as url:
        engine = db.make_engine(url)
        db.migrate(engine)
        try:
            with engine.connect() as conn, db.write_transaction(conn):
                conn.execute(delete(m.account_tags))
                tag_store.save_rules(conn, admin.read_tag_rules(EXAMPLES))
                records = int(conn.scalar(select(func.count()).select_from(m.records)) or 0)
            _progress(f"{kind}: first pass")
            started, cpu = time.perf_counter(), time.process_time()
            first = tags.evaluate_all(engine)
            first_s = time.perf_counter() - started
            first_cpu = time.process_time() - cpu
            _progress(f"{kind}: a day later")
            started, cpu = time.perf_counter(), time.process_time()
            again = tags.evaluate_all(engine, at=now() + timedelta(days=1))
            again_s = time.perf_counter() - started
            again_cpu = time.process_time() - cpu
            with engine.connect() as conn:
                ids = list(
                    conn.scalars(
                        select(m.records.c.id)
                        .where(m.records.c.entity == Entity.ACCOUNT.value)
                        .limit(500)
                    )
                )
            started = time.perf_counter()
            with engine.connect() as conn, db.write_transaction(conn):
                tags.refresh(conn, ids, at=now() + timedelta(days=2))
            push_s = time.perf_counter() - started
        finally:
            engine.dispose()
    return {
        "records": records,
        "first_s": first_s,
        "first_cpu": first_cpu,
        "again_cpu": again_cpu,
        "first_changed": first.changed,
        "again_s": again_s,
        "again_changed": again.changed,
        "push_s": push_s,
        "tagged": first.tagged,
    }


def run(
    sizes: tuple[int, ...] | None = None, out_dir: Path | None = None, quick: bool = False
) -> list[Table]:
    chosen = sizes or (QUICK_SIZES if quick else DEFAULT_SIZES)
    postgres_url = os.environ.get("DESKTOP_CRM_TEST_POSTGRES_URL")
    kinds = ["sqlite", "postgresql"] if postgres_url else ["sqlite"]
    folder = out_dir or Path(__file__).resolve().parent / "out"
    folder.mkdir(parents=True, exist_ok=True)
    return [
        _table(n, {k: _bench_one(k, n, postgres_url, folder) for k in kinds}) for n in chosen
    ]


def _table(accounts: int, results: dict[str, dict[str, Any]]) -> Table:
    names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
    table = Table(
        f"Tag rules: the 4 example rules over {accounts:,} accounts with their children",
        ["metric", "unit", *(names[k] for k in results)],
    )
    pick = list(results.values())
    table.add("records on the server", "", *(r["records"] for r in pick))
    table.add("scheduled pass, first (all rows written)", "s", *(r["first_s"] for r in pick))
    table.add("  CPU time of this process", "s", *(r["first_cpu"] for r in pick))
    table.add("  accounts per second", "acc/s", *(accounts / r["first_s"] for r in pick))
    table.add("scheduled pass, a day later", "s", *(r["again_s"] for r in pick))
    table.add("  CPU time of this process", "s", *(r["again_cpu"] for r in pick))
    table.add("  rows changed", "", *(r["again_changed"] for r in pick))
    table.add("push re-evaluation, 500 accounts", "ms", *(r["push_s"] * 1000 for r in pick))
    table.notes.append(f"target: the pass over 100,000 accounts < {TARGET_S:.0f} s")
    for kind, r in results.items():
        tagged = ", ".join(f"{k} {v:,}" for k, v in sorted(r["tagged"].items()))
        table.notes.append(f"{names[kind]}: tagged {tagged}")
    table.notes.append(
        f"load average when done: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; the CPU "
        "time (SQLite works in this process) is what the pass costs an idle machine"
    )
    return table


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--accounts", type=int, default=DEFAULT_SIZES[0])
    args = parser.parse_args(argv)
    for table in run((args.accounts,)):
        print(table.render())


if __name__ == "__main__":
    main()

"""Server benchmark: feed and push throughput over a real uvicorn on loopback.

    python -m bench.server_bench                      # SQLite, 2000 accounts with children
    python -m bench.server_bench --db both --accounts 100000 --children none
    python -m bench --only server [--sizes 2000,100000] [--quick]

Under ``python -m bench`` the sizes are account counts (default 2000; 500 with ``--quick``);
above 20,000 accounts the accounts come without children. Both databases run when
DESKTOP_CRM_TEST_POSTGRES_URL is set, else SQLite only.

PostgreSQL runs when DESKTOP_CRM_TEST_POSTGRES_URL (or --postgres-url) is set; each run uses
a scratch schema that is dropped afterwards. The server runs as a separate process
(``desktop-crm-server serve``) so client and server do not share a GIL.

Measures, for a rep whose scope is every generated account:
- first sync: paging through /sync/snapshot (gzip), records/s;
- push: batches of MAX_PUSH_BATCH new activities, changes/s;
- incremental pull of those changes from the snapshot cursor, records/s;
- empty incremental pulls from 20 and 200 concurrent clients (p50, p95, pulls/s and the
  server's CPU per pull) with 1 and 2 server workers.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import httpx
from sqlalchemy import create_engine, text

from bench.http_load import get_load
from bench.server_process import running_server, server_process
from desktop_crm.domain import demo_data
from desktop_crm.protocol.messages import MAX_PUSH_BATCH, Role
from desktop_crm.server import bulk, db, directory

if TYPE_CHECKING:
    from bench.table import Table

CHILDREN: dict[str, dict[str, Any]] = {
    "default": {},
    "none": {
        "contacts_per_account": (0, 0),
        "opportunities_per_account": (0, 0),
        "activities_per_account": (0, 0),
    },
}


@contextmanager
def _database(kind: str, postgres_url: str | None) -> Iterator[str]:
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            yield db.sqlite_url(Path(tmp) / "bench.db")
        return
    if not postgres_url:
        raise SystemExit("PostgreSQL needs --postgres-url or DESKTOP_CRM_TEST_POSTGRES_URL")
    schema = "bench_" + uuid.uuid4().hex[:12]
    admin = create_engine(postgres_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in postgres_url else "?"
    try:
        yield f"{postgres_url}{sep}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _seed(url: str, accounts: int, children: str, seed: int) -> int:
    engine = db.make_engine(url)
    db.migrate(engine)
    with engine.connect() as conn, db.write_transaction(conn):
        rep = directory.create_user(conn, "rep1", "pw", Role.REP, "server")
        records = demo_data.generate(
            seed=seed, accounts=accounts, owner_ids=[rep], **CHILDREN[children]
        )
        count = bulk.load_records(conn, records, "server")
    if url.startswith("postgresql"):
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))
    engine.dispose()
    return count


def _login(http: httpx.Client) -> dict[str, str]:
    return _sign_in(http)[0]


def _sign_in(http: httpx.Client) -> tuple[dict[str, str], str]:
    """The bearer header and the device's replica id (a device may raise only its own entry
    of a version vector: the server rejects other entries)."""
    response = http.post("/auth/login", json={"username": "rep1", "password": "pw"})
    response.raise_for_status()
    body = response.json()
    return {"Authorization": f"Bearer {body['access_token']}"}, str(body["replica_id"])


def _bench_one(kind: str, args: argparse.Namespace) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []

    def row(metric: str, value: float, unit: str, n: int | str = "", key: str = "") -> None:
        rows.append(
            {"db": kind, "metric": metric, "value": value, "unit": unit, "n": n, "key": key}
        )

    with _database(kind, args.postgres_url) as url:
        started = time.perf_counter()
        total = _seed(url, args.accounts, args.children, args.seed)
        row("bulk load (server side)", total / (time.perf_counter() - started), "records/s", total)
        with (
            server_process(url, 1) as base,
            httpx.Client(base_url=base, timeout=120) as http,
        ):
            bearer, replica_id = _sign_in(http)
            headers = {**bearer, "Accept-Encoding": "gzip"}
            # First sync: the whole scope through the snapshot.
            started = time.perf_counter()
            after, got, cursor = None, 0, ""
            while True:
                params: dict[str, Any] = {"limit": args.page}
                if after:
                    params["after"] = after
                page = http.get("/sync/snapshot", params=params, headers=headers).json()
                got += len(page["records"])
                after, cursor = page["next_page"], page["cursor"]
                if after is None:
                    break
            row("snapshot (first sync)", got / (time.perf_counter() - started), "records/s", got)

            # Push: new activities on the first accounts, full batches.
            account_ids = [
                r["id"]
                for r in http.get("/sync/snapshot", params={"limit": 200}, headers=headers).json()[
                    "records"
                ]
                if r["entity"] == "account"
            ]
            changes = [
                {
                    "change_id": str(uuid.uuid4()),
                    "entity": "activity",
                    "record_id": str(uuid.uuid4()),
                    "base_version": {},
                    "new_version": {replica_id: 1},
                    "changed_fields": ["account_id", "kind", "start_at", "summary"],
                    "data": {
                        "account_id": account_ids[i % len(account_ids)],
                        "kind": "call",
                        "start_at": "2030-01-01T09:00:00+00:00",
                        "summary": f"bench call {i}",
                    },
                }
                for i in range(args.push)
            ]
            started = time.perf_counter()
            for i in range(0, len(changes), MAX_PUSH_BATCH):
                response = http.post(
                    "/sync/push", json={"changes": changes[i : i + MAX_PUSH_BATCH]}, headers=headers
                )
                response.raise_for_status()
                refused = [r for r in response.json()["results"] if r["status"] != "applied"]
                if refused:
                    raise RuntimeError(f"push refused: {refused[0]}")
            row("push", len(changes) / (time.perf_counter() - started), "changes/s", len(changes))

            # Incremental pull of everything pushed since the snapshot.
            started = time.perf_counter()
            pulled = 0
            while True:
                page = http.get(
                    "/sync/pull", params={"cursor": cursor, "limit": 5000}, headers=headers
                ).json()
                pulled += len(page["records"])
                cursor = page["cursor"]
                if not page["has_more"]:
                    break
            row("incremental pull", pulled / (time.perf_counter() - started), "records/s", pulled)

        for workers in args.workers:
            _empty_pulls(kind, url, workers, args, cursor, row)
    return rows


def _empty_pulls(
    kind: str, url: str, workers: int, args: argparse.Namespace, cursor: str, row: Any
) -> None:
    """Empty incremental pulls (the cursor is the head) from many clients at once, each a
    keep-alive connection pulling back to back: the harshest steady load a fleet of idle
    clients can make (real clients pull every few seconds)."""
    with running_server(url, workers) as server, httpx.Client(base_url=server.base) as http:
        headers = _login(http)
        target = f"/sync/pull?cursor={cursor}"
        get_load(server.base, target, headers, 4, 25)  # warm every worker's pool
        for clients in args.clients:
            per_client = max(args.pulls * 20 // clients, 5)
            cpu = server.cpu_seconds()
            result = get_load(server.base, target, headers, clients, per_client)
            cpu_ms = (server.cpu_seconds() - cpu) / len(result.latencies) * 1000
            if result.failures:
                raise RuntimeError(f"{result.failures} empty pulls failed")
            n = len(result.latencies)
            where = f"{clients} clients, {workers} worker(s)"
            row(f"empty pull p50, {where}", result.p50_ms, "ms", n)
            keyed = f"{kind}.c{clients}.w{workers}"
            row(f"empty pull p95, {where}", result.p95_ms, "ms", n, f"empty_pull.p95_ms.{keyed}")
            row(
                f"empty pulls/s, {where}",
                result.per_second,
                "requests/s",
                n,
                f"empty_pull.per_s.{keyed}",
            )
            row(
                f"server CPU per empty pull, {where}", cpu_ms, "ms", n, f"empty_pull.cpu_ms.{keyed}"
            )


def run_rows(args: argparse.Namespace) -> list[dict[str, Any]]:
    """Run the benchmark for ``args`` (as from :func:`parse_args`); one dict per figure."""
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    rows: list[dict[str, Any]] = []
    for kind in kinds:
        rows += _bench_one(kind, args)
    return rows


DB_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
QUICK_SIZES = (500,)
DEFAULT_SIZES = (2000,)
#: Above this many accounts, ``python -m bench`` generates accounts without children.
CHILDREN_UP_TO = 20_000


def table(rows: list[dict[str, Any]], args: argparse.Namespace) -> Table:
    """The figures as a :class:`bench.table.Table`: one row per metric, one column per db."""
    if __package__ in (None, ""):  # run as a script: make ``bench`` importable
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench.table import Table

    kinds = list(dict.fromkeys(r["db"] for r in rows))
    result = Table(
        f"Server over HTTP: {args.accounts:,} accounts, children {args.children}",
        ["metric", "unit", *(DB_NAMES.get(k, k) for k in kinds), "n"],
    )
    for r in rows:
        if r["key"]:
            result.figure(f"server.{r['key']}", float(r["value"]), args.accounts)
    headline = "server.empty_pull.p95_ms.sqlite.c20.w1"  # the row: 20 clients, 1 worker
    if headline in result.figures:
        result.figure("server.empty_pull.p95_ms", result.figures[headline], args.accounts)
    for metric in dict.fromkeys(r["metric"] for r in rows):
        mine = {r["db"]: r for r in rows if r["metric"] == metric}
        first = next(iter(mine.values()))
        values = [float(mine[k]["value"]) if k in mine else "" for k in kinds]
        result.add(metric, first["unit"], *values, first["n"])
    result.notes.append(
        f"push: batches of {MAX_PUSH_BATCH}; snapshot, push and pull: 1 worker; empty pulls: "
        f"each client a keep-alive connection pulling back to back (bench/http_load.py), "
        f"{args.pulls * 20} pulls per row; server is a separate uvicorn process on loopback"
    )
    return result


def run(sizes: tuple[int, ...] | None = None, quick: bool = False) -> list[Table]:
    """The ``python -m bench`` entry point: one table per size (accounts)."""
    chosen = sizes or (QUICK_SIZES if quick else DEFAULT_SIZES)
    tables = []
    for accounts in chosen:
        argv = ["--accounts", str(accounts)]
        if accounts > CHILDREN_UP_TO:
            argv += ["--children", "none"]
        if os.environ.get("DESKTOP_CRM_TEST_POSTGRES_URL"):
            argv += ["--db", "both"]
        if quick:
            argv += ["--push", "500", "--pulls", "10"]
        args = parse_args(argv)
        tables.append(table(run_rows(args), args))
    return tables


def _ints(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(",") if part)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="sqlite")
    parser.add_argument("--postgres-url", default=os.environ.get("DESKTOP_CRM_TEST_POSTGRES_URL"))
    parser.add_argument("--accounts", type=int, default=2000)
    parser.add_argument("--children", choices=sorted(CHILDREN), default="default")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--page", type=int, default=5000, help="snapshot page size")
    parser.add_argument("--push", type=int, default=2000, help="changes to push")
    parser.add_argument(
        "--clients", type=_ints, default=(20, 200), help="concurrent clients, e.g. 20,200"
    )
    parser.add_argument("--pulls", type=int, default=25, help="empty pulls per client (at 20)")
    parser.add_argument(
        "--workers", type=_ints, default=(1, 2), help="server processes for the empty pulls"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    print(table(run_rows(args), args).render())


if __name__ == "__main__":
    main()

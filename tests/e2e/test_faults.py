"""Faults on real sockets: connections cut mid-request and mid-response by a TCP proxy, the
server restarted during a push, and the client process SIGKILLed during its first sync and
during a push. Afterwards the replica is sound, resumes, and agrees with the server; nothing
is lost and nothing is applied twice."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from desktop_crm.domain.records import Activity
from desktop_crm.server import models as m
from desktop_crm.storage import bulk_phase
from desktop_crm.storage import records_store as store
from desktop_crm.storage import sync_bookkeeping as book
from desktop_crm.storage.engine import connect
from desktop_crm.storage.keys import Passphrase
from desktop_crm.storage.replica import open_replica
from desktop_crm.sync.engine import SyncEngine
from desktop_crm.sync.http_client import Offline
from desktop_crm.sync.progress import Phase
from tests.e2e.conftest import (
    BOTH_DATABASES,
    PASSPHRASE,
    ROOT,
    ClientProfile,
    CuttingProxy,
    E2EServer,
    child_env,
    wait_health,
)
from tests.sync.harness import assert_replica_matches_server, server_records


def _record_log_entries(server: E2EServer) -> Counter[str]:
    """How many change-log entries each record has (an edit applied twice shows as two)."""
    with server.engine.connect() as conn:
        rows = conn.execute(
            select(m.change_log.c.record_id).where(m.change_log.c.kind == "record")
        ).all()
    return Counter(r[0] for r in rows)


def _log_calls(p: ClientProfile, account_id: str, n: int, tag: str) -> list[str]:
    assert p.replica is not None and p.engine is not None
    user_id = p.profile.load_settings().user_id
    ids = []
    with p.replica.engine.begin() as conn:
        for i in range(n):
            call = Activity(
                account_id=account_id,
                kind="call",
                start_at=datetime(2026, 2, 1, tzinfo=UTC) + timedelta(minutes=i),
                summary=f"{tag} {i}",
            )
            store.save_local(conn, call, p.engine.replica_id, user_id)
            ids.append(call.meta.id)
    return ids


def _open_with_retries(p: ClientProfile, **options: object) -> SyncEngine:
    for _ in range(40):
        try:
            return p.open(**options)  # type: ignore[arg-type]
        except Offline:
            continue
    raise AssertionError("could not sign in through the proxy")


def _sync_with_retries(engine: SyncEngine, attempts: int = 80) -> int:
    failures = 0
    for _ in range(attempts):
        try:
            engine.sync_once()
            return failures
        except Offline:
            failures += 1
    raise AssertionError(f"no successful sync in {attempts} attempts")


@pytest.mark.parametrize("seed", [1, 2])
@BOTH_DATABASES
def test_proxy_cutting_connections_mid_request_and_mid_response(
    e2e_server: E2EServer, profiles: list[ClientProfile], tmp_path: Path, seed: int
) -> None:
    e2e_server.seed_accounts("rep1", 20, seed=seed)
    with CuttingProxy(e2e_server.live.port, seed=seed, max_offset=4000) as proxy:
        p = ClientProfile(tmp_path / "rep1", proxy.url, "rep1")
        profiles.append(p)
        engine = _open_with_retries(p, snapshot_limit=25, push_batch=15)
        _sync_with_retries(engine)
        acc1 = e2e_server.world.accounts["acc1"]
        calls = _log_calls(p, acc1, 60, "through the proxy")
        failures = _sync_with_retries(engine)
        _sync_with_retries(engine)
        cuts = {c.split("@")[0] for c in proxy.cuts}
    assert cuts == {"request", "response"}, proxy.cuts
    on_server = server_records(e2e_server.engine)
    assert all(("activity", c) in on_server for c in calls)
    entries = _record_log_entries(e2e_server)
    assert all(entries[c] == 1 for c in calls), "a change was applied twice"
    assert p.replica is not None
    assert p.replica.integrity_check() == []
    owned = {acc1} | {
        k[1]
        for k, r in on_server.items()
        if k[0] == "account" and r["data"]["owner_id"] == e2e_server.world.users["rep1"]
    }
    assert_replica_matches_server(p.replica, e2e_server.engine, owned)
    assert failures >= 0


@BOTH_DATABASES
def test_server_restart_during_push(
    e2e_server: E2EServer, profiles: list[ClientProfile], tmp_path: Path
) -> None:
    p = ClientProfile(tmp_path / "rep1", e2e_server.url, "rep1")
    profiles.append(p)
    engine = p.open(push_batch=10)
    engine.sync_once()
    acc1 = e2e_server.world.accounts["acc1"]
    calls = _log_calls(p, acc1, 400, "before the restart")
    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            engine.sync_once()
            outcome.append(None)
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            outcome.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    deadline = time.monotonic() + 30
    while p.progress.snapshot.phase is not Phase.PUSHING or p.progress.snapshot.done < 30:
        assert time.monotonic() < deadline and thread.is_alive(), "push never started"
        time.sleep(0.002)
    e2e_server.live.stop()
    thread.join(timeout=60)
    assert outcome and isinstance(outcome[0], Offline), outcome
    assert p.replica is not None
    with p.replica.engine.connect() as conn:
        left = book.outbox_count(conn)
    assert 0 < left < 400
    e2e_server.live.start()  # same port, same database
    wait_health(e2e_server.url)
    engine.sync_once()
    on_server = server_records(e2e_server.engine)
    assert all(("activity", c) in on_server for c in calls)
    entries = _record_log_entries(e2e_server)
    assert all(entries[c] == 1 for c in calls)
    assert p.replica.integrity_check() == []
    assert_replica_matches_server(p.replica, e2e_server.engine, {acc1})


def _driver(profile: Path, server: E2EServer, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.e2e.driver",
            str(profile),
            server.url,
            "rep1",
            "pw-rep1",
            *extra,
        ],  # fmt: skip
        env=child_env(),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _kill_after_start(proc: subprocess.Popen[str], delay: float) -> bool:
    """Wait for SYNCING, sleep ``delay``, SIGKILL. True if it was killed mid-run."""
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.strip() == "SYNCING", (line, proc.stderr.read() if proc.stderr else "")
    time.sleep(delay)
    killed = proc.poll() is None
    if killed:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    return killed


def _bulk_phase_left(profile: Path) -> bool:
    """Whether the killed process left deferred indexes unbuilt (read-only: nothing changes)."""
    conn = connect(profile / "replica.db", Passphrase(PASSPHRASE), mode="ro")
    try:
        row = conn.execute(
            "SELECT 1 FROM sync_state WHERE key = ?", (bulk_phase.BULK_PHASE_KEY,)
        ).fetchone()
    finally:
        conn.close()
    return row is not None


def _check_replica(profile: Path) -> None:
    replica = open_replica(profile / "replica.db", Passphrase(PASSPHRASE))
    try:
        assert replica.integrity_check() == []
        # A first sync killed in its bulk phase: opening built the indexes it had deferred.
        with replica.engine.connect() as conn:
            assert bulk_phase.pending(conn) == {}
            indexes = {
                str(r[0])
                for r in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type='index'")
            }
            # ... and filled the name map it had left for its end, its own triggers gone.
            mapped = conn.exec_driver_sql(
                "SELECT entity, record_id, fts_rowid FROM name_index_rows ORDER BY 1, 2"
            ).all()
            indexed = conn.exec_driver_sql(
                "SELECT entity, record_id, rowid FROM name_index ORDER BY 1, 2"
            ).all()
            triggers = {
                str(r[0])
                for r in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type='trigger'")
            }
        assert set(bulk_phase.DEFERRED_INDEXES) <= indexes
        assert mapped == indexed
        assert not triggers & set(bulk_phase.NAME_ROWS_TRIGGERS)
    finally:
        replica.close()


#: Calls logged offline before the killed pushes: enough that a push outlasts the kill delays.
OFFLINE_CALLS = 450


@pytest.mark.slow
def test_sigkill_during_first_sync_and_push(e2e_server: E2EServer, tmp_path: Path) -> None:
    rng = random.Random(20260314)
    # Enough data that each run lasts well past the longest delay below, on a fast machine too.
    e2e_server.seed_accounts("rep1", 240, seed=3)
    profile = tmp_path / "killed"
    killed = 0
    # First sync, killed at random moments (small pages: many commits to land between).
    in_bulk_phase = 0
    for _ in range(3):
        proc = _driver(profile, e2e_server, "--snapshot-limit", "40")
        killed += _kill_after_start(proc, rng.uniform(0.02, 0.5))
        in_bulk_phase += _bulk_phase_left(profile)
        _check_replica(profile)
    assert in_bulk_phase >= 1, "no kill landed in the first sync's bulk phase"
    finish = _driver(profile, e2e_server, "--snapshot-limit", "40")
    out, err = finish.communicate(timeout=120)
    assert finish.returncode == 0, (out, err)

    acc1 = e2e_server.world.accounts["acc1"]
    logged = str(OFFLINE_CALLS)
    setup = _driver(profile, e2e_server, "--log-calls", logged, "--account", acc1, "--no-sync")
    assert setup.wait(timeout=60) == 0
    for _ in range(3):
        proc = _driver(profile, e2e_server, "--push-batch", "5")
        killed += _kill_after_start(proc, rng.uniform(0.02, 0.5))
        _check_replica(profile)
    finish = _driver(profile, e2e_server, "--push-batch", "5")
    out, err = finish.communicate(timeout=120)
    assert finish.returncode == 0, (out, err)
    assert killed >= 3, "the kills landed after the runs finished: nothing was tested"

    replica = open_replica(profile / "replica.db", Passphrase(PASSPHRASE))
    try:
        with replica.engine.connect() as conn:
            assert book.outbox_count(conn) == 0 and book.sync_issue_count(conn) == 0
        on_server = server_records(e2e_server.engine)
        calls = [
            k[1] for k, r in on_server.items()
            if k[0] == "activity" and str(r["data"].get("summary", "")).startswith("offline call")
        ]  # fmt: skip
        assert len(calls) == OFFLINE_CALLS, "lost or doubled calls"
        entries = _record_log_entries(e2e_server)
        assert all(entries[c] == 1 for c in calls), "a change was applied twice"
        scope = {
            k[1] for k, r in on_server.items()
            if k[0] == "account" and r["data"]["owner_id"] == e2e_server.world.users["rep1"]
        }  # fmt: skip
        assert_replica_matches_server(replica, e2e_server.engine, scope)
        assert replica.integrity_check() == []
    finally:
        replica.close()

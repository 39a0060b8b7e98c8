"""Issue 14, item 1 end to end: ``desktop-crm sync`` against a real server that serves a record
stored before the vector rules (a lone-surrogate key) finishes with exit 1 (a sync issue waits),
not 6, and prints no customer data; once ``admin repair-records`` ran, the next sync takes the
repaired copy and exits 0. SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from desktop_crm.server import admin
from tests.e2e.conftest import BOTH_DATABASES, E2EServer, run_cli
from tests.sync.test_unreadable_records import store_unreadable_contact


@BOTH_DATABASES
def test_sync_goes_on_past_an_unreadable_record(e2e_server: E2EServer, tmp_path: Path) -> None:
    password = e2e_server.password_file("rep1")
    sync = [
        "sync", "--profile", str(tmp_path / "p"), "--server", e2e_server.url,
        "--user", "rep1", "--password-file", str(password),
    ]  # fmt: skip
    store_unreadable_contact(e2e_server.engine, e2e_server.world.contacts["acc1"])

    parked = run_cli(*sync)
    assert parked.returncode == 1, (parked.stdout, parked.stderr)
    assert "Traceback" not in parked.stderr
    assert "Wang" not in parked.stdout + parked.stderr  # no customer data printed

    report = admin.repair_records(e2e_server.engine)
    assert [(r.entity, r.id) for r in report.repaired] == [
        ("contact", e2e_server.world.contacts["acc1"])
    ]
    repaired = run_cli(*sync)
    assert repaired.returncode == 0, (repaired.stdout, repaired.stderr)

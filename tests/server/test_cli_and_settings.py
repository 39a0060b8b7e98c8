"""The admin CLI, settings and migrations."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from desktop_crm.domain.records import DEFAULT_ACCOUNT_STATUSES, DEFAULT_PIPELINE
from desktop_crm.server import cli, config_store, db
from desktop_crm.server import models as m
from desktop_crm.server.cli import main
from desktop_crm.server.settings import Settings, SettingsError, parse_masked_fields


def test_migrations_match_the_models_and_are_idempotent(engine: Engine) -> None:
    db.migrate(engine)  # a second run is a no-op
    assert db.current_revision(engine) == db.head_revision() == "0013"
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), m.metadata)
        assert diff == []
        assert config_store.load_stages(conn) == list(DEFAULT_PIPELINE)
        assert config_store.load_statuses(conn) == list(DEFAULT_ACCOUNT_STATUSES)


@pytest.mark.parametrize("secret", ["", "changeme", "secret", "short-but-not-default"])
def test_settings_refuse_weak_secrets(tmp_path: Path, secret: str) -> None:
    with pytest.raises(SettingsError):
        Settings(database_url="sqlite://", secret_key=secret, data_dir=tmp_path)
    with pytest.raises(SettingsError):
        Settings.load(data_dir=tmp_path, environ={"DESKTOP_CRM_SERVER_SECRET": secret})


def test_demo_mode_mints_and_keeps_a_secret(tmp_path: Path) -> None:
    first = Settings.load(data_dir=tmp_path, demo_mode=True, environ={})
    again = Settings.load(data_dir=tmp_path, environ={"DESKTOP_CRM_SERVER_DEMO": "1"})
    assert len(first.secret_key) >= 32 and first.secret_key == again.secret_key
    assert first.database_url.endswith("server.db")
    assert (tmp_path / "demo-secret.key").stat().st_mode & 0o077 == 0


def test_masked_fields_setting() -> None:
    assert ("contact", "emails") in parse_masked_fields("contact.emails, account.notes")
    for bad in ("invoice.total", "contact.shoe_size"):
        with pytest.raises(SettingsError):
            parse_masked_fields(bad)


def test_gzip_level_setting(tmp_path: Path) -> None:
    env = {"DESKTOP_CRM_SERVER_SECRET": "s" * 40}
    assert Settings.load(data_dir=tmp_path, environ=env).gzip_level == 1
    tuned = Settings.load(data_dir=tmp_path, environ={**env, "DESKTOP_CRM_SERVER_GZIP_LEVEL": "6"})
    assert tuned.gzip_level == 6
    for bad in ("0", "10", "fast"):
        with pytest.raises(SettingsError):
            Settings.load(data_dir=tmp_path, environ={**env, "DESKTOP_CRM_SERVER_GZIP_LEVEL": bad})


def _run(url: str, *args: str) -> int:
    return main(
        [*args[:2], "--database", url, *args[2:]]
        if args[0] == "admin"
        else [args[0], "--database", url, *args[1:]]
    )


def test_admin_commands(
    server_db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = server_db_url
    pw = tmp_path / "password.txt"
    pw.write_text("long enough pw\n", encoding="utf-8")
    assert _run(url, "migrate") == 0
    assert _run(url, "admin", "create-team", "North") == 0
    assert (
        _run(
            url,
            "admin",
            "create-user",
            "alice",
            "--role",
            "rep",
            "--team",
            "North",
            "--password-file",
            str(pw),
        )
        == 0
    )
    assert (
        _run(url, "admin", "create-user", "bob", "--role", "rep", "--password-file", str(pw)) == 0
    )
    assert (
        _run(url, "admin", "create-user", "alice", "--role", "rep", "--password-file", str(pw)) == 2
    )
    assert "already exists" in capsys.readouterr().err
    assert _run(url, "admin", "set-role", "bob", "manager") == 0
    assert _run(url, "admin", "set-team", "bob", "North") == 0
    accounts = tmp_path / "accounts.csv"
    accounts.write_text(
        "id,name,country,owner,tags\n"
        "a1,Acme Ltd,CN,alice,vip;key\n"
        ",,CN,alice,\n"  # line 3: no name
        "a3,Beta GmbH,Germany,alice,\n"  # line 4: bad country code
        "a4,Gamma,US,nobody,\n",  # line 5: unknown owner
        encoding="utf-8",
    )
    assert _run(url, "admin", "import-csv", "account", str(accounts)) == 1
    out = capsys.readouterr().out
    assert "imported 1 account record(s); rejected 3" in out
    assert "line 3:" in out and "line 4:" in out and "country" in out and "line 5:" in out
    contacts = tmp_path / "contacts.csv"
    contacts.write_text(
        "account_id,name,phones,emails\n"
        "a1,Zhang Wei,138 0013 8000,zw@example.com\n"
        "a1,Bad Phone,12,\n",
        encoding="utf-8",
    )
    assert _run(url, "admin", "import-csv", "contact", str(contacts), "--dry-run") == 1
    assert "would import 1" in capsys.readouterr().out
    engine = db.make_engine(url)
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(m.records)) == 1  # dry run: nothing
    assert _run(url, "admin", "import-csv", "contact", str(contacts)) == 1
    assert _run(url, "admin", "assign", "bob", "a1") == 0
    assert _run(url, "admin", "reassign", "--from", "bob", "--to", "alice") == 0
    assert "moved 1 account(s)" in capsys.readouterr().out
    stages = tmp_path / "stages.json"
    stages.write_text(
        json.dumps(
            [
                {"key": "new", "name": "New", "default_probability": 5},
                {
                    "key": "done",
                    "name": "Done",
                    "default_probability": 100,
                    "is_closed": True,
                    "is_won": True,
                },
            ]
        )
    )
    assert _run(url, "admin", "set-stages", str(stages)) == 0
    statuses = tmp_path / "statuses.json"
    statuses.write_text(json.dumps([{"key": "live", "name": "Live"}]))
    assert _run(url, "admin", "set-statuses", str(statuses)) == 0
    stages.write_text("[1, 2]")
    assert _run(url, "admin", "set-stages", str(stages)) == 2
    with engine.connect() as conn:
        assert [s.key for s in config_store.load_stages(conn)] == ["new", "done"]
        owner = conn.scalar(select(m.account_assignments.c.user_id))
        alice = conn.scalar(select(m.users.c.id).where(m.users.c.username == "alice"))
        assert owner == alice
    engine.dispose()
    assert _run(url, "admin", "list-devices") == 0
    assert "no devices" in capsys.readouterr().out
    assert _run(url, "admin", "revoke-device", "nope") == 2


def test_demo_data(server_db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo-data", "--database", server_db_url, "--accounts", "20", "--demo"]) == 0
    assert "rep1" in capsys.readouterr().out
    assert main(["demo-data", "--database", server_db_url, "--accounts", "20", "--demo"]) == 2
    engine = db.make_engine(server_db_url)
    with engine.connect() as conn:
        count = conn.scalar(select(func.count()).select_from(m.records))
        seqs = conn.scalar(select(func.count(func.distinct(m.records.c.change_seq))))
        assignments = conn.scalar(select(func.count()).select_from(m.account_assignments))
    assert count and count == seqs
    assert assignments == 20
    # New changes after a bulk load continue the sequence.
    with engine.connect() as conn, db.write_transaction(conn):
        from desktop_crm.server.store import allocate_seq

        assert (
            allocate_seq(conn, kind="x", entity="x", record_id="x", account_id="x", actor_id="t")
            == count + 1
        )
    engine.dispose()
    assert (
        main(["demo-data", "--database", "sqlite:///" + "/nonexistent/dir/x.db", "--accounts", "1"])
        != 0
    )


def test_worker_processes_build_the_app_from_the_environment(
    server_db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``serve --workers N`` migrates once, then each worker process calls ``worker_app``."""
    assert main(["migrate", "--database", server_db_url]) == 0
    monkeypatch.setenv("DESKTOP_CRM_SERVER_SECRET", "worker-secret-" + "w" * 40)
    monkeypatch.setenv(
        cli.WORKER_SETTINGS_ENV,
        json.dumps({"database_url": server_db_url, "data_dir": str(tmp_path), "demo_mode": False}),
    )
    app = cli.worker_app()
    with TestClient(app) as client:
        health = client.get("/health").json()
    assert health["status"] == "ok" and health["schema_revision"] == db.head_revision()
    assert main(["serve", "--database", server_db_url, "--workers", "0"]) == 2


@pytest.mark.parametrize(("flag", "logged"), [([], True), (["--no-access-log"], False)])
def test_serve_can_leave_out_the_access_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, flag: list[str], logged: bool
) -> None:
    import uvicorn

    given: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda _app, **options: given.update(options))
    url = db.sqlite_url(tmp_path / "server.db")
    assert main(["serve", "--database", url, "--demo", *flag]) == 0
    assert given["access_log"] is logged

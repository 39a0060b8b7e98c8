"""Issue 14, item 5: access that ends. A password change, a disable and a device revocation
end the user's existing tokens at once; the password policy; ``--password-file``. Over HTTP
against a real uvicorn, on SQLite and PostgreSQL; the admin commands run as
``desktop-crm-server admin …`` would (``cli.main``) against the same database."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, insert, select, text

from desktop_crm.server import auth, db
from desktop_crm.server import models as m
from desktop_crm.server.app import create_app
from desktop_crm.server.cli import main
from desktop_crm.server.settings import Settings
from desktop_crm.server.timeutil import iso, now
from tests.server.conftest import SECRET, World
from tests.server.test_live_server import LiveServer

NEW_PASSWORD = "a much better password"


@pytest.fixture
def http(world: World) -> Iterator[httpx.Client]:
    with LiveServer(world.client.app) as server, httpx.Client(base_url=server.url) as client:
        yield client


def _login(http: httpx.Client, username: str, password: str | None = None) -> httpx.Response:
    return http.post(
        "/auth/login", json={"username": username, "password": password or "pw-" + username}
    )


def _bearer(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _admin(settings: Settings, *args: str) -> int:
    return main(["admin", args[0], "--database", settings.database_url, *args[1:]])


def _password_file(tmp_path: Path, password: str) -> str:
    path = tmp_path / f"password-{uuid.uuid4().hex[:8]}.txt"
    path.write_text(password + "\n", encoding="utf-8")
    return str(path)


def test_a_password_change_ends_existing_tokens_at_once(
    world: World, http: httpx.Client, settings: Settings, tmp_path: Path
) -> None:
    signed_in = _bearer(_login(http, "rep1"))
    assert http.get("/sync/pull", headers=signed_in).status_code == 200
    new = _password_file(tmp_path, NEW_PASSWORD)
    assert _admin(settings, "set-password", "rep1", "--password-file", new) == 0

    for old in (signed_in, world.h("rep1")):  # a token from sign-in, and one minted earlier
        for response in (http.get("/sync/pull", headers=old), http.get("/me", headers=old)):
            assert response.status_code == 401, response.text
            assert "Sign in again" in response.json()["detail"]
    assert _login(http, "rep1").status_code == 401  # the old password is gone too
    fresh = _bearer(_login(http, "rep1", NEW_PASSWORD))
    assert http.get("/me", headers=fresh).json()["username"] == "rep1"
    # Nobody else was signed out.
    assert http.get("/me", headers=world.h("rep2")).status_code == 200


def test_disable_refuses_tokens_and_sign_in_and_enable_needs_a_new_sign_in(
    world: World, http: httpx.Client, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    token = _bearer(_login(http, "rep2"))
    assert _admin(settings, "disable-user", "rep2") == 0
    assert "rep2 is now disabled" in capsys.readouterr().out

    for response in (
        http.get("/me", headers=token),
        http.get("/sync/pull", headers=token),
        http.post("/sync/push", json={"changes": []}, headers=world.h("rep2")),
        _login(http, "rep2"),
    ):
        assert response.status_code == 403, response.text
        assert "disabled" in response.json()["detail"]
    # A disabled user is out of the directory colleagues see.
    names = [u["username"] for u in http.get("/directory", headers=world.h("rep1")).json()["users"]]
    assert "rep2" not in names and "rep1" in names

    assert _admin(settings, "disable-user", "rep2") == 0
    assert "rep2 was already disabled" in capsys.readouterr().out
    assert _admin(settings, "enable-user", "rep2") == 0
    assert "rep2 is now enabled" in capsys.readouterr().out
    # Enabling again does not bring the old tokens back: the user signs in anew.
    assert http.get("/me", headers=token).status_code == 401
    assert http.get("/me", headers=_bearer(_login(http, "rep2"))).status_code == 200

    assert _admin(settings, "disable-user", "nobody") == 2
    assert "no user named" in capsys.readouterr().err


def test_a_device_revoked_from_the_command_line_is_refused_at_once(
    world: World, http: httpx.Client, settings: Settings
) -> None:
    token = _bearer(_login(http, "rep1"))
    device_id = http.get("/me", headers=token).json()["device_id"]
    assert _admin(settings, "revoke-device", device_id) == 0
    response = http.get("/sync/pull", headers=token)
    assert response.status_code == 403
    assert "revoked" in response.json()["detail"]
    assert http.get("/me", headers=world.h("rep1")).status_code == 200  # its other device


def test_the_password_policy_refuses_short_passwords_and_loses_nothing(
    world: World,
    http: httpx.Client,
    settings: Settings,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    short = _password_file(tmp_path, "1234567")
    assert _admin(settings, "create-user", "carol", "--role", "rep", "--password-file", short) == 2
    assert "at least 8 characters" in capsys.readouterr().err
    assert _login(http, "carol", "1234567").status_code == 401  # not created
    assert _admin(settings, "set-password", "rep1", "--password-file", short) == 2
    assert "at least 8 characters" in capsys.readouterr().err
    # The refused change changed nothing: the old password and tokens still work.
    assert http.get("/me", headers=world.h("rep1")).status_code == 200
    assert _login(http, "rep1").status_code == 200

    ok = _password_file(tmp_path, "12345678")
    assert _admin(settings, "create-user", "carol", "--role", "rep", "--password-file", ok) == 0
    assert _login(http, "carol", "12345678").status_code == 200


def test_passwords_never_on_the_command_line(
    http: httpx.Client,
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # --password is refused with a clear message, not read as an abbreviated --password-file.
    assert _admin(settings, "set-password", "rep1", "--password", NEW_PASSWORD) == 2
    assert "--password was removed" in capsys.readouterr().err
    assert _login(http, "rep1").status_code == 200
    assert _admin(settings, "set-password", "rep1", "--password-file", str(tmp_path / "no")) == 2
    assert "cannot read the password file" in capsys.readouterr().err
    # Standard input, and the environment variable, as before.
    monkeypatch.setattr("sys.stdin", io.StringIO(NEW_PASSWORD + "\n"))
    assert _admin(settings, "set-password", "rep1", "--password-file", "-") == 0
    assert _login(http, "rep1", NEW_PASSWORD).status_code == 200
    monkeypatch.setenv("DESKTOP_CRM_SERVER_NEW_PASSWORD", "from the environment")
    assert _admin(settings, "set-password", "rep1") == 0
    assert _login(http, "rep1", "from the environment").status_code == 200


def test_demo_users_keep_the_demo_password(server_db_url: str, tmp_path: Path) -> None:
    """Demo data is demo mode: its users' password "demo" is exempt from the policy; outside
    demo mode a password file is needed and the policy applies."""
    assert main(["demo-data", "--database", server_db_url, "--accounts", "3"]) == 2
    short = _password_file(tmp_path, "demo")
    args = ["demo-data", "--database", server_db_url, "--accounts", "3", "--password-file", short]
    assert main(args) == 2
    assert main(["demo-data", "--database", server_db_url, "--accounts", "3", "--demo"]) == 0
    settings = Settings(database_url=server_db_url, secret_key=SECRET, data_dir=tmp_path)
    engine = db.make_engine(server_db_url)
    try:
        app = create_app(settings, engine, run_migrations=False)
        with LiveServer(app) as server, httpx.Client(base_url=server.url) as http:
            token = _bearer(_login(http, "rep1", "demo"))
            assert http.get("/me", headers=token).json()["username"] == "rep1"
    finally:
        engine.dispose()


# Migration 0005 --------------------------------------------------------------------------------


@pytest.fixture
def bare_engine(server_db_url: str) -> Iterator[Engine]:
    engine = db.make_engine(server_db_url)
    yield engine
    engine.dispose()


def test_revision_0005_keeps_users_and_their_tokens(
    bare_engine: Engine, server_db_url: str, tmp_path: Path
) -> None:
    db.migrate(bare_engine, "0004")
    with bare_engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO users(id, username, password_hash, role, active, created_at)"
                " VALUES ('u1', 'old-timer', :hash, 'rep', :active, :at)"
            ),
            {"hash": auth.hash_password("pw-old-timer"), "active": True, "at": iso(now())},
        )
        conn.execute(
            insert(m.devices).values(
                id="d1", user_id="u1", replica_id="r-old", name="laptop", created_at=iso(now())
            )
        )
    db.migrate(bare_engine)
    assert db.current_revision(bare_engine) == db.head_revision()
    with bare_engine.connect() as conn:
        row = conn.execute(select(m.users).where(m.users.c.id == "u1")).one()
    assert (row.username, row.role, row.active, row.token_version) == ("old-timer", "rep", True, 0)

    settings = Settings(database_url=server_db_url, secret_key=SECRET, data_dir=tmp_path)
    # A token minted before the revision (no "v" claim) reads as version 0 and still works.
    payload = auth._b64(b'{"u":"u1","d":"d1","e":4102444800}')
    legacy = f"v1.{payload}.{auth._sign(SECRET, payload)}"
    app = create_app(settings, bare_engine, run_migrations=False)
    with LiveServer(app) as server, httpx.Client(base_url=server.url) as http:
        me = http.get("/me", headers={"Authorization": f"Bearer {legacy}"})
        assert me.status_code == 200, me.text
        assert me.json()["username"] == "old-timer"

"""IT retires old builds: the client names its version on sign-in, a server set to a minimum
client version refuses older ones with one clear message, and ``desktop-crm sync`` exits 6
(issue 11, item 5). Through the real CLI process against a real server on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from desktop_crm import __version__
from desktop_crm.client import cli
from desktop_crm.protocol.client_version import is_too_old, parse_version
from desktop_crm.protocol.messages import LoginRequest
from desktop_crm.server.app import create_app
from desktop_crm.server.settings import Settings, SettingsError
from desktop_crm.sync.http_client import ClientTooOld, SyncClient
from tests.e2e.conftest import E2EServer, LiveServer, free_port, run_cli
from tests.e2e.test_exit_codes import assert_one_line

TOO_OLD = "This version of Desktop CRM is too old for the server; install 99.3 or later."


@pytest.fixture
def strict_server(e2e_server: E2EServer) -> Iterator[str]:
    """The same database served by a second server that requires Desktop CRM 99.3."""
    settings = replace(e2e_server.settings, min_client_version="99.3")
    live = LiveServer(create_app(settings, e2e_server.engine, run_migrations=False), free_port())
    live.start()
    try:
        yield live.url
    finally:
        live.stop()


def _sync(e2e_server: E2EServer, url: str, profile: Path) -> list[str]:
    return ["sync", "--profile", str(profile), "--server", url, "--user", "rep1",
            "--password-file", str(e2e_server.password_file("rep1"))]  # fmt: skip


def test_the_version_is_printed() -> None:
    done = run_cli("--version")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"desktop-crm {__version__}"


def test_a_server_requiring_a_newer_client_stops_the_sync_with_exit_6(
    e2e_server: E2EServer, strict_server: str, tmp_path: Path
) -> None:
    profile = tmp_path / "profile"
    refused = run_cli(*_sync(e2e_server, strict_server, profile))
    line = assert_one_line(refused, cli.EXIT_SERVER)
    assert line == f"desktop-crm: {TOO_OLD}"
    # The same installation syncs with a server that has no minimum: nothing was lost.
    done = run_cli(*_sync(e2e_server, e2e_server.url, profile))
    assert done.returncode == cli.EXIT_OK, done.stderr


def test_the_server_checks_the_version_before_the_password(e2e_server: E2EServer) -> None:
    settings = replace(e2e_server.settings, min_client_version="0.3")
    with TestClient(create_app(settings, e2e_server.engine, run_migrations=False)) as client:

        def login(**extra: str) -> tuple[int, str]:
            body = {"username": "rep1", "password": "pw-rep1", **extra}
            answer = client.post("/auth/login", json=body)
            return answer.status_code, answer.json().get("detail", "")

        too_old = "This version of Desktop CRM is too old for the server; install 0.3 or later."
        assert login() == (426, too_old)  # a client from before versions names none
        assert login(client_version="0.2.9") == (426, too_old)
        assert login(client_version="not a version") == (426, too_old)
        assert login(client_version="0.2", password="wrong") == (426, too_old)
        assert login(client_version="0.3")[0] == 200
        assert login(client_version="0.3.0rc1")[0] == 200
        assert login(client_version="1.0")[0] == 200
        assert login(client_version="x" * 33)[0] == 422  # bounded like every wire text


def test_the_window_shows_the_servers_words(e2e_server: E2EServer, strict_server: str) -> None:
    from desktop_crm.ui.app_controller import plain_error

    client = SyncClient(strict_server)
    try:
        with pytest.raises(ClientTooOld) as refused:
            client.login(
                LoginRequest(username="rep1", password="pw-rep1", client_version=__version__)
            )
    finally:
        client.close()
    assert plain_error(refused.value) == TOO_OLD  # what the sign-in dialog shows


def test_without_a_minimum_old_clients_keep_signing_in(e2e_server: E2EServer) -> None:
    answer = e2e_server.world.client.post(
        "/auth/login", json={"username": "rep1", "password": "pw-rep1"}
    )
    assert answer.status_code == 200


def test_an_unknown_login_field_is_named_so_new_clients_can_drop_it(
    e2e_server: E2EServer,
) -> None:
    """What an older server answers to a field it does not know (``LATER_LOGIN_FIELDS``):
    a 422 naming it, which the client reads to sign in again without it."""
    answer = e2e_server.world.client.post(
        "/auth/login", json={"username": "rep1", "password": "pw-rep1", "newer_field": "1"}
    )
    assert answer.status_code == 422 and "newer_field" in answer.json()["detail"]


@pytest.mark.parametrize("bad", ["0.3a", "latest", "", "1..2", "1.2.3.4.5"])
def test_a_wrong_minimum_setting_stops_the_server_with_a_message(
    bad: str, tmp_path: Path
) -> None:
    environ = {"DESKTOP_CRM_SERVER_SECRET": "s" * 40, "DESKTOP_CRM_SERVER_MIN_CLIENT_VERSION": bad}
    if not bad:  # empty: no minimum
        assert Settings.load(data_dir=tmp_path, environ=environ).min_client_version is None
        return
    with pytest.raises(SettingsError, match="MIN_CLIENT_VERSION"):
        Settings.load(data_dir=tmp_path, environ=environ)


def test_versions_compare_as_numbers() -> None:
    assert parse_version("0.10") == (0, 10) and parse_version("0.3.0") == (0, 3)
    assert is_too_old("0.9", "0.10") and not is_too_old("0.10", "0.9")
    assert not is_too_old(None, None) and not is_too_old("junk", "")

"""Issue 14, items 5 and 9 as ``desktop-crm sync`` meets them against a real server: a disabled
user or a changed password is a refused sign-in (exit 4); the profile folder is owner-only;
plain ``http://`` to another machine is refused unless the policy allows it."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from desktop_crm.client.policy import POLICY_ENV
from desktop_crm.server import directory
from desktop_crm.server.db import write_transaction
from tests.e2e.conftest import E2EServer, free_port, run_cli

POSIX_ONLY = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")


def _sync(profile: Path, *args: str) -> list[str]:
    return ["sync", "--profile", str(profile), *args]


def test_a_disabled_user_or_a_changed_password_is_a_refused_sign_in(
    e2e_server: E2EServer, tmp_path: Path
) -> None:
    profile = tmp_path / "rep1"
    password = str(e2e_server.password_file("rep1"))
    first = run_cli(
        *_sync(profile, "--server", e2e_server.url, "--user", "rep1", "--password-file", password)
    )
    assert first.returncode == 0, first.stderr

    with e2e_server.engine.connect() as conn, write_transaction(conn):
        directory.set_active(conn, "rep1", False, "test")
    disabled = run_cli(*_sync(profile, "--password-file", password))
    assert disabled.returncode == 4, (disabled.stdout, disabled.stderr)
    assert "sign-in refused" in disabled.stderr and "disabled" in disabled.stderr

    with e2e_server.engine.connect() as conn, write_transaction(conn):
        directory.set_active(conn, "rep1", True, "test")
        directory.set_password(conn, "rep1", "a new password", "test")
    old = run_cli(*_sync(profile, "--password-file", password))
    assert old.returncode == 4, (old.stdout, old.stderr)
    new = e2e_server.password_file("rep1-new", "a new password")
    again = run_cli(*_sync(profile, "--password-file", str(new)))
    assert again.returncode == 0, again.stderr


def _modes(folder: Path) -> dict[str, int]:
    return {p.name: stat.S_IMODE(p.stat().st_mode) for p in folder.iterdir() if p.is_file()}


@POSIX_ONLY
def test_the_profile_folder_is_owner_only(e2e_server: E2EServer, tmp_path: Path) -> None:
    profile = tmp_path / "private"
    password = str(e2e_server.password_file("rep1"))
    done = run_cli(
        *_sync(profile, "--server", e2e_server.url, "--user", "rep1", "--password-file", password)
    )
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(profile.stat().st_mode) == 0o700
    files = _modes(profile)
    assert {"replica.db", "replica.db.keyinfo.json", "settings.json"} <= set(files)
    assert all(mode == 0o600 for mode in files.values()), files

    # A profile from before this rule is made private on its next use.
    profile.chmod(0o755)
    for name in files:
        (profile / name).chmod(0o644)
    again = run_cli(*_sync(profile, "--password-file", password))
    assert again.returncode == 0, again.stderr
    assert stat.S_IMODE(profile.stat().st_mode) == 0o700
    assert all(mode == 0o600 for mode in _modes(profile).values()), _modes(profile)


def _trap_env(tmp_path: Path, policy: str | None = None) -> dict[str, str]:
    """Any request that escaped the check would go to a closed loopback port (never off this
    machine): httpx reads these proxy variables."""
    trap = f"http://127.0.0.1:{free_port()}"
    env = {"HTTP_PROXY": trap, "HTTPS_PROXY": trap, "ALL_PROXY": trap, "NO_PROXY": ""}
    if policy is not None:
        path = tmp_path / "policy.toml"
        path.write_text(policy, encoding="utf-8")
        env[POLICY_ENV] = str(path)
    return env


def test_plain_http_to_another_machine_is_refused_unless_the_policy_allows_it(
    e2e_server: E2EServer, tmp_path: Path
) -> None:
    password = str(e2e_server.password_file("rep1"))
    profile = tmp_path / "insecure"
    remote = "http://crm.example.invalid:8765"
    args = _sync(profile, "--server", remote, "--user", "rep1", "--password-file", password)

    refused = run_cli(*args, env=_trap_env(tmp_path))
    assert refused.returncode == 2, (refused.stdout, refused.stderr)
    assert "unencrypted" in refused.stderr and "https://" in refused.stderr
    assert not (profile / "replica.db").exists()  # refused before anything was created

    # Allowed by the policy: the client goes ahead (and meets the trap: offline, exit 3).
    allowed = run_cli(*args, env=_trap_env(tmp_path, "[server]\nallow_insecure_http = true\n"))
    assert allowed.returncode == 3, (allowed.stdout, allowed.stderr)

    # A policy naming such a server without allowing it is itself refused.
    locked = run_cli(
        *_sync(profile, "--user", "rep1", "--password-file", password),
        env=_trap_env(tmp_path, f'[server]\nurl = "{remote}"\nlocked = true\n'),
    )
    assert locked.returncode == 2, (locked.stdout, locked.stderr)
    assert "allow_insecure_http" in locked.stderr

    # http:// to this computer stays allowed (the demo, a local TLS proxy).
    local = run_cli(
        *_sync(tmp_path / "local", "--server", e2e_server.url, "--user", "rep1"),
        *("--password-file", password),
    )
    assert local.returncode == 0, local.stderr

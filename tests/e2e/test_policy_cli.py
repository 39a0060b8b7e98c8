"""A managed installation (policy file) through ``desktop-crm sync``, against a real server."""

from __future__ import annotations

from pathlib import Path

from desktop_crm.client.policy import POLICY_ENV
from tests.e2e.conftest import E2EServer, free_port, run_cli


def test_a_locked_server_is_used_and_no_other_is_accepted(
    e2e_server: E2EServer, tmp_path: Path
) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text(f'[server]\nurl = "{e2e_server.url}"\nlocked = true\n', encoding="utf-8")
    env = {POLICY_ENV: str(policy)}
    profile = tmp_path / "managed"
    password = e2e_server.password_file("rep1")
    common = ["sync", "--profile", str(profile), "--user", "rep1", "--password-file", str(password)]

    elsewhere = run_cli(*common, "--server", f"http://127.0.0.1:{free_port()}", env=env)
    assert elsewhere.returncode == 2, (elsewhere.stdout, elsewhere.stderr)
    assert "managed: it syncs only with" in elsewhere.stderr
    assert not (profile / "replica.db").exists()  # refused before anything was created

    done = run_cli(*common, env=env)  # no --server: the policy names it
    assert done.returncode == 0, done.stderr
    assert "Synced" in done.stdout


def test_a_broken_policy_file_stops_with_its_reason(e2e_server: E2EServer, tmp_path: Path) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text("[server]\nlocked = true\n", encoding="utf-8")
    password = e2e_server.password_file("rep1")
    result = run_cli(
        "sync", "--profile", str(tmp_path / "p"), "--server", e2e_server.url,
        "--user", "rep1", "--password-file", str(password),
        env={POLICY_ENV: str(policy)},
    )  # fmt: skip
    assert result.returncode == 2
    assert "server.locked = true needs server.url" in result.stderr

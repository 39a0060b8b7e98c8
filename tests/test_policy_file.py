"""``desktop-crm write-policy``: what the Windows MSI runs with SERVER_URL, LOCK_SERVER and
SYNC_INTERVAL. A good file is exactly what the program then reads; bad values are refused
with exit code 2 and one line, and an existing file stays as it was."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_crm.app import main
from desktop_crm.client import cli
from desktop_crm.client.policy import load_policy


def test_the_installers_settings_become_a_locked_policy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "Desktop CRM" / "policy.toml"
    code = main(["write-policy", "--path", str(target), "--server-url",
                 "https://crm.example.com", "--lock", "1", "--sync-interval", "600"])  # fmt: skip
    assert code == cli.EXIT_OK and str(target) in capsys.readouterr().out
    policy = load_policy(target)
    assert policy.server_url == "https://crm.example.com" and policy.server_locked
    assert policy.sync_interval_seconds == 600


def test_unset_installer_properties_are_left_out(tmp_path: Path) -> None:
    target = tmp_path / "policy.toml"
    # msiexec formats an unset property as empty text.
    assert main(["write-policy", "--path", str(target), "--server-url", "",
                 "--lock", "", "--sync-interval", "300"]) == cli.EXIT_OK  # fmt: skip
    policy = load_policy(target)
    assert policy.server_url is None and not policy.server_locked
    assert policy.sync_interval_seconds == 300


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (["--lock", "1"], "server.locked = true needs server.url"),
        (["--lock", "maybe"], "LOCK_SERVER must be 1 or 0"),
        (["--sync-interval", "5"], "sync.interval_seconds must be a whole number from 30"),
        (["--sync-interval", "soon"], "SYNC_INTERVAL must be a number of seconds"),
        (["--server-url", "ftp://crm.example.com"], "server.url must be the server's address"),
        (["--server-url", "http://crm.example.com"], "plain http://"),
        (["--server-url", 'https://crm"\n[x]'], "server.url"),
    ],
)
def test_bad_values_are_refused_and_the_old_file_stays(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], problem: str
) -> None:
    target = tmp_path / "policy.toml"
    old = '[server]\nurl = "https://old.example.com"\n'
    target.write_text(old, encoding="utf-8")
    assert main(["write-policy", "--path", str(target), *args]) == cli.EXIT_USAGE
    err = capsys.readouterr().err
    assert err.startswith("desktop-crm: ") and problem in err, err
    assert target.read_text(encoding="utf-8") == old
    assert [p.name for p in tmp_path.iterdir()] == ["policy.toml"]  # no temporary file left

"""The managed-installation policy file: what it enforces, and clear errors for bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_crm.client.policy import NO_POLICY, POLICY_ENV, PolicyError, load_policy
from desktop_crm.client.profile import ProfileSettings

LOCKED = """
[server]
url = "https://crm.example.com/"
locked = true

[sync]
interval_seconds = 600

[ui]
language = "zh_CN"
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "policy.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_locked_policy_overrides_the_users_server_and_interval(tmp_path: Path) -> None:
    policy = load_policy(_write(tmp_path, LOCKED))
    assert policy.server_url == "https://crm.example.com" and policy.server_locked
    settings = ProfileSettings(
        server_url="https://elsewhere.example.org", sync_interval_seconds=60, language="en"
    )
    policy.apply(settings)
    assert settings.server_url == "https://crm.example.com"
    assert settings.sync_interval_seconds == 600
    assert settings.language == "en"  # the language is a default: the user's choice stays
    assert policy.apply(ProfileSettings()).language == "zh_CN"


def test_an_unlocked_server_is_only_a_default(tmp_path: Path) -> None:
    policy = load_policy(_write(tmp_path, '[server]\nurl = "https://crm.example.com"\n'))
    assert policy.apply(ProfileSettings()).server_url == "https://crm.example.com"
    mine = ProfileSettings(server_url="https://test.example.com")
    assert policy.apply(mine).server_url == "https://test.example.com"
    policy.check_server("https://test.example.com")  # allowed: not locked


def test_a_locked_server_refuses_another_one(tmp_path: Path) -> None:
    policy = load_policy(_write(tmp_path, LOCKED))
    policy.check_server("https://CRM.example.com")  # the same server, spelled differently
    policy.check_server("")  # nothing asked for
    with pytest.raises(PolicyError, match="managed: it syncs only with https://crm.example.com"):
        policy.check_server("https://evil.example.net")


def test_no_file_means_no_policy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        "desktop_crm.client.policy.default_policy_path", lambda: tmp_path / "absent.toml"
    )
    assert load_policy(env={}) == NO_POLICY


def test_the_environment_names_the_file(tmp_path: Path) -> None:
    path = _write(tmp_path, LOCKED)
    assert load_policy(env={POLICY_ENV: str(path)}).source == path
    with pytest.raises(PolicyError, match="does not exist"):
        load_policy(env={POLICY_ENV: str(tmp_path / "missing.toml")})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[server\nurl = 1", "not valid TOML"),
        ("[server]\nurl = 'https://a.example'\nlockd = true\n", "unknown setting server.lockd"),
        ("[proxy]\nhost = 'x'\n", r"unknown section \[proxy\]"),
        ("[server]\nlocked = true\n", "needs server.url"),
        ("[server]\nurl = 'ftp://crm.example.com'\n", "starting with https://"),
        ("[server]\nurl = 'https://'\n", "has no host name"),
        ("[server]\nurl = 'https://a.example'\nlocked = 'yes'\n", "true or false"),
        ("[sync]\ninterval_seconds = 5\n", "from 30 to 86400"),
        ("[sync]\ninterval_seconds = true\n", "whole number"),
        ("[ui]\nlanguage = 'fr'\n", "ui.language must be one of"),
        ("server = 3\n", r"\[server\] must be a table"),
    ],
)
def test_a_wrong_file_is_an_error_that_says_what_to_fix(
    tmp_path: Path, text: str, message: str
) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(PolicyError, match=message) as caught:
        load_policy(path)
    assert str(path) in str(caught.value)


def test_the_policy_can_forbid_self_updates(tmp_path: Path) -> None:
    assert NO_POLICY.self_update  # no policy: nothing is forbidden
    policy = load_policy(_write(tmp_path, "[updates]\nself_update = false\n"))
    assert policy.self_update is False
    with pytest.raises(PolicyError, match="updates.self_update must be true or false"):
        load_policy(_write(tmp_path, '[updates]\nself_update = "no"\n'))
    with pytest.raises(PolicyError, match="unknown setting updates.channel"):
        load_policy(_write(tmp_path, '[updates]\nchannel = "beta"\n'))


def test_desktop_crm_policy_says_it_when_it_managed_updates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``self_update = false`` has nothing to switch off (there is no updater): what it does is
    tell users and IT's checks who manages updates, in ``desktop-crm policy``."""
    from desktop_crm.app import main
    from desktop_crm.client import cli

    path = _write(tmp_path, LOCKED + "\n[updates]\nself_update = false\n")
    monkeypatch.setenv(POLICY_ENV, str(path))
    assert main(["policy"]) == cli.EXIT_OK
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"Policy file: {path}"
    assert "Server: https://crm.example.com (locked)" in out
    assert "Sync interval: 600 s" in out and "Language: zh_CN" in out
    assert out[-1].startswith("Updates are managed by your IT department")

    path.write_text(LOCKED, encoding="utf-8")  # self_update left at its default
    assert main(["policy"]) == cli.EXIT_OK
    assert capsys.readouterr().out.splitlines()[-1].startswith(
        "Desktop CRM does not update itself"
    )


def test_desktop_crm_policy_without_a_file_and_with_a_bad_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from desktop_crm.app import main
    from desktop_crm.client import cli
    from desktop_crm.client.policy import describe_policy

    absent = tmp_path / "policy.toml"
    assert describe_policy(NO_POLICY, absent)[0] == (
        f"Policy file: none ({absent} does not exist); the user's settings apply."
    )
    monkeypatch.setenv(POLICY_ENV, str(_write(tmp_path, '[updates]\nself_update = "no"\n')))
    assert main(["policy"]) == cli.EXIT_USAGE
    assert "updates.self_update must be true or false" in capsys.readouterr().err

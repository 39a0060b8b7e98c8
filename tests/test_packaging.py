"""The files IT deploys stay in step with the program."""

from __future__ import annotations

import configparser
from pathlib import Path

import pytest

from desktop_crm import __version__
from desktop_crm.app import main
from desktop_crm.client.policy import load_policy

PACKAGING = Path(__file__).resolve().parents[1] / "packaging"


def test_the_example_policy_is_a_valid_locked_policy() -> None:
    policy = load_policy(PACKAGING / "policy.example.toml")
    assert policy.server_locked and policy.server_url == "https://crm.example.com"
    assert policy.sync_interval_seconds == 300 and policy.language == ""
    assert policy.self_update is False


def test_the_desktop_entry_hands_tel_links_to_the_screen_pop() -> None:
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    entry.read(PACKAGING / "linux" / "desktop-crm.desktop", encoding="utf-8")
    desktop = entry["Desktop Entry"]
    assert desktop["Type"] == "Application"
    assert desktop["Exec"] == "desktop-crm open %u"  # desktop_crm.app: ``open tel:NUMBER``
    assert "x-scheme-handler/tel" in desktop["MimeType"].split(";")


def test_the_menu_start_without_a_link_opens_the_window(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """From the menu, ``Exec=desktop-crm open %u`` runs ``desktop-crm open`` with no link: that
    is the window's command line (shown here by ``--version``), not a usage error."""
    with pytest.raises(SystemExit) as done:
        main(["open", "--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.strip() == f"desktop-crm {__version__}"

"""A later start of a keychain-keyed profile opens the replica while the sign-in dialog waits
for the user: the open (key lookup, checks) is done by the time the user has typed, the first
open after the dialog takes that replica, and one nobody took is closed cleanly (no open
marker left to make the next start check every page)."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest

from desktop_crm.client.profile import Profile
from desktop_crm.client.session import open_profile_replica
from desktop_crm.storage.keys import KeyMode, read_keyinfo
from desktop_crm.storage.replica import Replica
from desktop_crm.ui import app_controller
from desktop_crm.ui.app_controller import ProfileController
from desktop_crm.ui.first_run import SignInDialog
from desktop_crm.ui.main_window import MainWindow
from tests.storage.conftest import MemoryKeyring


@pytest.fixture
def keychain_profile(tmp_path: Path) -> Iterator[Profile]:
    """A profile from an earlier run: a keychain-keyed replica and a signed-in user."""
    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    try:
        profile = Profile(tmp_path / "profile")
        open_profile_replica(profile, None).close()
        settings = profile.load_settings()
        settings.server_url, settings.username = "http://127.0.0.1:9", "rep1"
        settings.replica_id = "replica-1"
        profile.save_settings(settings)
        info = read_keyinfo(profile.replica_path)
        assert info is not None and info.mode is KeyMode.KEYCHAIN
        yield profile
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def opens(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Replica]]:
    """Every replica the controller opens, with the name of the thread that opened it."""
    seen: list[tuple[str, Replica]] = []

    def recording(profile: Profile, passphrase: str | None = None, **kw: Any) -> Replica:
        replica = open_profile_replica(profile, passphrase, **kw)
        seen.append((threading.current_thread().name, replica))
        return replica

    monkeypatch.setattr(app_controller, "open_profile_replica", recording)
    return seen


def _marker(profile: Profile) -> Path:
    return profile.replica_path.with_name(profile.replica_path.name + ".open")


def test_the_replica_opens_while_the_sign_in_dialog_waits_and_the_window_takes_it(
    qtbot: Any, keychain_profile: Profile, opens: list[tuple[str, Replica]]
) -> None:
    controller = ProfileController(keychain_profile, instance_name=f"ahead-{uuid.uuid4().hex[:8]}")
    try:
        controller.start()
        dialog = controller.dialog
        assert isinstance(dialog, SignInDialog) and not dialog.need_passphrase
        # Nobody has clicked anything yet, and the replica is open.
        qtbot.waitUntil(lambda: len(opens) == 1, timeout=10_000)
        assert opens[0][0] == "replica-open-ahead"
        offline = next(b for b in dialog.buttons.buttons() if b.text() == "Work offline")
        with qtbot.waitSignal(controller.window_ready, timeout=30_000) as blocker:
            offline.click()
        assert isinstance(blocker.args[0], MainWindow)
        assert len(opens) == 1  # the window's worker took the replica opened ahead
    finally:
        controller.shutdown()
    assert not _marker(keychain_profile).exists()


def test_a_replica_opened_ahead_that_nobody_took_is_closed_cleanly(
    qtbot: Any, keychain_profile: Profile, opens: list[tuple[str, Replica]]
) -> None:
    controller = ProfileController(keychain_profile, instance_name=f"quit-{uuid.uuid4().hex[:8]}")
    try:
        controller.start()
        qtbot.waitUntil(lambda: len(opens) == 1, timeout=10_000)
        assert _marker(keychain_profile).exists()  # open, waiting for the user
    finally:
        controller.shutdown()  # the user closed the dialog and quit
    assert not _marker(keychain_profile).exists()


def test_a_passphrase_replica_is_not_opened_before_its_passphrase_is_typed(
    qtbot: Any, tmp_path: Path, opens: list[tuple[str, Replica]]
) -> None:
    profile = Profile(tmp_path / "profile")
    open_profile_replica(profile, "correct horse battery").close()  # the suite has no keychain
    settings = profile.load_settings()
    settings.server_url, settings.username, settings.replica_id = "http://127.0.0.1:9", "r", "x"
    profile.save_settings(settings)
    controller = ProfileController(profile, instance_name=f"pass-{uuid.uuid4().hex[:8]}")
    try:
        controller.start()
        dialog = controller.dialog
        assert isinstance(dialog, SignInDialog) and dialog.need_passphrase
        qtbot.wait(300)
        assert opens == []
    finally:
        controller.shutdown()

"""The application as a whole: the demo starts and exits, the first run signs in and creates an
encrypted replica, ``desktop-crm open tel:`` pops the caller in the running window, languages."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication
from sqlalchemy import select

from desktop_crm.client.policy import Policy, PolicyError
from desktop_crm.client.profile import Profile
from desktop_crm.demo import DemoServer
from desktop_crm.domain import demo_data
from desktop_crm.storage.keys import KeyMode, RawKey, read_keyinfo
from desktop_crm.storage.replica import Replica, create_replica
from desktop_crm.storage.schema import contact_phones
from desktop_crm.ui import i18n
from desktop_crm.ui.app_controller import AppController, ProfileController
from desktop_crm.ui.first_run import SettingsDialog, SignInDialog
from desktop_crm.ui.main_window import MainWindow
from desktop_crm.ui.session import Session
from desktop_crm.ui.single_instance import phone_from_uri
from desktop_crm.ui.sync_views import FirstSyncDialog
from tests.ui.test_responsive import MemoryServer, MemorySync, _wire

ROOT = Path(__file__).resolve().parents[2]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["PYTHONPATH"] = str(ROOT)
    return env


def _desktop_crm() -> list[str]:
    """The installed ``desktop-crm`` script (README's command), else the module."""
    script = Path(sys.executable).with_name("desktop-crm")
    return [str(script)] if script.exists() else [sys.executable, "-m", "desktop_crm.app"]


@pytest.mark.slow
def test_demo_starts_and_exits_cleanly() -> None:
    started = time.perf_counter()
    result = subprocess.run(
        [*_desktop_crm(), "--demo", "--exit-after", "3",
         "--instance-name", f"smoke-{uuid.uuid4().hex[:8]}"],
        env=_env(), capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    assert time.perf_counter() - started < 60


def test_phone_uris() -> None:
    assert phone_from_uri("tel:+86-138-0013-8000") == "+86-138-0013-8000"
    assert phone_from_uri("tel:%2B86%20138%200013%208000") == "+86 138 0013 8000"
    assert phone_from_uri("tel://013800138000;phone-context=x") == "013800138000"
    assert phone_from_uri("8000") == "8000"


class _Running(AppController):
    def __init__(self, window: MainWindow, name: str) -> None:
        super().__init__(instance_name=name)
        self.window = window

    def shutdown(self) -> None:
        self.window = None
        super().shutdown()


def test_open_tel_pops_the_caller_in_the_running_window(
    qtbot: Any, window: MainWindow, filled_replica: Replica
) -> None:
    with filled_replica.engine.connect() as conn:
        e164, account_id = conn.execute(
            select(contact_phones.c.e164, contact_phones.c.account_id)
            .where(contact_phones.c.e164.like("+86%")).limit(1)
        ).one()
    name = f"pop-{uuid.uuid4().hex[:8]}"
    running = _Running(window, name)
    try:
        national = e164.removeprefix("+86")
        spaced = f"+86 {national[:3]} {national[3:7]} {national[7:]}"
        proc = subprocess.Popen(
            [sys.executable, "-m", "desktop_crm.app", "open", f"tel:{spaced}",
             "--instance-name", name],
            env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        qtbot.waitUntil(lambda: window.account_view.account_id == account_id, timeout=30_000)
        assert proc.wait(timeout=30) == 0, proc.stderr.read() if proc.stderr else ""
        assert window.search_box.text() == spaced
        assert window.tabs.currentWidget() is window.account_view
    finally:
        running.shutdown()


def test_first_run_signs_in_creates_an_encrypted_replica_and_syncs(
    qtbot: Any, tmp_path: Path, demo_server: DemoServer
) -> None:
    profile = Profile(tmp_path / "profile")
    controller = ProfileController(profile, instance_name=f"first-{uuid.uuid4().hex[:8]}")
    try:
        controller.start()
        dialog = controller.dialog
        assert isinstance(dialog, SignInDialog) and dialog.first_run
        assert dialog.need_passphrase  # the test suite has no keychain
        dialog.server.setText(demo_server.url)
        dialog.username.setText("desk1")
        dialog.password.setText("wrong")
        dialog.passphrase.setText("correct horse battery")
        dialog.passphrase_again.setText("correct horse battery")
        dialog._check()
        qtbot.waitUntil(lambda: dialog.error.text() != "", timeout=15_000)  # refused
        dialog.password.setText("demo")
        with qtbot.waitSignal(controller.window_ready, timeout=30_000) as blocker:
            dialog._check()
        window = blocker.args[0]
        assert isinstance(window, MainWindow)
        qtbot.waitUntil(lambda: window.accounts_model.rowCount() > 0, timeout=10_000)
        settings = profile.load_settings()
        assert settings.username == "desk1" and settings.replica_id and settings.role
        info = read_keyinfo(profile.replica_path)
        assert info is not None and info.mode is KeyMode.PASSPHRASE
        assert not profile.replica_path.read_bytes()[:16].startswith(b"SQLite format")
    finally:
        controller.shutdown()
    # The next start: the replica exists; ask for the passphrase and the password only.
    again = ProfileController(profile, instance_name=f"again-{uuid.uuid4().hex[:8]}")
    try:
        again.start()
        dialog = again.dialog
        assert dialog is not None and not dialog.first_run and dialog.need_passphrase
        assert dialog.server.text() == demo_server.url and dialog.username.text() == "desk1"
        dialog.password.setText("demo")
        dialog.passphrase.setText("correct horse battery")
        with qtbot.waitSignal(again.window_ready, timeout=30_000) as blocker:
            dialog._check()
        window = blocker.args[0]
        qtbot.waitUntil(lambda: window.accounts_model.rowCount() > 0, timeout=10_000)
    finally:
        again.shutdown()


def test_first_sync_can_be_cancelled_and_resumes(qtbot: Any, tmp_path: Path) -> None:

    records = [_wire(r) for r in demo_data.generate(seed=5, accounts=900)]
    replica = create_replica(tmp_path / "r.db", RawKey.generate())
    session = Session(lambda: replica, MemorySync(tmp_path, MemoryServer(records)), interval_s=3600)
    sync = session.sync
    assert sync is not None
    dialog = FirstSyncDialog("first sync")
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.watch(sync.progress)
    try:
        with qtbot.waitSignal(sync.finished, timeout=60_000) as blocker:
            session.submit(lambda _r: None, lambda _n: sync.start())
            qtbot.waitUntil(lambda: sync.progress.snapshot.done > 0, timeout=30_000)
            dialog.panel.cancel_button.click()
        first = blocker.args[0]
        assert first.cancelled
        assert "Stopping" in dialog.panel.label.text()
        with qtbot.waitSignal(sync.finished, timeout=60_000) as blocker:
            sync.sync_now()
        second = blocker.args[0]
        assert not second.cancelled and second.error == ""
        assert 0 < second.result.pulled < len(records)  # resumed, not started over
    finally:
        dialog.close()
        session.shutdown()


def test_translations_are_complete_and_compiled(tmp_path: Path) -> None:
    ts = (i18n.TS_DIR / "desktop_crm_zh_CN.ts").read_text(encoding="utf-8")
    assert 'type="unfinished"' not in ts
    fresh = i18n.compile_translations(tmp_path)
    for qm in fresh:
        committed = i18n.QM_DIR / qm.name
        assert committed.exists(), f"{committed} missing: run python -m desktop_crm.ui.i18n"
        assert committed.read_bytes() == qm.read_bytes(), (
            f"{committed.name} is stale: run python -m desktop_crm.ui.i18n"
        )


def test_the_window_speaks_chinese(qtbot: Any, session: Session) -> None:
    try:
        assert i18n.install_language("zh_CN") == "zh_CN"
        win = MainWindow(session, "zh")
        qtbot.addWidget(win)
        assert win.tabs.tabText(0) == "今天"
        assert "搜索" in win.search_box.placeholderText()
        assert QApplication.translate("MainWindow", "Pipeline") == "销售漏斗"
    finally:
        i18n.install_language("en")


@pytest.mark.slow
def test_demo_switches_users_and_simulates_a_colleague(qtbot: Any, cheap_hashes: None) -> None:
    from desktop_crm.ui.app_controller import DemoController

    controller = DemoController(
        DemoServer(30), "rep1", instance_name=f"demo-{uuid.uuid4().hex[:8]}"
    )
    try:
        with qtbot.waitSignal(controller.window_ready, timeout=60_000) as blocker:
            controller.start()
        rep_window = blocker.args[0]
        assert rep_window.windowTitle().endswith("rep1")
        qtbot.waitUntil(lambda: rep_window.accounts_model.rowCount() > 0, timeout=10_000)
        menus = [a.text() for a in rep_window.menuBar().actions()]
        assert "&Demo" in menus
        with qtbot.waitSignal(controller.colleague_edited, timeout=20_000) as edited:
            controller.simulate_colleague_edit()
        assert edited.args[0] == rep_window.accounts_model.account_id(0)
        if controller.colleague_box is not None:
            controller.colleague_box.close()
        with qtbot.waitSignal(controller.window_ready, timeout=60_000) as blocker:
            controller._switch_later("desk1")
        desk_window = blocker.args[0]
        assert desk_window.windowTitle().endswith("desk1")
        assert controller.session is not None
        assert controller.session.identity.role == "service_desk"
    finally:
        controller.shutdown()


def test_settings_switch_the_language_at_once(qtbot: Any, session: Session) -> None:

    controller = AppController(listen=False)
    controller.session = session
    try:
        with qtbot.waitSignal(controller.window_ready, timeout=10_000):
            controller.open_window(session, "Desktop CRM")
        assert controller.window is not None
        assert controller.window.tabs.tabText(0) == "Today"
        controller.open_settings()
        dialog = controller.window.findChildren(SettingsDialog)[0]
        dialog.language.setCurrentIndex(dialog.language.findData("zh_CN"))
        dialog.interval.setValue(10)
        with qtbot.waitSignal(controller.window_ready, timeout=10_000):
            dialog.accept()
        assert controller.window.tabs.tabText(0) == "今天"
        assert controller.settings.language == "zh_CN"
        assert controller.settings.sync_interval_seconds == 600
    finally:
        i18n.install_language("en")
        controller.shutdown()


def test_a_managed_install_shows_the_locked_server_and_interval(
    qtbot: Any, tmp_path: Path
) -> None:
    policy = Policy(
        server_url="https://crm.example.com",
        server_locked=True,
        sync_interval_seconds=900,
        source=tmp_path / "policy.toml",
    )
    profile = Profile(tmp_path / "managed")
    with pytest.raises(PolicyError, match="managed"):
        ProfileController(profile, server_url="https://other.example.com", policy=policy)
    controller = ProfileController(
        profile, policy=policy, instance_name=f"managed-{uuid.uuid4().hex[:8]}"
    )
    try:
        controller.start()
        dialog = controller.dialog
        assert isinstance(dialog, SignInDialog)
        assert dialog.server.text() == "https://crm.example.com"
        assert dialog.server.isReadOnly()
        assert controller.settings.sync_interval_seconds == 900
        settings = SettingsDialog(controller.settings, interval_managed=True)
        qtbot.addWidget(settings)
        assert not settings.interval.isEnabled() and settings.interval.value() == 15
    finally:
        controller.shutdown()

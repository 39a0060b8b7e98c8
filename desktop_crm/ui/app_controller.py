"""The application's flows: the demo (embedded server, switchable demo users) and a real profile
(first run: sign in, create the encrypted replica, first sync; later runs: open and sync)."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop_crm.client.policy import NO_POLICY, Policy, PolicyError
from desktop_crm.client.profile import Profile, ProfileSettings, SettingsError
from desktop_crm.client.rebuild import SetAside, set_aside_damaged
from desktop_crm.client.session import OpenAhead, ProfileSync, open_profile_replica
from desktop_crm.storage.errors import DamagedReplica, PassphraseRequired, ReplicaError, WrongKey
from desktop_crm.storage.keys import Keychain, KeyMode, RawKey, read_keyinfo
from desktop_crm.storage.replica import Replica, create_replica
from desktop_crm.sync.errors import Offline, ServerRefused, SignInRequired, SyncError
from desktop_crm.sync.scheduler import Outcome
from desktop_crm.ui.first_run import SettingsDialog, SignInDialog
from desktop_crm.ui.i18n import install_language
from desktop_crm.ui.main_window import MainWindow
from desktop_crm.ui.session import Session
from desktop_crm.ui.single_instance import InstanceServer, phone_from_uri
from desktop_crm.ui.sync_views import FirstSyncDialog
from desktop_crm.ui.worker import ResourceWorker

if TYPE_CHECKING:
    from desktop_crm.sync.engine import SyncSummary

log = logging.getLogger(__name__)


def plain_error(error: BaseException) -> str:
    """Problems of the environment in plain words; anything else is a bug (logged)."""
    if isinstance(error, SignInRequired | ServerRefused) and "password" in str(error).lower():
        return str(error)
    environment = Offline | SyncError | ReplicaError | OSError | PolicyError | SettingsError
    if isinstance(error, environment):
        return str(error)
    log.error("unexpected error", exc_info=error)
    return f"{type(error).__name__}: {error}"


class AppController(QObject):
    """Owns the session and the window; hands screen pops to the window."""

    #: The main window is up and loaded (tests, --exit-after, screenshots).
    window_ready = Signal(object)
    #: The demo's colleague changed this account on the server.
    colleague_edited = Signal(str)

    def __init__(self, instance_name: str | None = None, listen: bool = True) -> None:
        super().__init__()
        self.session: Session | None = None
        self.window: MainWindow | None = None
        self.settings: ProfileSettings = ProfileSettings()
        self.profile: Profile | None = None
        self.policy: Policy = NO_POLICY  # a managed install's policy (the demo has none)
        self.first_sync_dialog: FirstSyncDialog | None = None
        self._pending_phone: str | None = None
        self._background: ResourceWorker[None] = ResourceWorker(lambda: None, lambda _n: None)
        self.instance = InstanceServer(self.handle_message, instance_name, self)
        if listen:
            self.instance.listen()
        self.title = "Desktop CRM"

    def start(self) -> None:
        raise NotImplementedError

    # Messages from later invocations ---------------------------------------------------------

    def handle_message(self, line: str) -> None:
        command, _sep, argument = line.partition(" ")
        if command == "open" and argument:
            self.pop_phone(phone_from_uri(argument))
        elif command == "raise" and self.window is not None:
            self.window.raise_window()

    def pop_phone(self, number: str) -> None:
        if self.window is not None and self.window.isVisible():
            self.window.pop_phone(number)
        else:
            self._pending_phone = number

    # Background work ---------------------------------------------------------------------------

    def run_in_background(
        self,
        job: Callable[[], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        self._background.submit(lambda _none: job(), on_done, on_error)

    # The session and the window ----------------------------------------------------------------

    def first_sync(self, session: Session, title: str, then: Callable[[], None]) -> None:
        """Open the replica, run the first sync with a cancellable progress dialog, then
        ``then()``. Cancelling keeps what arrived; the background sync resumes later."""
        dialog = FirstSyncDialog(title)
        self.first_sync_dialog = dialog
        dialog.panel.show_text(self.tr("Opening the encrypted replica…"))
        dialog.show()
        assert session.sync is not None
        done = False

        def finished(outcome: Outcome[SyncSummary]) -> None:
            nonlocal done
            if done:
                return
            done = True
            dialog.finish()
            self.first_sync_dialog = None
            if outcome.error and not outcome.cancelled and session.damage is None:
                QMessageBox.warning(
                    None,
                    title,
                    self.tr(
                        "The first sync did not finish: %1\n\nYou can work with what "
                        "arrived; the sync continues in the background."
                    ).replace("%1", outcome.error),
                )
            then()

        def opened(_none: None) -> None:
            assert session.sync is not None
            session.sync.finished.connect(finished)
            dialog.watch(session.sync.progress)
            session.sync.start()

        def failed(error: BaseException) -> None:
            dialog.finish()
            self.first_sync_dialog = None
            if isinstance(error, DamagedReplica):
                return  # the session reports it (damaged): the rebuild is offered
            QMessageBox.critical(None, title, plain_error(error))

        session.submit(lambda _replica: None, opened, failed)

    def open_window(self, session: Session, title: str) -> None:
        self.show_window(session, title)

    def show_window(self, session: Session, title: str) -> MainWindow:
        window = MainWindow(session, title)
        self.window = window
        window.settings_action.triggered.connect(self.open_settings)
        self.decorate(window)
        window.start()
        window.show()
        window.raise_window()
        if self._pending_phone:
            number, self._pending_phone = self._pending_phone, None
            window.pop_phone(number)
        self.window_ready.emit(window)
        return window

    def decorate(self, window: MainWindow) -> None:
        """Extra menus (the demo's)."""

    def watch(self, session: Session) -> None:
        """Hear of damage the session meets (the replica worker's operations or the sync)."""
        session.damaged.connect(self.damage_met)

    def damage_met(self, error: DamagedReplica) -> None:
        """A damaged page was met: say so without blocking (the demo's replica is throw-away)."""
        self.notice(QMessageBox.Icon.Critical, str(error))

    def notice(self, icon: QMessageBox.Icon, message: str) -> QMessageBox:
        """A message box that blocks nothing (tests and the event loop go on)."""
        box = QMessageBox(icon, self.title, message, QMessageBox.StandardButton.Ok, self.window)
        box.setWindowModality(Qt.WindowModality.NonModal)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.show()
        return box

    def close_session(self) -> None:
        if self.window is not None:
            self.window.close()
            self.window.deleteLater()
            self.window = None
        if self.session is not None:
            self.session.shutdown()
            self.session.deleteLater()
            self.session = None

    def open_settings(self) -> None:
        if self.window is None:
            return
        dialog = SettingsDialog(
            self.settings,
            self.window,
            interval_managed=self.policy.sync_interval_seconds is not None,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def accepted() -> None:
            old_language = self.settings.language
            dialog.apply_to(self.settings)
            if self.profile is not None:
                self.profile.save_settings(self.settings)
            if self.session is not None and self.session.sync is not None:
                self.session.sync.scheduler.interval = float(self.settings.sync_interval_seconds)
            if self.settings.language != old_language:
                self.switch_language(self.settings.language)

        dialog.accepted.connect(accepted)
        dialog.open()

    def switch_language(self, language: str) -> None:
        """Install the translator and rebuild the window over the same session."""
        install_language(language)
        old = self.window
        if self.session is None or old is None:
            return
        account = old.account_view.account_id
        geometry = old.saveGeometry()
        old.hide()
        window = self.show_window(self.session, self.title)
        window.restoreGeometry(geometry)
        if account:
            window.show_account(account)
        old.deleteLater()

    def shutdown(self) -> None:
        self.close_session()
        self._background.shutdown()
        self.instance.close()


# The demo ---------------------------------------------------------------------------------------


class DemoBackend(Protocol):
    """The demo's embedded server, as the window uses it (``desktop_crm.demo.DemoServer``,
    handed in by the composition root: the window never imports the server)."""

    accounts: int
    password: str
    users: tuple[str, ...]
    colleague: str

    @property
    def url(self) -> str: ...

    def start(self) -> object: ...

    def stop(self) -> None: ...

    def colleague_edit(self, account_id: str) -> str: ...


class DemoController(AppController):
    """``desktop-crm --demo``: an embedded server on loopback, a throw-away profile per user."""

    def __init__(self, server: DemoBackend, user: str = "rep1", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.server = server
        self.user = user
        self.title = self.tr("Desktop CRM — demo")
        self._folders: list[tempfile.TemporaryDirectory[str]] = []
        self.last_colleague_edit: str | None = None
        self.colleague_box: QMessageBox | None = None

    def start(self) -> None:
        dialog = FirstSyncDialog(self.title)
        self.first_sync_dialog = dialog
        dialog.panel.cancel_button.setEnabled(False)
        dialog.panel.show_text(
            self.tr("Starting the demo server with %1 customers…").replace(
                "%1", str(self.server.accounts)
            )
        )
        dialog.show()

        def start() -> None:
            self.server.start()  # in the background: it waits on SQL

        def up(_none: None) -> None:
            dialog.finish()
            self.first_sync_dialog = None
            self.sign_in_as(self.user)

        def failed(error: BaseException) -> None:
            dialog.finish()
            log.error("demo server failed", exc_info=error)
            QMessageBox.critical(None, self.title, plain_error(error))
            QApplication.exit(1)

        self.run_in_background(start, up, failed)

    def sign_in_as(self, user: str) -> None:
        self.close_session()
        self.user = user
        folder = tempfile.TemporaryDirectory(prefix=f"desktop-crm-demo-{user}-")
        self._folders.append(folder)
        profile = Profile(Path(folder.name))
        self.profile = None  # nothing of the demo is saved
        settings = ProfileSettings(server_url=self.server.url, username=user)
        settings.language = self.settings.language
        self.settings = settings
        key = RawKey.generate()  # in memory only: the demo never touches the keychain

        def open_replica() -> Replica:
            return create_replica(profile.replica_path, key)

        session = Session(
            open_replica,
            ProfileSync(profile, settings, self.server.password),
            interval_s=60.0,
            label=user,
        )
        self.session = session
        self.watch(session)
        self.first_sync(
            session,
            self.title,
            lambda: self._show(session),
        )

    def _show(self, session: Session) -> None:
        if session is not self.session:
            return
        self.show_window(session, f"{self.title} — {self.user}")

    def decorate(self, window: MainWindow) -> None:
        menu = window.menuBar().addMenu(self.tr("&Demo"))
        roles = {
            "rep1": self.tr("Sales rep (rep1)"),
            "desk1": self.tr("Service desk (desk1)"),
            "manager1": self.tr("Sales manager (manager1)"),
        }
        group = QActionGroup(window)
        for user in self.server.users:
            action = QAction(self.tr("Sign in as %1").replace("%1", roles[user]), window)
            action.setCheckable(True)
            action.setChecked(user == self.user)
            action.triggered.connect(lambda _c=False, u=user: self._switch_later(u))
            group.addAction(action)
            menu.addAction(action)
        menu.addSeparator()
        colleague = QAction(self.tr("Simulate a colleague's edit"), window)
        colleague.triggered.connect(self.simulate_colleague_edit)
        menu.addAction(colleague)

    def _switch_later(self, user: str) -> None:
        # Not from inside the menu's own signal: the window is about to be deleted.
        QTimer.singleShot(0, lambda: self.sign_in_as(user))

    def simulate_colleague_edit(self, account_id: str | None = None) -> None:
        """manager1 changes the open customer's notes on the server: edit the same field
        before the next sync and that sync meets a conflict."""
        colleague = self.server.colleague
        window = self.window
        if window is None:
            return
        target = account_id or window.account_view.account_id
        if target is None and window.accounts_model.rowCount() > 0:
            target = window.accounts_model.account_id(0)
        if target is None:
            return
        chosen: str = target
        name = (
            window.account_view.view.account.name
            if (
                window.account_view.view is not None
                and window.account_view.view.account.meta.id == target
            )
            else chosen[:8]
        )

        def done(value: str) -> None:
            self.last_colleague_edit = chosen
            if self.window is None:
                return
            self.window.statusBar().showMessage(
                self.tr("%1 changed the notes of “%2” on the server.")
                .replace("%1", colleague)
                .replace("%2", name),
                15000,
            )
            box = QMessageBox(
                QMessageBox.Icon.Information,
                self.tr("A colleague edited a customer"),
                self.tr(
                    "%1 changed the notes of “%2” on the server to:\n\n%3\n\nEdit the "
                    "same customer's notes now (Customer ▸ Edit customer): your next sync "
                    "meets their change and shows a conflict."
                )
                .replace("%1", colleague)
                .replace("%2", name)
                .replace("%3", value),
                QMessageBox.StandardButton.Ok,
                self.window,
            )
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            box.open()
            self.colleague_box = box
            self.colleague_edited.emit(chosen)

        def failed(error: BaseException) -> None:
            if self.window is not None:
                self.window.statusBar().showMessage(plain_error(error), 15000)

        self.run_in_background(lambda: self.server.colleague_edit(chosen), done, failed)

    def shutdown(self) -> None:
        super().shutdown()
        self.server.stop()
        for folder in self._folders:
            folder.cleanup()


# A real profile ---------------------------------------------------------------------------------


class ProfileController(AppController):
    """A user's own profile: first run signs in and creates the replica; later runs open it
    (keychain, or the passphrase) and sign in for sync (or work offline)."""

    def __init__(
        self,
        profile: Profile,
        *,
        server_url: str | None = None,
        keychain: Keychain | None = None,
        policy: Policy = NO_POLICY,
        **kwargs: Any,
    ) -> None:
        policy.check_server(server_url or "")  # PolicyError: a managed install's locked server
        settings = profile.load_settings()  # SettingsError: before any thread is started
        super().__init__(**kwargs)
        self.profile = profile
        self.policy = policy
        self.settings = settings
        if server_url:
            self.settings.server_url = server_url
        policy.apply(self.settings)
        self.keychain = keychain or Keychain()
        self.dialog: SignInDialog | None = None
        self._passphrase: str | None = None  # of the open replica, for a rebuild's export
        #: A keychain-keyed replica's open, started while the sign-in dialog waits for the
        #: user (its checks and key lookup take a large share of a start); taken by the first
        #: open after it, closed at shutdown if nobody took it.
        self._ahead: OpenAhead | None = None
        #: The open offer to rebuild a damaged replica (non-modal), and the last rebuild's result.
        self.rebuild_box: QMessageBox | None = None
        self.rebuilt: SetAside | None = None

    def start(self) -> None:
        install_language(self.settings.language)
        assert self.profile is not None
        first_run = not self.profile.exists() or not self.settings.replica_id
        if first_run:
            need_passphrase = not self.keychain.usable()
        else:
            info = read_keyinfo(self.profile.replica_path)
            need_passphrase = info is not None and info.mode is KeyMode.PASSPHRASE
            if not need_passphrase and self._ahead is None:
                profile = self.profile
                self._ahead = OpenAhead(lambda: open_profile_replica(profile, None))
        dialog = SignInDialog(
            self.settings,
            first_run=first_run,
            need_passphrase=need_passphrase,
            locked_server=self.policy.server_locked,
        )
        self.dialog = dialog
        if not first_run:
            offline = dialog.buttons.addButton(
                self.tr("Work offline"), dialog.buttons.ButtonRole.RejectRole
            )
            offline.clicked.connect(lambda: self._open(dialog, password=None))
        dialog.accepted.connect(lambda: self._signed(dialog, first_run))
        dialog.rejected.connect(lambda: self._rejected(first_run))
        dialog.show()

    def start_offline(self, passphrase: str | None, ahead: OpenAhead | None = None) -> None:
        """A later start without the sign-in dialog, as if "Work offline" were clicked at once
        (``desktop-crm --open-offline``: start-up benchmarks and smoke tests). ``ahead``: the
        open, already started by the composition root; the worker takes its replica."""
        install_language(self.settings.language)
        assert self.profile is not None
        profile = self.profile

        def open_replica() -> Replica:
            if ahead is not None:
                return ahead.take()
            return open_profile_replica(profile, passphrase)

        session = Session(open_replica, None)
        self.session = session
        self.watch(session)

        def failed(error: BaseException) -> None:
            log.error("the replica cannot be opened: %s", plain_error(error))
            QApplication.exit(1)

        session.submit(lambda _r: None, lambda _n: self.open_window(session, self.title), failed)

    def shutdown(self) -> None:
        super().shutdown()
        if self._ahead is not None:
            self._ahead.close_unless_taken()
            self._ahead = None

    def _rejected(self, first_run: bool) -> None:
        if first_run and self.session is None:
            QApplication.exit(0)

    def _signed(self, dialog: SignInDialog, first_run: bool) -> None:
        self.settings.server_url = dialog.server.text().strip()
        self.settings.username = dialog.username.text().strip()
        password = dialog.password.text()
        assert self.profile is not None
        profile_sync = ProfileSync(self.profile, self.settings, password, self.policy)

        def signed(_signed: object) -> None:
            self._open(dialog, password, profile_sync)

        def failed(error: BaseException) -> None:
            dialog.show_error(plain_error(error))
            dialog.show()

        # Sign in first (checks the password and learns our replica id), off the GUI thread.
        self.run_in_background(profile_sync.sign_in, signed, failed)

    def _open(
        self, dialog: SignInDialog, password: str | None, profile_sync: ProfileSync | None = None
    ) -> None:
        assert self.profile is not None
        profile = self.profile
        passphrase = dialog.passphrase.text() if dialog.need_passphrase else None
        sync = profile_sync or ProfileSync(profile, self.settings, password, self.policy)
        # Only a replica that needs no passphrase is opened ahead (see start).
        ahead, self._ahead = self._ahead, None

        def open_replica() -> Replica:
            if ahead is not None:
                return ahead.take()
            if not profile.exists() and not passphrase:
                profile.ensure_folder()
                return create_replica(profile.replica_path, self.keychain)
            return open_profile_replica(profile, passphrase)

        session = Session(
            open_replica,
            sync if self.settings.replica_id else None,
            interval_s=float(self.settings.sync_interval_seconds),
            label=self.settings.username,
        )
        self.session = session
        self._passphrase = passphrase
        self.watch(session)
        if session.sync is None or password is None:
            # Offline: open the replica; no sync until the user signs in.
            session.submit(
                lambda _r: None,
                lambda _n: self.open_window(session, self.title),
                lambda error: self._open_failed(dialog, error),
            )
            return
        self.first_sync(session, self.title, lambda: self.open_window(session, self.title))

    def _open_failed(self, dialog: SignInDialog, error: BaseException) -> None:
        if self.session is not None:
            self.session.shutdown()
            self.session = None
        if isinstance(error, WrongKey | PassphraseRequired):
            dialog.show_error(self.tr("That passphrase does not open this replica."))
        elif isinstance(error, DamagedReplica):
            return  # the session reported it: the rebuild is offered instead of the dialog
        else:
            dialog.show_error(plain_error(error))
        dialog.show()

    # A damaged replica ------------------------------------------------------------------------

    def damage_met(self, error: DamagedReplica) -> None:
        """Offer to rebuild from the server (unsynced work exported first), without blocking."""
        if self.rebuild_box is not None:
            return
        box = QMessageBox(
            QMessageBox.Icon.Critical,
            self.title,
            self.tr(
                "%1\n\nRebuild it from the server? Your unsynced changes, conflicts and "
                "sync issues are exported to a file first, and the damaged file is kept "
                "beside it."
            ).replace("%1", str(error)),
            QMessageBox.StandardButton.NoButton,
            self.window,
        )
        rebuild = box.addButton(
            self.tr("Rebuild from the server"), QMessageBox.ButtonRole.AcceptRole
        )
        box.addButton(self.tr("Not now"), QMessageBox.ButtonRole.RejectRole)
        box.setWindowModality(Qt.WindowModality.NonModal)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.buttonClicked.connect(lambda button: self.rebuild() if button is rebuild else None)
        box.finished.connect(lambda _result: setattr(self, "rebuild_box", None))
        box.show()
        self.rebuild_box = box

    def rebuild(self) -> None:
        """Close the session, export the unsynced work and set the damaged files aside (in the
        background), then start as on a first run: sign in and a fresh first sync."""
        assert self.profile is not None
        profile, passphrase = self.profile, self._passphrase
        self.rebuild_box = None  # closed with the window
        self.close_session()

        def done(aside: SetAside) -> None:
            self.rebuilt = aside
            self.notice(
                QMessageBox.Icon.Information,
                self.tr(
                    "Your unsynced work was exported to %1; the damaged file is kept in "
                    "%2. Sign in to sync a fresh copy from the server."
                )
                .replace("%1", str(aside.export))
                .replace("%2", str(aside.folder)),
            )
            self.start()

        def failed(error: BaseException) -> None:
            self.notice(QMessageBox.Icon.Critical, plain_error(error))

        self.run_in_background(lambda: set_aside_damaged(profile, passphrase), done, failed)

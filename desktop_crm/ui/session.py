"""One signed-in profile in the window: the replica worker, the sync thread, who we are.

- :class:`ProfileSync` (no Qt) signs in when needed and runs one sync; it runs on the sync
  thread, never on the GUI thread.
- :class:`SyncController` decides *when* (the sync engine's :class:`SyncScheduler`: an
  interval, back-off when offline, at once on F5) and runs the sync on its own thread with its
  own pooled connection to the replica (SQLite WAL lets the replica worker read meanwhile).
  Progress is data (:class:`SyncProgress`) the window polls with a timer; cancel sets its flag.
- :class:`Session` ties the two to one replica.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QTimer, Signal

from desktop_crm.client_session import SignedIn, make_engine, refresh_user_names, sign_in
from desktop_crm.profile import Profile, ProfileSettings
from desktop_crm.storage.replica import Replica
from desktop_crm.sync.engine import SyncSummary
from desktop_crm.sync.http_client import SignInRequired, SyncError
from desktop_crm.sync.progress import Phase, SyncProgress
from desktop_crm.sync.scheduler import Connectivity, Outcome, SyncScheduler
from desktop_crm.ui.operations import Identity
from desktop_crm.ui.worker import ResourceWorker

log = logging.getLogger(__name__)

#: How often the window looks at the sync's progress (STYLE: progress is polled data).
PROGRESS_POLL_MS = 150
#: The server's directory (user names) is fetched after a sync at most this often.
USER_NAMES_MAX_AGE_S = 3600.0


class ProfileSync:
    """Sign in (once, or again when the token expired) and sync. Runs on the sync thread."""

    def __init__(self, profile: Profile, settings: ProfileSettings, password: str | None) -> None:
        self.profile = profile
        self.settings = settings
        self._password = password
        self._signed_in: SignedIn | None = None
        self._names_at: float | None = None  # when the directory was last fetched

    @property
    def identity(self) -> Identity:
        s = self.settings
        return Identity(s.replica_id, s.user_id, s.username, s.role)

    def set_password(self, password: str) -> None:
        self._password = password
        self._signed_in = None

    def sign_in(self, progress: SyncProgress | None = None) -> SignedIn:
        if self._password is None:
            raise SignInRequired("Sign in to sync with the server.")
        if progress is not None:
            progress.report(Phase.SIGNING_IN)
        if self._signed_in is not None:
            self._signed_in.client.close()
        self._signed_in = sign_in(self.profile, self.settings, self._password)
        return self._signed_in

    def __call__(self, replica: Replica, progress: SyncProgress) -> SyncSummary:
        signed_in = self._signed_in or self.sign_in(progress)
        try:
            summary = make_engine(replica, signed_in, progress).sync_once()
        except SignInRequired:
            if self._password is None:
                raise
            # The token expired: sign in again once, then carry on where the sync stopped.
            signed_in = self.sign_in(progress)
            summary = make_engine(replica, signed_in, progress).sync_once()
        self._refresh_user_names(replica, signed_in)
        return summary

    def _refresh_user_names(self, replica: Replica, signed_in: SignedIn) -> None:
        now = time.monotonic()
        if self._names_at is not None and now - self._names_at < USER_NAMES_MAX_AGE_S:
            return
        try:
            refresh_user_names(replica, signed_in.client)
        except SyncError as exc:  # names only label things: the sync itself succeeded
            log.warning("could not refresh user names: %s", exc)
            return
        self._names_at = now

    def close(self) -> None:
        if self._signed_in is not None:
            self._signed_in.client.close()
            self._signed_in = None


SyncFunction = Callable[[SyncProgress], SyncSummary]


class SyncController(QObject):
    """Runs the sync in the background, on an interval and on demand."""

    started = Signal()
    finished = Signal(object)  # Outcome[SyncSummary]
    progress_changed = Signal(object)  # ProgressSnapshot, while running

    def __init__(
        self, sync: SyncFunction, interval_s: float = 300.0, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.progress = SyncProgress()
        self.scheduler: SyncScheduler[SyncSummary] = SyncScheduler(
            lambda: sync(self.progress), interval=interval_s
        )
        self.running = False
        self.last_outcome: Outcome[SyncSummary] | None = None
        self._thread: ResourceWorker[None] = ResourceWorker(lambda: None, lambda _none: None)
        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self._maybe_run)
        self._poll = QTimer(self)
        self._poll.setInterval(PROGRESS_POLL_MS)
        self._poll.timeout.connect(self._report_progress)

    @property
    def state(self) -> Connectivity:
        return self.scheduler.state

    def start(self) -> None:
        """Sync now and then on the schedule."""
        self._tick.start()
        self._maybe_run()

    def stop(self) -> None:
        self._tick.stop()

    def sync_now(self) -> None:
        self.scheduler.request_now()
        self._maybe_run()

    def cancel(self) -> None:
        self.progress.cancel()

    def _maybe_run(self) -> None:
        if self.running or not self.scheduler.due():
            return
        self.running = True
        self.progress.reset_cancel()
        self.progress.report(Phase.IDLE)
        self.started.emit()
        self._poll.start()
        self._thread.submit(lambda _none: self.scheduler.run_now(), self._done, self._failed)

    def _report_progress(self) -> None:
        self.progress_changed.emit(self.progress.snapshot)

    def _done(self, outcome: Outcome[SyncSummary]) -> None:
        self.running = False
        self._poll.stop()
        self.last_outcome = outcome
        self.finished.emit(outcome)

    def _failed(self, error: BaseException) -> None:
        # Not a problem of the network or the server (the scheduler handles those): a bug.
        log.error("sync failed unexpectedly", exc_info=error)
        self._done(Outcome(Connectivity.ERROR, error=f"{type(error).__name__}: {error}"))

    def shutdown(self) -> None:
        self._tick.stop()
        self._poll.stop()
        self.progress.cancel()
        self._thread.shutdown()


def _guarded(owner: QObject, callback: Callable[[Any], None]) -> Callable[[Any], None]:
    def call(value: Any) -> None:
        if shiboken6.isValid(owner):
            callback(value)

    return call


def _ignore_if_gone(owner: QObject) -> Callable[[BaseException], None]:
    def report(error: BaseException) -> None:
        if shiboken6.isValid(owner):
            log.error("replica operation failed", exc_info=error)

    return report


class Session(QObject):
    """The replica worker, the sync controller and the identity of one signed-in profile."""

    #: Local data changed: ``"edit"`` (this window saved something) or ``"sync"``.
    data_changed = Signal(str)

    def __init__(
        self,
        open_replica: Callable[[], Replica],
        profile_sync: ProfileSync | None,
        *,
        interval_s: float = 300.0,
        label: str = "",
        cleanup: Callable[[], None] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.label = label
        self.profile_sync = profile_sync
        self._replica: Replica | None = None
        self._cleanup = cleanup

        def open_and_remember() -> Replica:
            self._replica = open_replica()
            return self._replica

        self.worker: ResourceWorker[Replica] = ResourceWorker(
            open_and_remember, lambda replica: replica.close()
        )
        self.sync: SyncController | None = None
        if profile_sync is not None:
            self.sync = SyncController(self._sync_once, interval_s, self)
            self.sync.finished.connect(self._after_sync)

    @property
    def identity(self) -> Identity:
        if self.profile_sync is None:
            return Identity("local", "local")
        return self.profile_sync.identity

    @property
    def replica_path(self) -> Path | None:
        return None if self._replica is None else self._replica.path

    def _sync_once(self, progress: SyncProgress) -> SyncSummary:
        # Runs on the sync thread; the replica was opened on the worker before sync starts.
        assert self.profile_sync is not None
        if self._replica is None:
            raise RuntimeError("the replica is not open yet")
        return self.profile_sync(self._replica, progress)

    def _after_sync(self, outcome: Outcome[SyncSummary]) -> None:
        summary = outcome.result
        if summary is not None and (summary.pulled or summary.pushed or summary.removed):
            self.data_changed.emit("sync")
        elif outcome.cancelled:
            self.data_changed.emit("sync")

    def submit(
        self,
        operation: Callable[[Replica], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None] | None = None,
        *,
        owner: QObject | None = None,
    ) -> int:
        """Run ``operation`` on the worker; callbacks on the GUI thread. With ``owner``, the
        callbacks are dropped if that widget was deleted meanwhile (a closed window)."""
        if owner is not None:
            on_done = _guarded(owner, on_done)
            on_error = _guarded(owner, on_error) if on_error is not None else _ignore_if_gone(
                owner
            )
        return self.worker.submit(operation, on_done, on_error)

    def edited(self) -> None:
        """A local edit was saved: views refresh; a sync goes out soon."""
        self.data_changed.emit("edit")

    def shutdown(self) -> None:
        if self.sync is not None:
            self.sync.shutdown()
        self.worker.shutdown()
        if self.profile_sync is not None:
            self.profile_sync.close()
        if self._cleanup is not None:
            self._cleanup()
            self._cleanup = None

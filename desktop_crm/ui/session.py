"""One signed-in profile in the window: the replica worker, the sync thread, who we are.

- :class:`~desktop_crm.client.session.ProfileSync` (no Qt) signs in when needed and runs one
  sync; it runs on the sync thread, never on the GUI thread.
- :class:`SyncController` decides *when* (the sync engine's :class:`SyncScheduler`: an
  interval, back-off when offline, at once on F5) and runs the sync on its own thread with its
  own pooled connection to the replica (SQLite WAL lets the replica worker read meanwhile).
  Progress is data (:class:`SyncProgress`) the window polls with a timer; cancel sets its flag.
- :class:`Session` ties the two to one replica.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QObject, QTimer, Signal

from desktop_crm.client.changes import Changes
from desktop_crm.client.identity import LOCAL, Identity
from desktop_crm.client.session import ProfileSync, sync_changes
from desktop_crm.storage.errors import DamagedReplica
from desktop_crm.storage.replica import Replica
from desktop_crm.sync.progress import Phase, SyncProgress
from desktop_crm.sync.scheduler import Connectivity, Outcome, SyncScheduler
from desktop_crm.ui.worker import ResourceWorker

if TYPE_CHECKING:
    from desktop_crm.sync.engine import SyncSummary  # the engine loads with the first sync

log = logging.getLogger(__name__)

#: How often the window looks at the sync's progress (STYLE: progress is polled data).
PROGRESS_POLL_MS = 150


SyncFunction = Callable[[SyncProgress], "SyncSummary"]


class SyncController(QObject):
    """Runs the sync in the background, on an interval and on demand."""

    started = Signal()
    finished = Signal(object)  # Outcome[SyncSummary]
    progress_changed = Signal(object)  # ProgressSnapshot, while running
    #: The sync met a damaged page (DamagedReplica); the schedule is stopped.
    damaged = Signal(object)

    def __init__(
        self, sync: SyncFunction, interval_s: float = 300.0, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.progress = SyncProgress()
        self.scheduler: SyncScheduler[SyncSummary] = SyncScheduler(
            lambda: sync(self.progress), interval=interval_s
        )
        self.running = False
        #: Set once the replica is known to be damaged: no sync runs again, not even on F5.
        self.halted = False
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

    def halt(self) -> None:
        """Stop for good (a damaged replica): no schedule, no "sync now"."""
        self.halted = True
        self._tick.stop()

    def sync_now(self) -> None:
        self.scheduler.request_now()
        self._maybe_run()

    def cancel(self) -> None:
        self.progress.cancel()

    def _maybe_run(self) -> None:
        if self.running or self.halted or not self.scheduler.due():
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
        if isinstance(error, DamagedReplica):
            # No more syncs write to a damaged file: the user chooses what happens next.
            self.halt()
            self.damaged.emit(error)
            self._done(Outcome(Connectivity.ERROR, error=str(error)))
            return
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

    #: Local data changed (:class:`Changes`); ``by_sync`` is False for this window's own edits,
    #: which a sync should send soon.
    data_changed = Signal(object, bool)
    #: A damaged page was met by the sync or by any operation on the worker (DamagedReplica):
    #: emitted once; the sync is stopped.
    damaged = Signal(object)

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
        self.damage: DamagedReplica | None = None
        if profile_sync is not None:
            self.sync = SyncController(self._sync_once, interval_s, self)
            self.sync.finished.connect(self._after_sync)
            self.sync.damaged.connect(self._damage_met)

    @property
    def identity(self) -> Identity:
        if self.profile_sync is None:
            return LOCAL
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
        if summary is not None:
            changes = sync_changes(summary)
        elif outcome.cancelled:  # pages applied before the cancel are not counted anywhere
            changes = Changes.everything()
        else:
            return
        if changes:
            self.data_changed.emit(changes, True)

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
            on_error = _guarded(owner, on_error) if on_error is not None else _ignore_if_gone(owner)
        return self.worker.submit(operation, on_done, self._watching_damage(on_error))

    def submit_online(
        self,
        operation: Callable[[Any], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None],
        *,
        owner: QObject,
    ) -> bool:
        """Run a server operation (of a signed-in client: the audit trail, the archive, the
        duplicates queue) on the worker, off the GUI thread; False when this profile has no
        server."""
        profile_sync = self.profile_sync
        if profile_sync is None:
            return False
        self.submit(lambda _replica: profile_sync.online(operation), on_done, on_error, owner=owner)
        return True

    def _watching_damage(
        self, on_error: Callable[[BaseException], None] | None
    ) -> Callable[[BaseException], None]:
        """``on_error``, after reporting a damaged page met by the operation."""

        def failed(error: BaseException) -> None:
            if isinstance(error, DamagedReplica):
                self._damage_met(error)
            if on_error is not None:
                on_error(error)
            else:
                log.error("replica operation failed", exc_info=error)

        return failed

    def _damage_met(self, error: DamagedReplica) -> None:
        if self.damage is not None:
            return  # reported once; every later read of the page fails the same way
        self.damage = error
        if self.sync is not None:
            self.sync.halt()
        self.damaged.emit(error)

    def edited(self, changes: Changes) -> None:
        """A local edit was saved: the views that show it refresh; a sync goes out soon."""
        self.data_changed.emit(changes, False)

    def shutdown(self) -> None:
        if self.sync is not None:
            self.sync.shutdown()
        self.worker.shutdown()
        if self.profile_sync is not None:
            self.profile_sync.close()
        if self._cleanup is not None:
            self._cleanup()
            self._cleanup = None

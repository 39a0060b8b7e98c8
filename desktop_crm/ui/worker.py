"""The one owner of the replica on the client: a worker thread that runs every operation.

The GUI thread never waits on SQL. A widget submits an *operation* (a function of the open
resource) with a callback; the operation runs on the worker thread, and the callback runs back
on the GUI thread through a queued signal. Operations run one at a time, in order.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QObject, QThread, Signal, Slot

log = logging.getLogger(__name__)

R = TypeVar("R")  # the resource the worker owns (e.g. an open Replica)
T = TypeVar("T")

Operation = Callable[[R], Any]

SHUTDOWN_NOTICE_MS = 10_000


class _Runner(QObject, Generic[R]):
    """Lives on the worker thread; holds the resource."""

    done = Signal(int, object)
    failed = Signal(int, object)

    def __init__(self, open_resource: Callable[[], R], close_resource: Callable[[R], None]):
        super().__init__()
        self._open_resource = open_resource
        self._close_resource = close_resource
        self._resource: R | None = None
        self._open_error: BaseException | None = None

    @Slot(int, object)
    def run(self, request_id: int, operation: Callable[[R], Any]) -> None:
        try:
            if self._resource is None:
                if self._open_error is not None:
                    raise self._open_error
                try:
                    self._resource = self._open_resource()
                except BaseException as exc:
                    self._open_error = exc
                    raise
            result = operation(self._resource)
        except Exception as exc:  # reported to the GUI thread, which decides how to show it
            self.failed.emit(request_id, exc)
        else:
            self.done.emit(request_id, result)

    @Slot()
    def close(self) -> None:
        """Close the resource, then end the thread's loop: it runs after every operation
        queued before it (a quit from the GUI thread could end the loop first, and the replica
        would stay open, its open marker making the next start check every page)."""
        try:
            if self._resource is not None:
                self._close_resource(self._resource)
                self._resource = None
        finally:
            self.thread().quit()


class ResourceWorker(QObject, Generic[R]):
    """GUI-side handle: ``submit(operation, on_done, on_error)``; callbacks run on the GUI
    thread. The resource is opened lazily by the first operation, on the worker thread, so
    opening (key check, migrations) never blocks the window either."""

    _request = Signal(int, object)
    _close = Signal()

    def __init__(
        self,
        open_resource: Callable[[], R],
        close_resource: Callable[[R], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._ids = itertools.count(1)
        self._pending: dict[
            int, tuple[Callable[[Any], None], Callable[[BaseException], None] | None]
        ] = {}
        self._thread = QThread()
        self._thread.setObjectName("replica-worker")
        self._runner: _Runner[R] = _Runner(open_resource, close_resource)
        self._runner.moveToThread(self._thread)
        self._request.connect(self._runner.run)
        self._close.connect(self._runner.close)
        self._runner.done.connect(self._on_done)
        self._runner.failed.connect(self._on_failed)
        self._thread.start()

    def submit(
        self,
        operation: Callable[[R], T],
        on_done: Callable[[T], None],
        on_error: Callable[[BaseException], None] | None = None,
    ) -> int:
        request_id = next(self._ids)
        self._pending[request_id] = (on_done, on_error)
        self._request.emit(request_id, operation)
        return request_id

    @property
    def busy(self) -> bool:
        return bool(self._pending)

    @Slot(int, object)
    def _on_done(self, request_id: int, result: object) -> None:
        callbacks = self._pending.pop(request_id, None)
        if callbacks is not None:
            callbacks[0](result)

    @Slot(int, object)
    def _on_failed(self, request_id: int, error: BaseException) -> None:
        callbacks = self._pending.pop(request_id, None)
        if callbacks is not None and callbacks[1] is not None:
            callbacks[1](error)
        else:
            log.error("replica operation failed", exc_info=error)

    def shutdown(self) -> None:
        """Close the resource on its own thread and stop the thread (waits for the queue)."""
        if self._thread.isRunning():
            self._close.emit()  # the runner ends the thread once it has closed
            # A sync may be finishing a request; say so rather than hang silently.
            while not self._thread.wait(SHUTDOWN_NOTICE_MS):
                log.warning("still waiting for %s to finish", self._thread.objectName())

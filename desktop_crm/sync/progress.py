"""Sync progress as data: the engine writes phase and counts; a UI polls them and may cancel.

Thread-safe by construction: plain attribute writes of immutable values, and a
``threading.Event`` for cancellation. Nothing here pumps an event loop.
"""

from __future__ import annotations

import enum
import threading
from dataclasses import dataclass


class Phase(enum.StrEnum):
    IDLE = "idle"
    SIGNING_IN = "signing in"
    FIRST_SYNC = "downloading your customers"
    PULLING = "receiving changes"
    PUSHING = "sending changes"
    REMOVING = "removing records that left your scope"
    DONE = "done"
    FAILED = "failed"


class Cancelled(Exception):
    """The user cancelled the sync; everything applied so far is kept and resumes next time."""


@dataclass(frozen=True, slots=True)
class ProgressSnapshot:
    phase: Phase
    done: int
    total: int | None
    message: str


class SyncProgress:
    def __init__(self) -> None:
        self._snapshot = ProgressSnapshot(Phase.IDLE, 0, None, "")
        self._cancel = threading.Event()

    def report(
        self, phase: Phase, done: int = 0, total: int | None = None, message: str = ""
    ) -> None:
        self._snapshot = ProgressSnapshot(phase, done, total, message)

    @property
    def snapshot(self) -> ProgressSnapshot:
        return self._snapshot

    def cancel(self) -> None:
        self._cancel.set()

    def reset_cancel(self) -> None:
        self._cancel.clear()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check_cancelled(self) -> None:
        if self._cancel.is_set():
            raise Cancelled("Sync cancelled; it will continue where it stopped next time.")

"""When to sync: a regular interval, retries with exponential back-off, online/offline state.

No Qt and no threads here: the GUI (or a test) asks :meth:`SyncScheduler.seconds_until_due`,
sleeps or arms a timer for that long, and calls :meth:`SyncScheduler.run_if_due` on its worker
thread. The clock is injectable, so back-off is tested without waiting.
"""

from __future__ import annotations

import enum
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from desktop_crm.sync.errors import (
    Offline,
    ProtocolError,
    ServerRefused,
    SignInRequired,
    SyncError,
)
from desktop_crm.sync.progress import Cancelled

log = logging.getLogger(__name__)

T = TypeVar("T")

BASE_DELAY = 5.0
MAX_DELAY = 15 * 60.0
DEFAULT_INTERVAL = 5 * 60.0


def next_delay(
    attempts: int,
    *,
    base: float = BASE_DELAY,
    cap: float = MAX_DELAY,
    jitter: float = 0.0,
    rng: random.Random | None = None,
) -> float:
    """Seconds to wait after ``attempts`` failures in a row: ``base * 2**(attempts-1)``, at
    most ``cap``; ``jitter`` (0..1) spreads it by up to that fraction either way so that many
    clients coming back online do not all retry at the same moment."""
    if attempts <= 0:
        return 0.0
    delay = min(cap, base * 2.0 ** min(attempts - 1, 30))
    if jitter:
        spread = (rng or random).uniform(-jitter, jitter)
        delay = max(0.0, delay * (1.0 + spread))
    return delay


class Connectivity(enum.StrEnum):
    UNKNOWN = "unknown"
    ONLINE = "online"
    OFFLINE = "offline"  # cannot reach the server (or it is busy): retry with back-off
    SIGN_IN_REQUIRED = "sign-in required"  # no automatic retries until the user signs in
    ERROR = "error"  # the server refused or broke the protocol: retry with back-off


@dataclass(frozen=True, slots=True)
class Outcome(Generic[T]):
    state: Connectivity
    result: T | None = None
    error: str = ""
    cancelled: bool = False


class SyncScheduler(Generic[T]):
    """Decides when ``sync`` runs and remembers how the last runs went.

    - After a success: again after ``interval`` (or at once on :meth:`request_now`).
    - After a transient failure (:class:`Offline`, a 5xx or 429 answer, a protocol error):
      again after :func:`next_delay` of the failures in a row.
    - After :class:`SignInRequired` (or a 403: revoked device, disabled user): not again until
      :meth:`signed_in` is called.
    - A cancelled sync is retried at the regular interval; it resumes where it stopped.
    """

    def __init__(
        self,
        sync: Callable[[], T],
        *,
        interval: float = DEFAULT_INTERVAL,
        base_delay: float = BASE_DELAY,
        max_delay: float = MAX_DELAY,
        jitter: float = 0.1,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        self._sync = sync
        self.interval = interval
        self._base_delay = base_delay
        self._max_delay = max_delay
        self._jitter = jitter
        self._clock = clock
        self._rng = rng or random.Random()
        self.state = Connectivity.UNKNOWN
        self.failures = 0
        self.last_error = ""
        self.last_result: T | None = None
        self.last_success_at: float | None = None
        self._due_at = clock()  # the first sync runs at once

    @property
    def online(self) -> bool:
        return self.state is Connectivity.ONLINE

    @property
    def due_at(self) -> float | None:
        """Clock time of the next sync; None while waiting for a sign-in."""
        return None if self.state is Connectivity.SIGN_IN_REQUIRED else self._due_at

    def seconds_until_due(self) -> float | None:
        due = self.due_at
        return None if due is None else max(0.0, due - self._clock())

    def due(self) -> bool:
        wait = self.seconds_until_due()
        return wait is not None and wait <= 0

    def request_now(self) -> None:
        """A local edit, the user's "sync now", or the network coming back: sync soon.

        Does not override waiting for a sign-in."""
        self._due_at = min(self._due_at, self._clock())

    def signed_in(self) -> None:
        """The user signed in again: leave the sign-in state and sync at once."""
        if self.state is Connectivity.SIGN_IN_REQUIRED:
            self.state = Connectivity.UNKNOWN
        self.failures = 0
        self._due_at = self._clock()

    def run_if_due(self) -> Outcome[T] | None:
        return self.run_now() if self.due() else None

    def run_now(self) -> Outcome[T]:
        try:
            result = self._sync()
        except Cancelled as exc:
            self._due_at = self._clock() + self.interval
            return Outcome(self.state, error=str(exc), cancelled=True)
        except SignInRequired as exc:
            return self._failed(Connectivity.SIGN_IN_REQUIRED, exc)
        except ServerRefused as exc:
            if exc.status_code == 403:
                return self._failed(Connectivity.SIGN_IN_REQUIRED, exc)
            transient = exc.status_code >= 500 or exc.status_code == 429
            return self._failed(Connectivity.OFFLINE if transient else Connectivity.ERROR, exc)
        except Offline as exc:
            return self._failed(Connectivity.OFFLINE, exc)
        except (ProtocolError, SyncError) as exc:
            return self._failed(Connectivity.ERROR, exc)
        self.state = Connectivity.ONLINE
        self.failures = 0
        self.last_error = ""
        self.last_result = result
        self.last_success_at = self._clock()
        self._due_at = self._clock() + self.interval
        return Outcome(self.state, result=result)

    def _failed(self, state: Connectivity, exc: Exception) -> Outcome[T]:
        self.state = state
        self.failures += 1
        self.last_error = str(exc)
        delay = next_delay(
            self.failures,
            base=self._base_delay,
            cap=self._max_delay,
            jitter=self._jitter,
            rng=self._rng,
        )
        self._due_at = self._clock() + delay
        log.info("sync failed (%s), next try in %.0f s: %s", state, delay, exc)
        return Outcome(state, error=str(exc))

"""Quitting while the replica worker runs an operation still closes the replica on its thread
(else its open marker stays and the next start checks every page as after a crash)."""

from __future__ import annotations

import threading
import time
from typing import Any

from desktop_crm.ui.worker import ResourceWorker


def test_shutdown_during_an_operation_closes_after_the_queue(qtbot: Any) -> None:
    events: list[str] = []
    started = threading.Event()

    def slow(resource: str) -> str:
        started.set()
        time.sleep(0.3)  # a long query (the account ids of 100k accounts)
        events.append("ran " + resource)
        return resource

    worker: ResourceWorker[str] = ResourceWorker(
        lambda: "replica", lambda resource: events.append("closed " + resource)
    )
    worker.submit(slow, lambda _r: None)
    worker.submit(lambda resource: events.append("queued " + resource), lambda _r: None)
    assert started.wait(5)
    worker.shutdown()  # while ``slow`` runs
    assert events == ["ran replica", "queued replica", "closed replica"]

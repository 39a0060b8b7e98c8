"""Cyclic garbage is collected on the GUI thread, never by whichever thread allocates."""

from __future__ import annotations

import gc
import threading
import weakref
from typing import Any

from desktop_crm.ui.gui_gc import GuiThreadGarbageCollector, due_generation


class _Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the cyclic collector frees it


def test_worker_threads_do_not_collect_and_the_gui_thread_does(qtbot: Any) -> None:
    collector = GuiThreadGarbageCollector(interval_ms=10)  # the autouse one is active too
    assert not gc.isenabled()
    collected_on: list[str] = []

    class Watched(_Node):
        def __del__(self) -> None:
            collected_on.append(threading.current_thread().name)

    def make_garbage_and_allocate() -> None:
        Watched()
        for _ in range(50_000):  # far past generation 0's threshold
            _Node()

    worker = threading.Thread(target=make_garbage_and_allocate, name="worker")
    worker.start()
    worker.join()
    assert collected_on == []  # the worker's allocations triggered no collection
    qtbot.waitUntil(lambda: collected_on == [threading.main_thread().name], timeout=5000)
    collector.stop()


def test_due_generation_follows_pythons_thresholds() -> None:
    old = gc.get_threshold()
    gc.collect()
    try:
        gc.set_threshold(10, 10, 10)
        garbage = [_Node() for _ in range(50)]
        assert due_generation() == 0
        ref = weakref.ref(garbage[0])
        del garbage
        assert ref() is not None
        gc.collect(0)
        assert ref() is None
    finally:
        gc.set_threshold(*old)

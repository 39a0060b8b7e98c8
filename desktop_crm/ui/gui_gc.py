"""Garbage collection on the GUI thread only.

Python's cyclic collector runs in whichever thread happens to allocate. When it frees a Qt
object there (a dropped dialog, a closure holding a widget), Qt deletes that object off the
GUI thread while the GUI thread may be using it: a crash or a deadlock, rarely and at random.
So automatic collection is switched off and the GUI thread collects on a timer instead, with
the same generation thresholds Python would use. (PyQt's and qutebrowser's advice.)
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

#: How often the GUI thread looks at the allocation counts. Cheap when nothing is due.
CHECK_INTERVAL_MS = 500


def due_generation() -> int | None:
    """The oldest generation Python's own collector would collect now, or None."""
    counts = gc.get_count()
    thresholds = gc.get_threshold()
    generation: int | None = None
    for gen, (count, threshold) in enumerate(zip(counts, thresholds, strict=True)):
        if threshold and count > threshold:
            generation = gen
        else:
            break
    return generation


class GuiThreadGarbageCollector(QObject):
    """While it lives, cyclic garbage is collected on the thread that created it."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = CHECK_INTERVAL_MS):
        super().__init__(parent)
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.collect_if_due)
        self._timer.start()

    def collect_if_due(self) -> int:
        """Collect what is due; the number of unreachable objects found."""
        generation = due_generation()
        return 0 if generation is None else gc.collect(generation)

    def stop(self) -> None:
        """Collect everything here, then give collection back to Python."""
        self._timer.stop()
        gc.collect()
        if self._was_enabled:
            gc.enable()

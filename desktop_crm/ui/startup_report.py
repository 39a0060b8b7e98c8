"""``desktop-crm --report-usable``: print the moment the main window is usable (the account
list's first rows and Today loaded, as a user sees them), then quit. The start-up benchmark
(``bench/startup_bench.py``) runs the installed program or the checkout with it."""

from __future__ import annotations

import sys
import time

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from desktop_crm.ui.main_window import MainWindow

#: What the benchmark reads: ``usable at <seconds since 1970>``.
MARK = "usable at"
POLL_MS = 5


def report_when_usable(window: MainWindow, app: QApplication, rows: int = 30) -> None:
    def check() -> None:
        model = window.accounts_model
        shown = min(rows, model.rowCount())
        loaded = all(model.data(model.index(row, 0)) != "…" for row in range(shown))
        if shown and loaded and window.today.due is not None:
            sys.stdout.write(f"{MARK} {time.time():.3f}\n")
            sys.stdout.flush()
            app.quit()
        else:
            QTimer.singleShot(POLL_MS, check)

    QTimer.singleShot(0, check)

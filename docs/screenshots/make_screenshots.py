"""Drive the real demo app under a real X server and grab the real screen.

    Xvfb :97 -screen 0 1400x900x24 &
    DISPLAY=:97 .venv/bin/python docs/screenshots/make_screenshots.py

Writes first-sync.png, main-window.png, account-360.png, log-call.png, pipeline.png,
conflict.png, new-opportunity.png, activity.png, reports.png and main-window-zh.png next
to this file.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from desktop_crm.client import editing
from desktop_crm.demo import DemoServer
from desktop_crm.domain.records import Account
from desktop_crm.sync.progress import Phase
from desktop_crm.ui.app_controller import DemoController
from desktop_crm.ui.i18n import install_language
from desktop_crm.ui.main_window import MainWindow
from desktop_crm.ui.opportunity_dialog import OpportunityDialog

OUT = Path(__file__).resolve().parent


def grab(name: str) -> None:
    screen = QGuiApplication.primaryScreen()
    screen.grabWindow(0).save(str(OUT / name))
    print("wrote", name, flush=True)  # noqa: T201


def main() -> int:
    app = QApplication(sys.argv[:1])
    install_language("en")
    controller = DemoController(DemoServer(400), "rep1", instance_name="screenshots")
    steps: list[tuple[int, Callable[[], None]]] = []
    state: dict[str, object] = {}

    def run_steps() -> None:
        if not steps:
            app.quit()
            return
        delay, step = steps.pop(0)

        def go() -> None:
            step()
            run_steps()

        QTimer.singleShot(delay, go)

    def watch_first_sync() -> None:
        dialog = controller.first_sync_dialog
        if (
            dialog is not None
            and dialog.progress is not None
            and dialog.progress.snapshot.phase is Phase.FIRST_SYNC
            and "first-sync" not in state
        ):
            dialog.move(470, 380)
            state["first-sync"] = True
            dialog._poll()
            grab("first-sync.png")
            return
        if "window" not in state:
            QTimer.singleShot(20, watch_first_sync)

    def window(w: MainWindow) -> None:
        state["window"] = w
        w.move(0, 0)
        w.resize(1400, 900)

        def search() -> None:
            w.search_box.setText("王")

        def open_first() -> None:
            w.results_view.selectRow(0)
            w._open_first_hit()

        def log_call() -> None:
            dialog = w.log_activity(None, "call")
            assert dialog is not None
            dialog.summary.setPlainText("Asked about the spring price list; will send it Friday.")
            dialog.follow_up.setChecked(True)
            state["dialog"] = dialog

        def save_call() -> None:
            dialog = state["dialog"]
            dialog._save()  # type: ignore[attr-defined]

        def fill_opportunity() -> None:
            [dialog] = w.findChildren(OpportunityDialog)
            dialog.name.setText("Cold-chain retrofit, Line 2")
            dialog.amount.setText("12万")
            dialog._save()  # the message under the amount is part of the picture
            dialog.has_close.setChecked(True)
            state["opportunity"] = dialog

        def close_opportunity() -> None:
            state["opportunity"].reject()  # type: ignore[attr-defined]

        def colleague() -> None:
            controller.simulate_colleague_edit()

        def my_edit() -> None:
            box = controller.colleague_box
            if box is not None:
                box.close()
            view = w.account_view.view
            assert view is not None
            mine: Account = view.account
            mine.notes = "rep1: met the buyer, they want delivery in May."
            who = w.session.identity
            w.session.submit(
                lambda replica: editing.save(replica, mine, who), lambda _r: w.sync_now()
            )

        def conflicts() -> None:
            dialog = w.open_conflicts()
            dialog.move(200, 180)
            state["conflicts"] = dialog

        def close_conflicts() -> None:
            dialog = state["conflicts"]
            dialog.close()  # type: ignore[attr-defined]

        def chinese() -> None:
            controller.switch_language("zh_CN")
            nw = controller.window
            assert nw is not None
            nw.move(0, 0)
            nw.resize(1400, 900)
            nw.search_box.setText("8000")

        steps.extend(
            [
                (1500, lambda: grab("today.png")),
                (0, search),
                (900, lambda: grab("main-window.png")),
                (0, open_first),
                (900, lambda: grab("account-360.png")),
                (0, log_call),
                (600, lambda: grab("log-call.png")),
                (0, save_call),
                (500, lambda: w.tabs.setCurrentWidget(w.pipeline)),
                (1200, lambda: grab("pipeline.png")),
                (0, lambda: w.tabs.setCurrentWidget(w.activity)),
                (1000, lambda: grab("activity.png")),
                (0, lambda: w.tabs.setCurrentWidget(w.reports)),
                (1500, lambda: grab("reports.png")),
                (0, lambda: w.tabs.setCurrentWidget(w.account_view)),
                (300, lambda: w.new_opportunity(None)),
                (700, fill_opportunity),
                (400, lambda: grab("new-opportunity.png")),
                (0, close_opportunity),
                (3500, colleague),  # after the sync that sent the call
                (2500, my_edit),  # before any sync brings the colleague's change
                (3000, conflicts),
                (1200, lambda: grab("conflict.png")),
                (0, close_conflicts),
                (300, chinese),
                (300, lambda: controller.window and controller.window._open_first_hit()),
                (1500, lambda: grab("main-window-zh.png")),
            ]
        )
        run_steps()

    controller.window_ready.connect(lambda w: "window" not in state and window(w))
    controller.start()
    watch_first_sync()
    QTimer.singleShot(120_000, app.quit)  # never hang
    try:
        return app.exec()
    finally:
        controller.shutdown()


if __name__ == "__main__":
    sys.exit(main())

"""The Reports tab through its widgets: it shows the replica's numbers, switches period and
person, exports CSV through its file seam, and reloads when deals or activities change."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from sqlalchemy import text

from desktop_crm.client import reports
from desktop_crm.client.changes import Changes
from desktop_crm.client.reports import Period
from desktop_crm.domain.records import Entity
from desktop_crm.storage.replica import Replica
from desktop_crm.ui.main_window import MainWindow
from tests.ui.conftest import ME, NOW


def _show_reports(qtbot: Any, window: MainWindow) -> None:
    window.reports.now = lambda: NOW  # the demo data's clock
    with qtbot.waitSignal(window.reports.loaded, timeout=10_000):
        window.tabs.setCurrentWidget(window.reports)


def _column(tree: Any, column: int) -> list[str]:
    return [tree.topLevelItem(n).text(column) for n in range(tree.topLevelItemCount())]


def _activities_between(replica: Replica, start: str, end: str) -> int:
    with replica.engine.connect() as conn:
        return int(conn.execute(text(
            "SELECT COUNT(*) FROM activities WHERE deleted = 0 AND start_at >= :s AND start_at < :e"
        ), {"s": start, "e": end}).scalar_one())


def test_the_reports_tab_shows_switches_period_and_exports(
    qtbot: Any, window: MainWindow, filled_replica: Replica, tmp_path: Path
) -> None:
    _show_reports(qtbot, window)
    view = window.reports
    assert view.report is not None
    stages = _column(view.funnel_table, 0)
    assert stages[0] == "Lead" and stages[-1] == "Won"
    assert "Win rate:" in view.win_rate.text()
    assert view.forecast_table.topLevelItemCount() > 0
    assert view.funnel_chart.bars and view.forecast_chart.bars and view.activity_chart.bars

    def shown_activities() -> int:
        return sum(int(n) for n in _column(view.activity_table, 1))

    start, end = reports.period_bounds(Period.LAST_90_DAYS, NOW)
    assert shown_activities() == _activities_between(
        filled_replica, start.isoformat(), end.isoformat()
    )
    with qtbot.waitSignal(view.loaded, timeout=10_000):
        view.select_period(Period.LAST_30_DAYS)
    start, end = reports.period_bounds(Period.LAST_30_DAYS, NOW)
    assert view.report is not None and view.report.start == start
    assert 0 < shown_activities() == _activities_between(
        filled_replica, start.isoformat(), end.isoformat()
    )

    # One person's: the filter narrows every list to them.
    view.set_names({ME.user_id: "Rep One", "user-rep2": "Rep Two"})
    with qtbot.waitSignal(view.loaded, timeout=10_000):
        view.person.setCurrentIndex(view.person.findData(ME.user_id))
    assert _column(view.activity_table, 0) == ["Rep One"]
    assert set(_column(view.overdue_table, 0)) <= {"Rep One"}

    path = tmp_path / "reports.csv"
    view.export_path = lambda: path
    with qtbot.waitSignal(view.exported, timeout=10_000) as exported:
        view.export_button.click()
    with path.open(encoding="utf-8-sig", newline="") as source:
        rows = list(csv.reader(source))
    assert len(rows) == exported.args[0] + 1
    assert {row[0] for row in rows[1:]} >= {"funnel", "win_rate", "forecast", "activities"}
    assert any(row[:2] == ["activities", "Rep One"] for row in rows)
    assert str(path) in view.message.text()

    # A folder that is not there: the message says why, nothing is written.
    view.export_path = lambda: tmp_path / "no-such-folder" / "reports.csv"
    view.export_button.click()
    qtbot.waitUntil(lambda: "no-such-folder" in view.message.text(), timeout=10_000)
    assert not (tmp_path / "no-such-folder").exists()

    # A cancelled file dialog writes nothing.
    view.export_path = lambda: None
    path.unlink()
    view.export_button.click()
    assert not path.exists()


def test_the_reports_reload_when_deals_or_activities_change(
    qtbot: Any, window: MainWindow
) -> None:
    _show_reports(qtbot, window)
    window.tabs.setCurrentWidget(window.today)
    with qtbot.waitSignal(window.refreshed, timeout=5000):
        window.session.edited(Changes.of(Entity.CONTACT, "contact-x", "acct"))
    assert window.reports not in window._stale  # contacts are not in any report
    with qtbot.waitSignal(window.refreshed, timeout=5000):
        window.session.edited(Changes.of(Entity.ACTIVITY, "call-1", "acct"))
    assert window.reports in window._stale
    with qtbot.waitSignal(window.reports.loaded, timeout=10_000):
        window.tabs.setCurrentWidget(window.reports)
    assert window.reports not in window._stale

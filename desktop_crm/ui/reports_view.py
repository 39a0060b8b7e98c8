"""Reports: the funnel with stage-to-stage conversion and win rate over a period, the weighted
forecast by month of expected close (per currency), activities per person per week and overdue
follow-ups per person. Each is a painted bar chart with its numbers in a table beside it; the
whole can be exported to CSV. Computed on the replica worker (``client.reports``), so it works
offline; the replica holds what the user may see (a manager's team, a rep's own work)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_crm.client import reports
from desktop_crm.client.reports import Period, Reports
from desktop_crm.domain.records import utc_now
from desktop_crm.ui.account_view import money
from desktop_crm.ui.people_choice import fill_people
from desktop_crm.ui.pipeline_view import COUNT_COLOR, WON_COLOR, short_money
from desktop_crm.ui.session import Session

OVERDUE_COLOR = QColor("#d9534f")


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: float
    text: str
    # Bars are scaled against the longest bar of their group (one per currency: amounts in
    # different currencies are never drawn to one scale).
    group: str = ""


class BarChart(QWidget):
    """Horizontal bars, one per row, with the label on the left and the number at the end."""

    def __init__(self, color: QColor, empty_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.color = color
        self.empty_text = empty_text
        self.bars: list[Bar] = []
        self.setMinimumHeight(120)

    def set_bars(self, bars: list[Bar]) -> None:
        self.bars = bars
        line = self.fontMetrics().height() + 6
        self.setMinimumHeight(max(120, line * len(bars) + 12))
        self.updateGeometry()
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(420, self.minimumHeight())

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.fillRect(self.rect(), self.palette().base())
        painter.setPen(self.palette().text().color())
        if not self.bars:
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.empty_text)
            painter.end()
            return
        metrics = painter.fontMetrics()
        row = metrics.height() + 6
        label_w = min(self.width() // 3, max(metrics.horizontalAdvance(b.label) for b in self.bars))
        text_w = max(metrics.horizontalAdvance(b.text) for b in self.bars) + 8
        space = max(10.0, self.width() - label_w - text_w - 24.0)
        longest: dict[str, float] = {}
        for bar in self.bars:
            longest[bar.group] = max(longest.get(bar.group, 0.0), bar.value)
        for n, bar in enumerate(self.bars):
            top = 6 + n * row
            label = metrics.elidedText(bar.label, Qt.TextElideMode.ElideRight, label_w)
            painter.drawText(QRectF(8, top, label_w, row), Qt.AlignmentFlag.AlignVCenter, label)
            width = space * bar.value / longest[bar.group] if longest[bar.group] else 0.0
            painter.fillRect(QRectF(16 + label_w, top + 3, width, row - 6), self.color)
            painter.drawText(
                QRectF(20 + label_w + width, top, text_w, row),
                Qt.AlignmentFlag.AlignVCenter,
                bar.text,
            )
        painter.end()


def _table(headers: list[str]) -> QTreeWidget:
    tree = QTreeWidget()
    tree.setRootIsDecorated(False)
    tree.setHeaderLabels(headers)
    tree.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    tree.setMinimumWidth(320)
    return tree


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


class ReportsView(QWidget):
    """The Reports tab. ``now`` and ``export_path`` are seams a test replaces."""

    loaded = Signal()
    exported = Signal(int)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._request = 0
        self.names: Mapping[str, str] = {}
        self.stage_label: Callable[[str, str], str] = lambda _key, name: name
        self.report: Reports | None = None
        self.now: Callable[[], datetime] = utc_now
        self.export_path: Callable[[], Path | None] = self._ask_export_path
        self.period = QComboBox()
        for period, label in self._period_labels().items():
            self.period.addItem(label, period.value)
        self.period.setCurrentIndex(self.period.findData(Period.LAST_90_DAYS.value))
        self.period.currentIndexChanged.connect(lambda _i: self.refresh())
        self.person = QComboBox()
        self.person.addItem(self.tr("Everyone"), None)
        self.person.currentIndexChanged.connect(lambda _i: self.refresh())
        self.export_button = QPushButton(self.tr("Export CSV…"))
        self.export_button.clicked.connect(self.export)
        self.heading = QLabel()
        self.heading.setStyleSheet("font-size: 16px; font-weight: 600;")
        self.message = QLabel()
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(QLabel(self.tr("Period:")))
        top.addWidget(self.period)
        top.addWidget(QLabel(self.tr("Whose:")))
        top.addWidget(self.person)
        top.addWidget(self.export_button)
        self._build_sections()
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.message)
        layout.addWidget(self._scroll, 1)

    def _period_labels(self) -> dict[Period, str]:
        return {
            Period.LAST_30_DAYS: self.tr("Last 30 days"),
            Period.LAST_90_DAYS: self.tr("Last 90 days"),
            Period.THIS_QUARTER: self.tr("This quarter"),
            Period.THIS_YEAR: self.tr("This year"),
            Period.LAST_12_MONTHS: self.tr("Last 12 months"),
        }

    def _build_sections(self) -> None:
        no_data = self.tr("Nothing in this period")
        self.funnel_chart = BarChart(COUNT_COLOR, no_data)
        self.funnel_table = _table([self.tr("Stage"), self.tr("Reached"), self.tr("Conversion")])
        self.win_rate = QLabel()
        self.forecast_chart = BarChart(
            WON_COLOR, self.tr("No open opportunities with a close date")
        )
        self.forecast_table = _table(
            [
                self.tr("Month"),
                self.tr("Currency"),
                self.tr("Opportunities"),
                self.tr("Amount"),
                self.tr("Weighted"),
            ]
        )
        self.forecast_note = QLabel()
        self.activity_chart = BarChart(COUNT_COLOR, no_data)
        self.activity_table = _table(
            [self.tr("Person / week"), self.tr("Activities"), self.tr("Per week")]
        )
        self.activity_table.setRootIsDecorated(True)
        self.overdue_chart = BarChart(OVERDUE_COLOR, self.tr("No overdue follow-ups"))
        self.overdue_table = _table([self.tr("Person"), self.tr("Overdue follow-ups")])
        body = QWidget()
        column = QVBoxLayout(body)
        sections = (
            (self.tr("Funnel and win rate"), self.funnel_chart, self.funnel_table, self.win_rate),
            (
                self.tr("Weighted forecast by month of expected close"),
                self.forecast_chart,
                self.forecast_table,
                self.forecast_note,
            ),
            (
                self.tr("Activities per person per week"),
                self.activity_chart,
                self.activity_table,
                None,
            ),
            (
                self.tr("Overdue follow-ups per person"),
                self.overdue_chart,
                self.overdue_table,
                None,
            ),
        )
        for title, chart, table, note in sections:
            box = QGroupBox(title)
            inner = QVBoxLayout(box)
            row = QHBoxLayout()
            row.addWidget(chart, 1)
            row.addWidget(table, 1)  # the forecast's five columns need the room
            inner.addLayout(row)
            if note is not None:
                note.setWordWrap(True)
                inner.addWidget(note)
            column.addWidget(box)
        column.addStretch(1)
        self._scroll = QScrollArea()
        self._scroll.setWidgetResizable(True)
        self._scroll.setWidget(body)

    def set_names(self, names: Mapping[str, str]) -> None:
        """The people to filter by: the directory's names."""
        self.names = names
        fill_people(self.person, names)

    def select_period(self, period: Period) -> None:
        self.period.setCurrentIndex(self.period.findData(period.value))

    def refresh(self) -> None:
        self._request += 1
        request = self._request
        now = self.now()
        start, end = reports.period_bounds(Period(self.period.currentData()), now)
        owner = self.person.currentData()
        self.message.setText(self.tr("Computing…"))
        self._session.submit(
            lambda replica: reports.reports(replica, start, end, now, owner),
            lambda report: self._show(request, report),
            self._failed,
            owner=self,
        )

    def _failed(self, error: BaseException) -> None:
        self.message.setText(str(error))

    def _name(self, user_id: str) -> str:
        return self.names.get(user_id, user_id[:8] or self.tr("(nobody)"))

    def _show(self, request: int, report: Reports) -> None:
        if request != self._request:
            return  # a newer period or person was chosen meanwhile
        self.report = report
        self.message.clear()
        self.heading.setText(
            self.tr("Reports, %1 to %2")
            .replace("%1", report.start.date().isoformat())
            .replace("%2", report.end.date().isoformat())
        )
        self._show_funnel(report)
        self._show_forecast(report)
        self._show_activity(report)
        self._show_overdue(report)
        self.loaded.emit()

    def _show_funnel(self, report: Reports) -> None:
        bars: list[Bar] = []
        self.funnel_table.clear()
        for step in report.funnel.steps:
            name = self.stage_label(step.stage.key, step.stage.name)
            bars.append(Bar(name, step.reached, f"{step.reached} ({_percent(step.conversion)})"))
            QTreeWidgetItem(self.funnel_table, [name, str(step.reached), _percent(step.conversion)])
        self.funnel_chart.set_bars(bars if any(b.value for b in bars) else [])
        funnel = report.funnel
        self.win_rate.setText(
            self.tr("Win rate: %1 (%2 won, %3 lost in the period)")
            .replace("%1", _percent(funnel.win_rate))
            .replace("%2", str(funnel.won))
            .replace("%3", str(funnel.lost))
        )

    def _show_forecast(self, report: Reports) -> None:
        self.forecast_table.clear()
        bars = []
        for month in report.forecast:
            QTreeWidgetItem(
                self.forecast_table,
                [
                    month.month,
                    month.currency,
                    str(month.count),
                    money(month.amount, month.currency),
                    money(month.weighted, month.currency),
                ],
            )
            bars.append(
                Bar(
                    f"{month.month} {month.currency}",
                    float(month.weighted),
                    f"{short_money(month.weighted)} {month.currency}",
                    group=month.currency,
                )
            )
        self.forecast_chart.set_bars(bars)
        self.forecast_note.setText(
            self.tr(
                "Weighted: amount × probability, per currency (never added across "
                "currencies). %1 open opportunity(s) have no expected close date."
            ).replace("%1", str(report.without_close_date))
        )

    def _show_activity(self, report: Reports) -> None:
        self.activity_table.clear()
        bars = []
        for rep in report.activity:
            name = self._name(rep.owner_id)
            person = QTreeWidgetItem(
                self.activity_table, [name, str(rep.total), f"{rep.per_week:.1f}"]
            )
            for week, count in sorted(rep.weeks.items()):
                QTreeWidgetItem(person, [week.isoformat(), str(count), ""])
            bars.append(Bar(name, rep.per_week, f"{rep.per_week:.1f}"))
        self.activity_chart.set_bars(bars)

    def _show_overdue(self, report: Reports) -> None:
        self.overdue_table.clear()
        bars = []
        for owner, count in report.overdue:
            name = self._name(owner)
            QTreeWidgetItem(self.overdue_table, [name, str(count)])
            bars.append(Bar(name, count, str(count)))
        self.overdue_chart.set_bars(bars)

    def _ask_export_path(self) -> Path | None:
        name, _filter = QFileDialog.getSaveFileName(
            self, self.tr("Export reports"), "reports.csv", "CSV (*.csv)"
        )
        return Path(name) if name else None

    def export(self) -> None:
        report = self.report
        if report is None:
            self.message.setText(self.tr("The reports are still being computed."))
            return
        path = self.export_path()
        if path is None:
            return
        names = dict(self.names)
        self._session.submit(
            lambda _replica: reports.export_csv(report, names, path),
            self._exported(path),
            self._failed,
            owner=self,
        )

    def _exported(self, path: Path) -> Callable[[int], None]:
        def done(rows: int) -> None:
            self.message.setText(
                self.tr("Exported %1 row(s) to %2")
                .replace("%1", str(rows))
                .replace("%2", str(path))
            )
            self.exported.emit(rows)

        return done

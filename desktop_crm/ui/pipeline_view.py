"""The pipeline: opportunities by stage as a bar chart (count and amount, drawn with QPainter),
and moving an opportunity to another stage with the stage's entry rules enforced."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_crm.client import editing, reading
from desktop_crm.client.editing import Written
from desktop_crm.client.reading import PipelineSummary, StageBar
from desktop_crm.domain.pipeline import StageRuleViolation
from desktop_crm.ui.account_view import money
from desktop_crm.ui.session import Session
from desktop_crm.ui.stage_labels import stage_label
from desktop_crm.ui.stage_rule_message import StageRuleMessage

ID_ROLE = Qt.ItemDataRole.UserRole + 1
ACCOUNT_ROLE = Qt.ItemDataRole.UserRole + 2

COUNT_COLOR = QColor("#5b8def")
AMOUNT_COLOR = QColor("#f2a541")
WON_COLOR = QColor("#3fa34d")
LOST_COLOR = QColor("#b0b0b0")


def short_money(value: Decimal) -> str:
    amount = float(value)
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(amount) >= limit:
            return f"{amount / limit:.1f}{suffix}"
    return f"{amount:.0f}"


class PipelineChart(QWidget):
    """Two bars per stage: how many opportunities (left axis) and their total amount (right)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bars: list[StageBar] = []
        self.setMinimumHeight(240)
        self._count_label = self.tr("Count")
        self._amount_label = self.tr("Amount")

    def set_bars(self, bars: list[StageBar], currency: str = "") -> None:
        self.bars = bars
        amount = self.tr("Amount")
        self._amount_label = f"{amount} ({currency})" if currency else amount
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(720, 280)

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), self.palette().base())
        if not self.bars:
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.tr("No opportunities"))
            return
        metrics = painter.fontMetrics()
        line = metrics.height()
        left, right, top, bottom = 16, 16, line * 2 + 8, line * 2 + 12
        area = QRectF(left, top, self.width() - left - right, self.height() - top - bottom)
        max_count = max(b.count for b in self.bars) or 1
        max_amount = max(b.amount for b in self.bars) or Decimal(1)
        # Legend.
        x = left
        for color, label in ((COUNT_COLOR, self._count_label), (AMOUNT_COLOR, self._amount_label)):
            painter.fillRect(QRectF(x, 8, 12, 12), color)
            painter.setPen(self.palette().text().color())
            painter.drawText(int(x + 16), 8 + metrics.ascent() - 1, label)
            x += 16 + metrics.horizontalAdvance(label) + 18
        # Baseline.
        painter.setPen(QPen(QColor("#999"), 1))
        baseline = int(area.bottom())
        painter.drawLine(int(area.left()), baseline, int(area.right()), baseline)
        slot = area.width() / len(self.bars)
        bar_w = max(6.0, min(48.0, slot * 0.3))
        value_font = QFont(painter.font())
        value_font.setPointSizeF(max(7.0, value_font.pointSizeF() * 0.9))
        for n, bar in enumerate(self.bars):
            center = area.left() + slot * (n + 0.5)
            h_count = area.height() * bar.count / max_count
            h_amount = area.height() * float(bar.amount / max_amount)
            count_rect = QRectF(center - bar_w - 2, area.bottom() - h_count, bar_w, h_count)
            amount_rect = QRectF(center + 2, area.bottom() - h_amount, bar_w, h_amount)
            count_color = COUNT_COLOR
            if bar.stage.is_closed:
                count_color = WON_COLOR if bar.stage.is_won else LOST_COLOR
            painter.fillRect(count_rect, count_color)
            painter.fillRect(amount_rect, AMOUNT_COLOR)
            painter.setPen(self.palette().text().color())
            painter.setFont(value_font)
            painter.drawText(
                QRectF(count_rect.left() - 20, count_rect.top() - line - 2, bar_w + 40, line),
                Qt.AlignmentFlag.AlignCenter,
                str(bar.count),
            )
            painter.drawText(
                QRectF(amount_rect.left() - 20, amount_rect.top() - line - 2, bar_w + 40, line),
                Qt.AlignmentFlag.AlignCenter,
                short_money(bar.amount),
            )
            painter.setFont(self.font())
            label = metrics.elidedText(bar.stage.name, Qt.TextElideMode.ElideRight, int(slot) - 4)
            painter.drawText(
                QRectF(center - slot / 2, area.bottom() + 4, slot, line),
                Qt.AlignmentFlag.AlignCenter,
                label,
            )
        painter.end()


class PipelineView(QWidget):
    open_account = Signal(str)
    edit_opportunity = Signal(str, str)  # opportunity id, the field to start at ("" = none)
    log_for_opportunity = Signal(str, str)  # opportunity id, activity kind

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self.chart = PipelineChart()
        self.table = QTreeWidget()
        self.table.setRootIsDecorated(False)
        self.table.setHeaderLabels(
            [
                self.tr("Opportunity"),
                self.tr("Customer"),
                self.tr("Stage"),
                self.tr("Amount"),
                self.tr("Close"),
            ]
        )
        self.table.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.header().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.itemDoubleClicked.connect(self._open)
        self.stage = QComboBox()
        self.move_button = QPushButton(self.tr("Move to stage"))
        self.move_button.clicked.connect(self._move)
        self.open_account_button = QPushButton(self.tr("Open customer"))
        self.open_account_button.clicked.connect(self._open_selected_account)
        # A refused move says what is missing, with a button that does it.
        self._moving = ""  # the deal of the last move asked for
        self.rule_message = StageRuleMessage()
        self.message = self.rule_message.label
        self.rule_message.log_call.connect(
            lambda: self.log_for_opportunity.emit(self._moving, "call")
        )
        self.rule_message.set_close_date.connect(
            lambda: self.edit_opportunity.emit(self._moving, "expected_close")
        )
        self.table.setToolTip(self.tr("Double-click an opportunity to edit it"))
        controls = QHBoxLayout()
        controls.addWidget(QLabel(self.tr("Selected opportunity:")))
        controls.addWidget(self.stage)
        controls.addWidget(self.move_button)
        controls.addWidget(self.open_account_button)
        controls.addStretch(1)
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        self.currency_note = QLabel()
        self.currency_note.setVisible(False)
        lower_layout.addWidget(self.currency_note)
        lower_layout.addWidget(self.table)
        lower_layout.addLayout(controls)
        lower_layout.addWidget(self.rule_message)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.chart)
        split.addWidget(lower)
        split.setSizes([300, 300])
        layout = QVBoxLayout(self)
        layout.addWidget(split)
        self.summary: PipelineSummary | None = None
        self._loading = False

    def refresh(self) -> None:
        if self._loading:
            return
        self._loading = True
        self._session.submit(reading.pipeline_summary, self._show, self._failed, owner=self)

    def _failed(self, error: BaseException) -> None:
        self._loading = False
        self.message.setText(str(error))

    @staticmethod
    def stage_label(key: str, name: str) -> str:
        """The default stages in the user's language; configured ones as configured."""
        return stage_label(key, name)

    def _show(self, summary: PipelineSummary) -> None:
        self._loading = False
        summary = dataclasses.replace(
            summary,
            bars=[
                StageBar(
                    dataclasses.replace(b.stage, name=self.stage_label(b.stage.key, b.stage.name)),
                    b.count,
                    b.amount,
                )
                for b in summary.bars
            ],
        )
        self.summary = summary
        self.chart.set_bars(summary.bars, summary.currency)
        self.currency_note.setVisible(bool(summary.other_currencies))
        if summary.other_currencies:
            self.currency_note.setText(
                self.tr(
                    "%n opportunity(s) in other currencies are counted, "
                    "but their amounts are not added up.",
                    "",
                    summary.other_currencies,
                )
            )
        names = {b.stage.key: b.stage.name for b in summary.bars}
        current = self.stage.currentData()
        self.stage.clear()
        for bar in summary.bars:
            self.stage.addItem(bar.stage.name, bar.stage.key)
        if current is not None:
            self.stage.setCurrentIndex(max(0, self.stage.findData(current)))
        selected = self.selected_id()
        self.table.clear()
        for opp, account_name in summary.opportunities:
            item = QTreeWidgetItem(
                [
                    opp.name,
                    account_name,
                    names.get(opp.stage, opp.stage),
                    money(opp.amount, opp.currency),
                    opp.expected_close.isoformat() if opp.expected_close else "—",
                ]
            )
            item.setData(0, ID_ROLE, opp.meta.id)
            item.setData(0, ACCOUNT_ROLE, opp.account_id)
            item.setTextAlignment(3, Qt.AlignmentFlag.AlignRight)
            self.table.addTopLevelItem(item)
            if opp.meta.id == selected:
                self.table.setCurrentItem(item)

    def selected_id(self) -> str | None:
        item = self.table.currentItem()
        return None if item is None else str(item.data(0, ID_ROLE))

    def select(self, opportunity_id: str) -> None:
        for n in range(self.table.topLevelItemCount()):
            item = self.table.topLevelItem(n)
            if item is not None and item.data(0, ID_ROLE) == opportunity_id:
                self.table.setCurrentItem(item)
                return

    def _open(self, item: QTreeWidgetItem, _column: int) -> None:
        self.edit_opportunity.emit(str(item.data(0, ID_ROLE)), "")

    def _open_selected_account(self) -> None:
        item = self.table.currentItem()
        if item is None:
            self.rule_message.show_text(self.tr("Pick an opportunity in the list first."))
            return
        self.open_account.emit(str(item.data(0, ACCOUNT_ROLE)))

    def _move(self) -> None:
        opportunity_id = self.selected_id()
        if opportunity_id is None:
            self.rule_message.show_text(self.tr("Pick an opportunity in the list first."))
            return
        self.move_to(opportunity_id, str(self.stage.currentData()))

    def move_to(self, opportunity_id: str, stage_key: str) -> None:
        self._moving = opportunity_id
        self.rule_message.show_text(self.tr("Moving…"))
        who = self._session.identity
        self._session.submit(
            lambda replica: editing.move_stage(replica, opportunity_id, stage_key, who),
            self._moved,
            self._refused,
            owner=self,
        )

    def _moved(self, written: Written[object]) -> None:
        self.rule_message.show_done(self.tr("Moved. It goes to the server with the next sync."))
        self._session.edited(written.changes)

    def _refused(self, error: BaseException) -> None:
        label = ""
        if isinstance(error, StageRuleViolation):
            label = self.stage_label(error.stage.key, error.stage.name)
        self.rule_message.show_refusal(error, label)

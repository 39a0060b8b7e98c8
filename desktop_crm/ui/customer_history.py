"""The customer's history in the 360° view: the whole timeline (a lazy model, filterable by
kind and by opportunity) and the closed (won or lost) opportunities in their own list."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTreeView,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_crm.client import history
from desktop_crm.client.history import TimelineFilter
from desktop_crm.domain.records import ActivityKind, Opportunity
from desktop_crm.ui.formatting import money
from desktop_crm.ui.session import Session
from desktop_crm.ui.timeline_model import ID_ROLE, TimelineModel

ANY = "__any__"


class TimelinePane(QWidget):
    """Filters over the lazy timeline; "Showing 50 — scroll for more" under it."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = TimelineModel(session, self)
        self.view = QTreeView()
        self.view.setRootIsDecorated(False)
        self.view.setUniformRowHeights(True)  # cheap layout of thousands of rows
        self.view.setModel(self.model)
        header = self.view.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.kind_filter = QComboBox()
        self.kind_filter.addItem(self.tr("All kinds"), ANY)
        kinds = {
            ActivityKind.CALL: self.tr("Calls"),
            ActivityKind.MEETING: self.tr("Meetings"),
            ActivityKind.VISIT: self.tr("Visits"),
            ActivityKind.EMAIL: self.tr("E-mails"),
            ActivityKind.NOTE: self.tr("Notes"),
        }
        for kind, label in kinds.items():
            self.kind_filter.addItem(label, kind.value)
        self.opportunity_filter = QComboBox()
        self.opportunity_filter.addItem(self.tr("All opportunities"), ANY)
        self.count = QLabel()
        self.count.setStyleSheet("color: #666;")
        for combo in (self.kind_filter, self.opportunity_filter):
            combo.currentIndexChanged.connect(self._filter_changed)
        self.model.page_loaded.connect(self._page_loaded)
        self.model.load_failed.connect(self._load_failed)
        self._scroll: int | None = None
        self.model.replaced.connect(self._restore_scroll)
        bar = QHBoxLayout()
        bar.addWidget(self.kind_filter)
        bar.addWidget(self.opportunity_filter)
        bar.addStretch(1)
        bar.addWidget(self.count)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.view)

    def show_account(self, account_id: str) -> None:
        """Another customer: its first page, with every filter reset."""
        for combo in (self.kind_filter, self.opportunity_filter):
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        self._scroll = None
        self.model.show(account_id, TimelineFilter())

    def refresh(self) -> None:
        """Read the shown rows again (after an edit or a sync), keeping the scroll position."""
        self._scroll = self.view.verticalScrollBar().value()
        self.model.reload()

    def _restore_scroll(self) -> None:
        if self._scroll is not None:
            self.view.verticalScrollBar().setValue(self._scroll)
            self._scroll = None

    def set_opportunities(self, deals: Sequence[Opportunity]) -> None:
        """The opportunity filter's choices (open and closed); the choice stays if it still
        exists."""
        combo = self.opportunity_filter
        chosen = combo.currentData()
        combo.blockSignals(True)
        while combo.count() > 1:
            combo.removeItem(1)
        for deal in deals:
            combo.addItem(deal.name, deal.meta.id)
        combo.setCurrentIndex(max(0, combo.findData(chosen)))
        combo.blockSignals(False)
        if combo.currentData() != chosen:
            self._filter_changed()

    def _filter_changed(self) -> None:
        if self.model.account_id is None:
            return
        kind = self.kind_filter.currentData()
        deal = self.opportunity_filter.currentData()
        self.model.show(
            self.model.account_id,
            TimelineFilter(
                kind=None if kind == ANY else str(kind),
                opportunity_id=None if deal in (ANY, None) else str(deal),
            ),
        )

    def _load_failed(self, error: str) -> None:
        self.count.setText(self.tr("Could not read the timeline: %1").replace("%1", error))

    def _page_loaded(self, rows: int, more: bool) -> None:
        if more:
            text = self.tr("Showing %1 — scroll down for older ones").replace("%1", f"{rows:,}")
        else:
            text = self.tr("%1 activities").replace("%1", f"{rows:,}")
        self.count.setText(text)
        self.view.resizeColumnToContents(0)


class ClosedOpportunities(QTreeWidget):
    """Won and lost opportunities, latest close first (loaded on the replica worker)."""

    #: The closed deals arrived (``deals``).
    loaded = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._request = 0
        self.deals: list[Opportunity] = []
        self.stage_names: Mapping[str, str] = {}
        self.setRootIsDecorated(False)
        self.setHeaderLabels(
            [self.tr("Opportunity"), self.tr("Outcome"), self.tr("Amount"), self.tr("Closed")]
        )
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)

    def load(self, account_id: str) -> None:
        self._request += 1
        request = self._request
        self._session.submit(
            lambda replica: history.closed(replica, account_id),
            lambda deals: self._fill(request, deals),
            owner=self,
        )

    def _fill(self, request: int, deals: list[Opportunity]) -> None:
        if request != self._request:
            return
        self.deals = deals
        self.clear()
        for deal in deals:
            item = QTreeWidgetItem(
                [
                    deal.name,
                    self.stage_names.get(deal.stage, deal.stage),
                    money(deal.amount, deal.currency),
                    deal.expected_close.isoformat() if deal.expected_close else "",
                ]
            )
            item.setData(0, ID_ROLE, deal.meta.id)
            item.setTextAlignment(2, Qt.AlignmentFlag.AlignRight)
            self.addTopLevelItem(item)
        self.loaded.emit()

"""Duplicates: the server's review queue of suspected duplicate customers (or contacts), for
managers (their team) and administrators (everything). Each pair shows its score and why it
looks alike; Dismiss takes it out of the queue for good, Merge… opens the merge dialog. The
queue is read online, on the replica worker, never on the GUI thread."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_crm.client import duplicate_review
from desktop_crm.client.duplicate_review import DuplicatePair
from desktop_crm.domain.records import Entity
from desktop_crm.ui.duplicate_warning import reason_text
from desktop_crm.ui.merge_dialog import MergeDialog, review_error_text
from desktop_crm.ui.session import Session


class DuplicatesView(QWidget):
    # The number of pairs shown after each answer; -1 when the server could not answer.
    loaded = Signal(int)
    # A pair was merged: the survivor's id (the window syncs so the replica follows).
    merged = Signal(str)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._request = 0
        self.pairs: list[DuplicatePair] = []
        self.merge_dialog: MergeDialog | None = None
        # User id -> name, for the owners the merge dialog shows (set by the window).
        self.owner_names: Mapping[str, str] = {}
        self.heading = QLabel(self.tr("Suspected duplicates (read from the server)"))
        self.heading.setStyleSheet("font-size: 16px; font-weight: 600;")
        self.entity = QComboBox()
        self.entity.addItem(self.tr("Customers"), Entity.ACCOUNT.value)
        self.entity.addItem(self.tr("Contacts"), Entity.CONTACT.value)
        self.entity.currentIndexChanged.connect(lambda _i: self.refresh())
        self.refresh_button = QPushButton(self.tr("Refresh"))
        self.refresh_button.clicked.connect(lambda: self.refresh())
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(
            [self.tr("Record"), self.tr("Looks like"), self.tr("Score"), self.tr("Why")]
        )
        header = self.table.horizontalHeader()
        for column in (0, 1):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.table.doubleClicked.connect(lambda _index: self.open_merge())
        self.dismiss_button = QPushButton(self.tr("Not duplicates"))
        self.dismiss_button.setToolTip(self.tr("Take the pair out of the queue for good"))
        self.dismiss_button.clicked.connect(self.dismiss)
        self.merge_button = QPushButton(self.tr("Merge…"))
        self.merge_button.clicked.connect(self.open_merge)
        self.status = QLabel()
        self.status.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.entity)
        top.addWidget(self.refresh_button)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.dismiss_button)
        bottom.addWidget(self.merge_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)
        self._selection_changed()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self._request == 0:
            self.refresh()  # the first time the tab is shown

    @property
    def current_entity(self) -> Entity:
        return Entity(self.entity.currentData())

    def refresh(self) -> None:
        self._request += 1
        request = self._request
        entity = self.current_entity
        self.status.setText(self.tr("Loading…"))
        started = self._session.submit_online(
            lambda client: duplicate_review.review_queue(client, entity),
            lambda pairs: self._show(request, pairs),
            lambda error: self._failed(request, error),
            owner=self,
        )
        if not started:
            self.status.setText(self.tr("This profile has no server: there is no review queue."))

    def _show(self, request: int, pairs: list[DuplicatePair]) -> None:
        if request != self._request:
            return  # a newer request was started meanwhile
        self.pairs = pairs
        self.table.setRowCount(len(pairs))
        for row, pair in enumerate(pairs):
            why = ", ".join(reason_text(r) for r in pair.reasons)
            for column, text in enumerate((pair.name_a, pair.name_b, f"{pair.score:g}%", why)):
                item = QTableWidgetItem(text)
                if column == 2:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(row, column, item)
        self.status.setText(
            self.tr("%n suspected duplicate pair(s) to review.", "", len(pairs))
            if pairs
            else self.tr("No suspected duplicates to review.")
        )
        self._selection_changed()
        self.loaded.emit(len(pairs))

    def _failed(self, request: int, error: BaseException) -> None:
        if request != self._request:
            return
        self.status.setText(review_error_text(error))
        self.loaded.emit(-1)

    def selected(self) -> DuplicatePair | None:
        rows = {i.row() for i in self.table.selectedItems()}
        return self.pairs[min(rows)] if rows and min(rows) < len(self.pairs) else None

    def select(self, id_a: str, id_b: str) -> None:
        """Select the pair of these two records (either order; also used by tests)."""
        for row, pair in enumerate(self.pairs):
            if {pair.id_a, pair.id_b} == {id_a, id_b}:
                self.table.selectRow(row)
                return

    def _selection_changed(self) -> None:
        chosen = self.selected() is not None
        self.dismiss_button.setEnabled(chosen)
        self.merge_button.setEnabled(chosen)

    def dismiss(self) -> None:
        pair = self.selected()
        if pair is None:
            return
        self.dismiss_button.setEnabled(False)
        self.status.setText(self.tr("Dismissing…"))
        self._session.submit_online(
            lambda client: duplicate_review.dismiss(client, pair),
            lambda _pair: self.refresh(),
            lambda error: self._failed(self._request, error),
            owner=self,
        )

    def open_merge(self) -> MergeDialog | None:
        pair = self.selected()
        if pair is None:
            return None
        dialog = MergeDialog(self._session, pair, self.owner_names, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.merged.connect(self._merged)
        dialog.finished.connect(lambda _result: setattr(self, "merge_dialog", None))
        self.merge_dialog = dialog
        dialog.open()
        return dialog

    def _merged(self, survivor_id: str) -> None:
        self.merged.emit(survivor_id)
        self.refresh()

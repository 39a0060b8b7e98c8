"""Audit: who did what, when, from where — read online from the server's audit trail, for
administrators (everything) and managers (their team). Filters by person, action, date and
record; "Older" pages back. The request runs on the replica worker, never the GUI thread."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_crm.client import duplicate_review
from desktop_crm.client.audit import AuditQuery, read_audit
from desktop_crm.client.identity import UNDOERS
from desktop_crm.protocol.audit import AuditEntry, AuditPage
from desktop_crm.sync.http_client import Offline, ServerRefused, SignInRequired
from desktop_crm.ui.account_view import local_time
from desktop_crm.ui.session import Session

# Where a merge entry's item keeps the merge's id (for "Undo merge").
MERGE_ID = Qt.ItemDataRole.UserRole + 1


class AuditView(QWidget):
    # Emitted with the number of entries shown after each answer (tests wait for it).
    loaded = Signal(int)
    # An administrator undid a merge: the restored record's id (the window syncs).
    merge_undone = Signal(str)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._request = 0
        self._next_before: int | None = None
        self.heading = QLabel(self.tr("Audit trail (read from the server)"))
        self.heading.setStyleSheet("font-size: 16px; font-weight: 600;")
        self.user = QLineEdit(placeholderText=self.tr("User name"))
        self.action = QLineEdit(placeholderText=self.tr("Action, e.g. login or user.role"))
        self.since = QLineEdit(placeholderText=self.tr("Since, e.g. 2026-12-01"))
        self.record = QLineEdit(placeholderText=self.tr("Record id"))
        self.search = QPushButton(self.tr("Search"))
        self.search.clicked.connect(lambda: self.refresh())
        self.older = QPushButton(self.tr("Older"))
        self.older.setEnabled(False)
        self.older.clicked.connect(lambda: self.refresh(older=True))
        for box in (self.user, self.action, self.since, self.record):
            box.returnPressed.connect(lambda: self.refresh())
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.tree = QTreeWidget()
        self.tree.setRootIsDecorated(False)
        self.tree.setHeaderLabels(
            [
                self.tr("When"),
                self.tr("Who"),
                self.tr("Action"),
                self.tr("Record"),
                self.tr("From"),
                self.tr("Details"),
            ]
        )
        self.tree.header().setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        self.undo_merge = QPushButton(self.tr("Undo merge"))
        self.undo_merge.setToolTip(
            self.tr("Restore the merged-away record and move its children back")
        )
        self.undo_merge.setVisible(session.identity.role in UNDOERS)
        self.undo_merge.setEnabled(False)
        self.undo_merge.clicked.connect(self._undo_merge)
        self.tree.itemSelectionChanged.connect(
            lambda: self.undo_merge.setEnabled(self._selected_merge() is not None)
        )
        filters = QHBoxLayout()
        for widget in (self.user, self.action, self.since, self.record, self.search):
            filters.addWidget(widget)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.undo_merge)
        bottom.addWidget(self.older)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(filters)
        layout.addWidget(self.tree, 1)
        layout.addLayout(bottom)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self._request == 0:
            self.refresh()  # the first time the tab is shown

    def refresh(self, *, older: bool = False) -> None:
        query = AuditQuery(
            user=self.user.text(),
            action=self.action.text(),
            since=self.since.text(),
            record=self.record.text(),
            before_id=self._next_before if older else None,
        )
        self._request += 1
        request = self._request
        sync = self._session.profile_sync
        self.status.setText(self.tr("Loading…"))
        self._session.submit(
            lambda _replica: read_audit(sync, query),
            lambda page: self._show(request, page, older),
            lambda error: self._failed(request, error),
            owner=self,
        )

    def _show(self, request: int, page: AuditPage, older: bool) -> None:
        if request != self._request:
            return  # a newer search was started meanwhile
        if not older:
            self.tree.clear()
        self.tree.addTopLevelItems([self._item(entry) for entry in page.entries])
        self._next_before = page.next_before_id
        self.older.setEnabled(page.next_before_id is not None)
        count = self.tree.topLevelItemCount()
        self.status.setText(
            self.tr("%1 entries").replace("%1", str(count))
            if count
            else self.tr("No audit entries match.")
        )
        self.loaded.emit(count)

    def _item(self, entry: AuditEntry) -> QTreeWidgetItem:
        record = f"{entry.entity}: {entry.record_id}" if entry.record_id else ""
        item = QTreeWidgetItem(
            [
                local_time(_moment(entry.at)),
                entry.username or entry.actor_id,
                entry.action,
                record,
                entry.address or "",
                _detail_text(entry.detail),
            ]
        )
        if entry.action == "merge" and isinstance(entry.detail, dict):
            item.setData(0, MERGE_ID, str(entry.detail.get("merge_id") or ""))
        return item

    def _selected_merge(self) -> str | None:
        """The merge id of the selected entry, if it is a merge."""
        items = self.tree.selectedItems()
        merge_id = items[0].data(0, MERGE_ID) if items else None
        return str(merge_id) if merge_id else None

    def _undo_merge(self) -> None:
        merge_id = self._selected_merge()
        if merge_id is None:
            return
        self.undo_merge.setEnabled(False)
        self.status.setText(self.tr("Undoing the merge…"))
        self._session.submit_online(
            lambda client: duplicate_review.undo(client, merge_id),
            self._merge_undone,
            self._undo_failed,
            owner=self,
        )

    def _merge_undone(self, restored_id: str) -> None:
        self.status.setText(
            self.tr("Merge undone: the merged-away record comes back with the next sync.")
        )
        self.merge_undone.emit(restored_id)

    def _undo_failed(self, error: BaseException) -> None:
        self.undo_merge.setEnabled(self._selected_merge() is not None)
        self.status.setText(
            self.tr("The merge was not undone: %1").replace(
                "%1", error.detail if isinstance(error, ServerRefused) else str(error)
            )
        )

    def _failed(self, request: int, error: BaseException) -> None:
        if request != self._request:
            return
        if isinstance(error, ServerRefused) and error.status_code == 422:
            text = self.tr("The server refused the filter: %1").replace("%1", error.detail)
        elif isinstance(error, ServerRefused) and error.status_code == 404:
            text = self.tr("Not found, or not allowed for your role: %1").replace(
                "%1", error.detail
            )
        elif isinstance(error, Offline):
            text = self.tr("Offline: the audit trail is read from the server.")
        elif isinstance(error, SignInRequired):
            text = self.tr("Sign in to read the audit trail.")
        else:
            text = self.tr("Could not read the audit trail: %1").replace("%1", str(error)[:200])
        self.status.setText(text)
        self.loaded.emit(-1)


def _moment(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _detail_text(detail: Any) -> str:
    if detail in (None, {}, ""):
        return ""
    return json.dumps(detail, ensure_ascii=False, sort_keys=True)

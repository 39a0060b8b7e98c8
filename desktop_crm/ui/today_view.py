"""Today: the follow-ups that are overdue or due today, shown when the window opens."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_crm.client import editing, reading
from desktop_crm.client.editing import Written
from desktop_crm.storage.queries import FollowUp, FollowUpsDue
from desktop_crm.ui.account_view import local_time
from desktop_crm.ui.session import Session

ID_ROLE = Qt.ItemDataRole.UserRole + 1
ACCOUNT_ROLE = Qt.ItemDataRole.UserRole + 2
OVERDUE = QColor("#b00020")


class TodayView(QWidget):
    open_account = Signal(str)
    loaded = Signal(int)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self.heading = QLabel()
        self.heading.setStyleSheet("font-size: 16px; font-weight: 600;")
        self.tree = QTreeWidget()
        self.tree.setRootIsDecorated(False)
        self.tree.setHeaderLabels(
            [self.tr("Due"), self.tr("Customer"), self.tr("Contact"), self.tr("About")]
        )
        self.tree.header().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.tree.itemDoubleClicked.connect(
            lambda item, _c: self.open_account.emit(str(item.data(0, ACCOUNT_ROLE)))
        )
        self.done_button = QPushButton(self.tr("Mark done"))
        self.done_button.clicked.connect(self._mark_done)
        self.open_button = QPushButton(self.tr("Open customer"))
        self.open_button.clicked.connect(self._open_current)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.done_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.tree, 1)
        layout.addLayout(buttons)
        self.due: FollowUpsDue | None = None

    def refresh(self, now: datetime | None = None) -> None:
        moment = now or datetime.now().astimezone()
        user = self._session.identity.user_id
        self._session.submit(
            lambda replica: reading.follow_ups(replica, moment, user if user != "local" else None),
            self._show,
            owner=self,
        )

    def _show(self, due: FollowUpsDue) -> None:
        self.due = due
        self.tree.clear()
        self.heading.setText(
            self.tr("%1 overdue, %2 due today")
            .replace("%1", str(len(due.overdue)))
            .replace("%2", str(len(due.today)))
            if len(due)
            else self.tr("Nothing due today. Well done.")
        )
        for item in [*due.overdue, *due.today]:
            self.tree.addTopLevelItem(self._item(item))
        self.tree.resizeColumnToContents(0)
        self.tree.resizeColumnToContents(1)
        self.loaded.emit(len(due))

    def _item(self, follow: FollowUp) -> QTreeWidgetItem:
        act = follow.activity
        about = act.summary or act.outcome or act.kind
        item = QTreeWidgetItem(
            [local_time(act.follow_up_at), follow.account_name, follow.contact_name or "", about]
        )
        item.setData(0, ID_ROLE, act.meta.id)
        item.setData(0, ACCOUNT_ROLE, act.account_id)
        if follow.overdue:
            item.setForeground(0, QBrush(OVERDUE))
            item.setToolTip(0, self.tr("Overdue"))
        return item

    def _open_current(self) -> None:
        item = self.tree.currentItem()
        if item is not None:
            self.open_account.emit(str(item.data(0, ACCOUNT_ROLE)))

    def _mark_done(self) -> None:
        item = self.tree.currentItem()
        if item is None:
            return
        activity_id, who = str(item.data(0, ID_ROLE)), self._session.identity
        self._session.submit(
            lambda replica: editing.complete_follow_up(replica, activity_id, who),
            self._marked_done,
            owner=self,
        )

    def _marked_done(self, written: Written[bool]) -> None:
        self._session.edited(written.changes)

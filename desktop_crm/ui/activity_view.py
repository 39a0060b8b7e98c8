"""Activity: the newest calls, meetings and e-mails across every customer in the replica — a
manager's view of what the team did, or a rep's own recent work — filterable by person."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_crm.client import reading
from desktop_crm.storage.queries import FeedItem
from desktop_crm.ui.account_view import local_time
from desktop_crm.ui.activity_kinds import ActivityKindLabels
from desktop_crm.ui.people_choice import fill_people
from desktop_crm.ui.session import Session

ACCOUNT_ROLE = Qt.ItemDataRole.UserRole + 2
#: How many activities the list shows.
FEED_SIZE = 300


class ActivityFeedView(QWidget):
    open_account = Signal(str)
    loaded = Signal(int)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._request = 0
        self.names: Mapping[str, str] = {}
        self.heading = QLabel()
        self.heading.setStyleSheet("font-size: 16px; font-weight: 600;")
        self.person = QComboBox()
        self.person.addItem(self.tr("Everyone"), None)
        self.person.currentIndexChanged.connect(lambda _i: self.refresh())
        self.tree = QTreeWidget()
        self.tree.setRootIsDecorated(False)
        self.tree.setHeaderLabels(
            [
                self.tr("When"),
                self.tr("Customer"),
                self.tr("What"),
                self.tr("By"),
                self.tr("Summary"),
            ]
        )
        self.tree.header().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.tree.itemDoubleClicked.connect(
            lambda item, _c: self.open_account.emit(str(item.data(0, ACCOUNT_ROLE)))
        )
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(QLabel(self.tr("Whose:")))
        top.addWidget(self.person)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.tree, 1)

    def set_names(self, names: Mapping[str, str]) -> None:
        """The people to filter by: the directory's names."""
        self.names = names
        fill_people(self.person, names)

    def refresh(self) -> None:
        self._request += 1
        request = self._request
        author = self.person.currentData()
        self._session.submit(
            lambda replica: reading.activity_feed(replica, author, FEED_SIZE),
            lambda feed: self._show(request, feed),
            owner=self,
        )

    def _show(self, request: int, feed: list[FeedItem]) -> None:
        if request != self._request:
            return  # a newer filter was chosen meanwhile
        kinds = ActivityKindLabels(self)
        self.heading.setText(
            self.tr("The latest %1 activities").replace("%1", str(len(feed)))
            if feed
            else self.tr("No activities yet.")
        )
        self.tree.clear()
        for item in feed:
            act = item.activity
            what = kinds(act.kind)
            if item.contact_name:
                what += f" · {item.contact_name}"
            author = act.author_id or act.meta.updated_by
            hidden = "summary" in item.masked
            row = QTreeWidgetItem(
                [
                    local_time(act.start_at),
                    item.account_name,
                    what,
                    self.names.get(author, author[:8]),
                    self.tr("hidden for your role") if hidden else act.summary,
                ]
            )
            row.setData(0, ACCOUNT_ROLE, act.account_id)
            tip = self.tr("Your role may not read this field.") if hidden else act.summary
            row.setToolTip(4, tip)
            self.tree.addTopLevelItem(row)
        for column in range(4):
            self.tree.resizeColumnToContents(column)
        self.loaded.emit(len(feed))

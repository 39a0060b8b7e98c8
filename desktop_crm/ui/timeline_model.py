"""The customer's timeline as a lazy item model: the first page of activities arrives from the
replica worker, and each further page when the view scrolls to the bottom (``canFetchMore`` /
``fetchMore``), so a customer with ten years of calls opens as fast as a new one."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from desktop_crm.client import history
from desktop_crm.client.history import ActivityPage, TimelineCursor, TimelineFilter
from desktop_crm.domain.records import Activity
from desktop_crm.storage.customer_history import PAGE_SIZE
from desktop_crm.ui.activity_kinds import ActivityKindLabels
from desktop_crm.ui.formatting import local_time
from desktop_crm.ui.session import Session

ID_ROLE = Qt.ItemDataRole.UserRole + 1

_Index = QModelIndex | QPersistentModelIndex


class TimelineModel(QAbstractTableModel):
    #: A page arrived (rows now held, whether more are waiting).
    page_loaded = Signal(int, bool)
    #: The rows were read anew (a customer, a filter or a reload), or reading them failed.
    replaced = Signal()
    #: Reading a page failed (the error, for the user).
    load_failed = Signal(str)

    COLUMNS = ("when", "what", "outcome", "summary", "by")

    def __init__(self, session: Session, parent: Any = None) -> None:
        super().__init__(parent)
        self._session = session
        self._rows: list[Activity] = []
        self._masked: dict[str, frozenset[str]] = {}
        self._next: TimelineCursor | None = None
        self._loading = False
        self._generation = 0
        self.account_id: str | None = None
        self.filter = TimelineFilter()
        #: Set by the customer view: names instead of ids.
        self.contact_names: Mapping[str, str] = {}
        self.owner_names: Mapping[str, str] = {}
        self.hidden_text = self.tr("hidden for your role")
        self.hidden_tip = self.tr("Your role may not read this field. It is not empty.")
        self._kinds = ActivityKindLabels(self)
        self._headers = [
            self.tr("When"),
            self.tr("What"),
            self.tr("Outcome"),
            self.tr("Summary"),
            self.tr("By"),
        ]

    # Loading -------------------------------------------------------------------------------

    def show(self, account_id: str, flt: TimelineFilter | None = None) -> None:
        """Start over with the first page of ``account_id`` (another customer or filter)."""
        self.account_id = account_id
        self.filter = flt or TimelineFilter()
        self._load(PAGE_SIZE)

    def reload(self) -> None:
        """The data changed: read again as many rows as are shown (the scroll position stays
        meaningful), at least a page."""
        if self.account_id is not None:
            self._load(max(PAGE_SIZE, len(self._rows)))

    def _load(self, limit: int) -> None:
        self._generation += 1
        generation, account_id, flt = self._generation, self.account_id, self.filter
        assert account_id is not None
        self._loading = True
        self._session.submit(
            lambda replica: history.activity_page(replica, account_id, flt, None, limit),
            lambda page: self._replace(generation, page),
            lambda error: self._failed(generation, error, replacing=True),
            owner=self,
        )

    def _replace(self, generation: int, page: ActivityPage) -> None:
        if generation != self._generation:
            return
        self.beginResetModel()
        self._rows = list(page.activities)
        self._masked = dict(page.masked)
        self._next = page.next
        self._loading = False
        self.endResetModel()
        self.page_loaded.emit(len(self._rows), self._next is not None)
        self.replaced.emit()

    def _failed(self, generation: int, error: BaseException, *, replacing: bool = False) -> None:
        if generation != self._generation:
            return
        self._loading = False
        self.load_failed.emit(str(error))
        if replacing:
            self.replaced.emit()

    def canFetchMore(self, parent: _Index = QModelIndex()) -> bool:  # noqa: B008,N802
        return not parent.isValid() and self._next is not None and not self._loading

    def fetchMore(self, parent: _Index = QModelIndex()) -> None:  # noqa: B008,N802
        if not self.canFetchMore(parent) or self.account_id is None:
            return
        generation, account_id, flt, after = (
            self._generation,
            self.account_id,
            self.filter,
            self._next,
        )
        self._loading = True
        self._session.submit(
            lambda replica: history.activity_page(replica, account_id, flt, after),
            lambda page: self._append(generation, page),
            lambda error: self._failed(generation, error),
            owner=self,
        )

    def _append(self, generation: int, page: ActivityPage) -> None:
        if generation != self._generation:
            return  # another customer or filter meanwhile
        self._loading = False
        self._next = page.next
        if page.activities:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(page.activities) - 1)
            self._rows.extend(page.activities)
            self._masked.update(page.masked)
            self.endInsertRows()
        self.page_loaded.emit(len(self._rows), self._next is not None)

    def has_more(self) -> bool:
        return self._next is not None

    def activity(self, row: int) -> Activity:
        return self._rows[row]

    # Qt model API --------------------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008,N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008,N802
        return 0 if parent.isValid() else len(self.COLUMNS)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        act = self._rows[index.row()]
        column = self.COLUMNS[index.column()]
        if role == ID_ROLE:
            return act.meta.id
        hidden = "summary" in self._masked.get(act.meta.id, frozenset())
        if role == Qt.ItemDataRole.ToolTipRole and column == "summary":
            return self.hidden_tip if hidden else act.summary
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        return self._text(act, column, hidden)

    def _text(self, act: Activity, column: str, hidden: bool) -> str:
        if column == "when":
            return local_time(act.start_at)
        if column == "what":
            what = self._kinds(act.kind)
            if act.contact_id and act.contact_id in self.contact_names:
                what += f" · {self.contact_names[act.contact_id]}"
            if act.duration_minutes:
                what += f" · {act.duration_minutes} min"
            return what
        if column == "outcome":
            return act.outcome
        if column == "summary":
            summary = self.hidden_text if hidden else act.summary
            if act.follow_up_at and not act.follow_up_done:
                summary += "  → " + self.tr("follow up %1").replace(
                    "%1", local_time(act.follow_up_at)
                )
            return summary
        author = act.author_id or act.meta.updated_by
        return self.owner_names.get(author, author[:8])  # the directory: names, not ids

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(self._headers)
        ):
            return self._headers[section]
        return None

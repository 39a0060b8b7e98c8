"""The account list: a table model that holds ids only and fetches rows lazily.

Filtering and sorting run in SQL (indexes on name, status, owner): the model asks the replica
worker for the ids of one filter and sort, then fetches the rows that scroll into view in small
batches, caches them, and drops the cache when the data changes. Fast at 100k+ accounts: only
ids live in memory, and only visible rows are read.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)

from desktop_crm.client import reading
from desktop_crm.client.reading import SystemTag
from desktop_crm.domain.records import Account
from desktop_crm.storage.queries import AccountFilter, AccountSort
from desktop_crm.ui.session import Session

#: Rows read per trip to the worker.
FETCH_BATCH = 200

ID_ROLE = Qt.ItemDataRole.UserRole + 1

_Index = QModelIndex | QPersistentModelIndex


def system_tags_tooltip(heading: str, tags: list[SystemTag]) -> str:
    """The reasons of an account's system tags, one a line, under ``heading``."""
    return "\n".join([heading, *(t.reason for t in tags)])


class AccountsModel(QAbstractTableModel):
    #: The ids of a new filter/sort arrived (count of rows).
    reloaded = Signal(int)

    COLUMNS: tuple[str, ...] = ("name", "status", "owner", "industry", "country", "tags")
    _SORTABLE: dict[int, AccountSort] = {0: "name", 1: "status", 2: "owner"}

    def __init__(self, session: Session, parent: Any = None) -> None:
        super().__init__(parent)
        self._session = session
        self._ids: list[str] = []
        self._rows: dict[str, int] = {}
        self._cache: dict[str, Account] = {}
        #: The cached accounts' system tags (computed by the server's rules; absent: none).
        self._system_tags: dict[str, list[SystemTag]] = {}
        self._wanted: set[str] = set()
        self._in_flight: set[str] = set()
        self._filter = AccountFilter()
        self._sort: AccountSort = "name"
        self._descending = False
        self._generation = 0
        self.status_names: dict[str, str] = {}
        self.owner_names: Mapping[str, str] = {}
        self._fetch_timer = QTimer(self)
        self._fetch_timer.setSingleShot(True)
        self._fetch_timer.setInterval(0)
        self._fetch_timer.timeout.connect(self._fetch)
        self._headers = {
            "name": self.tr("Customer"),
            "status": self.tr("Status"),
            "owner": self.tr("Owner"),
            "industry": self.tr("Industry"),
            "country": self.tr("Country"),
            "tags": self.tr("Tags"),
        }

    # Loading -------------------------------------------------------------------------------

    @property
    def filter(self) -> AccountFilter:
        return self._filter

    def set_filter(self, flt: AccountFilter) -> None:
        self._filter = flt
        self.reload()

    def reload(self, keep_cache: bool = False) -> None:
        """Ask for the ids again (after a filter/sort change, an edit or a sync)."""
        self._generation += 1
        generation = self._generation
        flt, sort, descending = self._filter, self._sort, self._descending
        self._session.submit(
            lambda replica: reading.account_ids(replica, flt, sort, descending),
            lambda ids: self._set_ids(generation, ids, keep_cache),
            owner=self,
        )

    def _set_ids(self, generation: int, ids: list[str], keep_cache: bool) -> None:
        if generation != self._generation:
            return  # a newer filter or sort is on its way
        self.beginResetModel()
        self._ids = ids
        self._rows = {account_id: row for row, account_id in enumerate(ids)}
        if not keep_cache:
            self._cache.clear()
            self._system_tags.clear()
        self._wanted.clear()
        self._in_flight.clear()
        self.endResetModel()
        self.reloaded.emit(len(ids))

    def invalidate(self) -> None:
        """The data changed: re-read ids and every visible row."""
        self.reload(keep_cache=False)

    def account_id(self, row: int) -> str:
        return self._ids[row]

    def _need(self, account_id: str) -> None:
        if account_id in self._in_flight or account_id in self._wanted:
            return
        self._wanted.add(account_id)
        if not self._fetch_timer.isActive():
            self._fetch_timer.start()

    def _fetch(self) -> None:
        if not self._wanted:
            return
        batch = sorted(self._wanted, key=lambda i: self._rows.get(i, 0))[:FETCH_BATCH]
        self._wanted.difference_update(batch)
        self._in_flight.update(batch)
        generation = self._generation
        self._session.submit(
            lambda replica: (
                reading.accounts_by_id(replica, batch),
                reading.system_tags_by_id(replica, batch),
            ),
            lambda found: self._fetched(generation, batch, *found),
            owner=self,
        )
        if self._wanted:
            self._fetch_timer.start()

    def _fetched(
        self,
        generation: int,
        batch: list[str],
        found: dict[str, Account],
        tags: dict[str, list[SystemTag]],
    ) -> None:
        self._in_flight.difference_update(batch)
        if generation != self._generation:
            return
        self._cache.update(found)
        for account_id in batch:
            self._system_tags[account_id] = tags.get(account_id, [])
        rows = [self._rows[i] for i in batch if i in self._rows]
        if rows:
            last = self.columnCount() - 1
            self.dataChanged.emit(self.index(min(rows), 0), self.index(max(rows), last))

    # Qt model API --------------------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008,N802
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008,N802
        return 0 if parent.isValid() else len(self.COLUMNS)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._ids):
            return None
        account_id = self._ids[index.row()]
        if role == ID_ROLE:
            return account_id
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        account = self._cache.get(account_id)
        if account is None:
            self._need(account_id)
            return "…" if index.column() == 0 else ""
        column = self.COLUMNS[index.column()]
        tags = self._system_tags.get(account_id, [])
        if column == "name" and tags:
            if role == Qt.ItemDataRole.ToolTipRole:
                return system_tags_tooltip(self.tr("System tags (computed by the server):"), tags)
            return f"{account.name}   " + " ".join(f"[{t.name}]" for t in tags)
        return self._text(account, column)

    def system_tags(self, account_id: str) -> list[SystemTag]:
        """The system tags shown for this account (empty until its row was read)."""
        return list(self._system_tags.get(account_id, []))

    def _text(self, account: Account, column: str) -> str:
        if column == "name":
            return account.name
        if column == "status":
            return self.status_names.get(account.status, account.status)
        if column == "owner":
            return self.owner_names.get(account.owner_id, account.owner_id[:8])
        if column == "industry":
            return account.industry
        if column == "country":
            return account.country
        if column == "tags":
            return ", ".join(account.tags)
        return ""

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(self.COLUMNS)
        ):
            return self._headers[self.COLUMNS[section]]
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = self._SORTABLE.get(column)
        if key is None:
            return
        descending = order == Qt.SortOrder.DescendingOrder
        if key == self._sort and descending == self._descending and self._generation:
            return
        self._sort, self._descending = key, descending
        if self._generation:  # before the first load, just remember the order
            self.reload(keep_cache=True)

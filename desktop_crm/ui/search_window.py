"""The search results table: customers and contacts found by name or phone number.

(This module once held the interim search window; the main window now embeds the search box.)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QWidget

from desktop_crm.domain.phones import PhoneMatch
from desktop_crm.storage.search import HitKind, SearchHit

_Index = QModelIndex | QPersistentModelIndex


class SearchHitsModel(QAbstractTableModel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._hits: list[SearchHit] = []
        self._headers = [
            self.tr("Customer"),
            self.tr("Contact"),
            self.tr("Phone"),
            self.tr("Match"),
        ]
        self._labels = {
            PhoneMatch.EXACT: self.tr("phone: exact"),
            PhoneMatch.NATIONAL: self.tr("phone: same national number"),
            PhoneMatch.SUFFIX: self.tr("phone: last digits"),
            HitKind.CONTACT_NAME: self.tr("contact name"),
            HitKind.ACCOUNT_NAME: self.tr("customer name"),
        }

    def set_hits(self, hits: Sequence[SearchHit]) -> None:
        self.beginResetModel()
        self._hits = list(hits)
        self.endResetModel()

    def hit(self, row: int) -> SearchHit:
        return self._hits[row]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008,N802
        return 0 if parent.isValid() else len(self._hits)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008,N802
        return 0 if parent.isValid() else len(self._headers)

    def _label(self, hit: SearchHit) -> str:
        if hit.phone_match is not None:
            return self._labels.get(hit.phone_match, hit.match_label)
        return self._labels.get(hit.kind, hit.match_label)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        hit = self._hits[index.row()]
        column = index.column()
        if column == 0:
            return hit.account_name
        if column == 1:
            return hit.contact_name or ""
        if column == 2:
            return hit.phone_raw or ""
        return self._label(hit)

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

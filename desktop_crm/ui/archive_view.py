"""Search the archive (online, over the server) and, for administrators, archive the open
customer or restore an archived one.

Archived customers are on no replica, so this window says plainly that it searches the
server and needs a connection. The calls run on the replica worker (never the GUI thread)
through :meth:`desktop_crm.client.session.ProfileSync.online`.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_crm.client import archive_search
from desktop_crm.client.archive_search import ArchivedAccount
from desktop_crm.protocol.roles import Role
from desktop_crm.ui.session import Session


class ArchiveDialog(QDialog):
    """The archive search: type part of a name, see the archived customers the user would
    otherwise see; administrators restore one to its owner."""

    # An account was restored (its id): it comes back with the next sync.
    restored = Signal(str)

    def __init__(self, session: Session, names: dict[str, str], parent: QWidget | None = None):
        super().__init__(parent)
        self._session = session
        self._names = names
        self._found: list[ArchivedAccount] = []
        self.setWindowTitle(self.tr("Search the archive"))
        self.banner = banner = QLabel(
            self.tr(
                "Archived customers are kept on the server only, not on this computer: "
                "searching them needs a connection. Results are archived, not current, "
                "customers."
            )
        )
        banner.setWordWrap(True)
        banner.setStyleSheet("background: #fff4d6; padding: 6px; border: 1px solid #e0c070;")
        self.query = QLineEdit()
        self.query.setPlaceholderText(self.tr("Part of a customer's name"))
        self.query.returnPressed.connect(self.search)
        self.search_button = QPushButton(self.tr("Search"))
        self.search_button.clicked.connect(self.search)
        row = QHBoxLayout()
        row.addWidget(self.query, 1)
        row.addWidget(self.search_button)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(
            [self.tr("Customer (archived)"), self.tr("Owner"), self.tr("Archived on")]
        )
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.restore_button = QPushButton(self.tr("Restore to its owner"))
        self.restore_button.clicked.connect(self.restore)
        self.restore_button.setVisible(session.identity.role == Role.ADMIN)
        self.restore_button.setEnabled(False)
        self.table.itemSelectionChanged.connect(
            lambda: self.restore_button.setEnabled(self._selected() is not None)
        )
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.restore_button)
        bottom.addStretch(1)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(banner)
        layout.addLayout(row)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        layout.addLayout(bottom)
        self.resize(640, 420)

    def search(self) -> None:
        text = self.query.text()
        self.message.setText(self.tr("Searching the server…"))
        started = self._session.submit_online(
            lambda client: archive_search.search(client, text),
            self._fill,
            self._failed,
            owner=self,
        )
        if not started:
            self.message.setText(self.tr("This profile has no server: there is no archive."))

    def _fill(self, found: list[ArchivedAccount]) -> None:
        self._found = found
        self.table.setRowCount(len(found))
        for row, account in enumerate(found):
            owner = self._names.get(account.owner_id or "", account.owner_id or "—")
            for column, value in enumerate((account.name, owner, account.archived_at[:10])):
                item = QTableWidgetItem(value)
                item.setData(Qt.ItemDataRole.UserRole, account.id)
                self.table.setItem(row, column, item)
        self.message.setText(
            self.tr("%n archived customer(s) found.", "", len(found))
            if found
            else self.tr("No archived customer matches.")
        )

    def _selected(self) -> ArchivedAccount | None:
        rows = {i.row() for i in self.table.selectedItems()}
        return self._found[min(rows)] if rows and min(rows) < len(self._found) else None

    def restore(self) -> None:
        account = self._selected()
        if account is None:
            return
        self.message.setText(self.tr("Restoring…"))
        self._session.submit_online(
            lambda client: archive_search.restore(client, account.id),
            lambda _owner: self._restored(account),
            self._failed,
            owner=self,
        )

    def _restored(self, account: ArchivedAccount) -> None:
        self.message.setText(
            self.tr("%1 is restored: it comes back with the next sync.").replace("%1", account.name)
        )
        self.restored.emit(account.id)
        self.search()

    def _failed(self, error: BaseException) -> None:
        self.message.setText(self.tr("The server could not be asked: %1").replace("%1", str(error)))


def archive_open_customer(
    session: Session,
    account_id: str,
    on_done: Callable[[], None],
    on_error: Callable[[BaseException], None],
    owner: QWidget,
) -> bool:
    """Archive a customer now (administrators): it leaves every replica at the next sync."""
    return session.submit_online(
        lambda client: archive_search.archive(client, account_id),
        lambda _none: on_done(),
        on_error,
        owner=owner,
    )

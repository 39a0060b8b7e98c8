"""What sync asks of a person: conflicts (base / mine / theirs per field), sync issues (retry,
discard, export), customers someone else deleted while we had work on them (restore, export),
and the progress of a sync (a bar polled from SyncProgress, with cancel)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desktop_crm.client import resolving
from desktop_crm.client.editing import Written
from desktop_crm.client.resolving import (
    Choice,
    DeleteChoice,
    FieldChoice,
    LabelledConflict,
    NewValue,
)
from desktop_crm.storage import sync_bookkeeping as book
from desktop_crm.sync.progress import Phase, ProgressSnapshot, SyncProgress
from desktop_crm.ui.field_grid import (
    FIRST_SIDE,
    SECOND_SIDE,
    add_headers,
    clear_grid,
    scrolled_grid,
    show_value,
    value_cell,
)
from desktop_crm.ui.field_labels import FieldLabels
from desktop_crm.ui.session import Session

log = logging.getLogger(__name__)

ROLE_ID = Qt.ItemDataRole.UserRole + 1


class ConflictDialog(QDialog):
    """Open conflicts, one at a time: per conflicting field the base (what both started from),
    mine and theirs side by side; keep mine, take theirs, or type a new value. "Decide later"
    leaves it open (the record keeps my value locally until decided)."""

    resolved = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._labels = FieldLabels(self)
        self.setWindowTitle(self.tr("Sync conflicts"))
        self.list = QListWidget()
        self.list.currentRowChanged.connect(self._pick)
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.grid_host, self.grid, scroll = scrolled_grid()
        self.error = QLabel()
        self.error.setStyleSheet("color: #b00020;")
        self.error.setWordWrap(True)
        self.all_mine = QPushButton(self.tr("Keep all mine"))
        self.all_theirs = QPushButton(self.tr("Take all theirs"))
        self.apply_button = QPushButton(self.tr("Resolve"))
        self.apply_button.setDefault(True)
        self.later_button = QPushButton(self.tr("Decide later"))
        self.all_mine.clicked.connect(lambda: self._choose_all("mine"))
        self.all_theirs.clicked.connect(lambda: self._choose_all("theirs"))
        self.apply_button.clicked.connect(self._apply)
        self.later_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.all_mine)
        buttons.addWidget(self.all_theirs)
        buttons.addStretch(1)
        buttons.addWidget(self.later_button)
        buttons.addWidget(self.apply_button)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.addWidget(self.intro)
        right_layout.addWidget(scroll, 1)
        right_layout.addWidget(self.error)
        right_layout.addLayout(buttons)
        split = QSplitter()
        split.addWidget(self.list)
        split.addWidget(right)
        split.setSizes([220, 820])
        layout = QVBoxLayout(self)
        layout.addWidget(split)
        self._conflicts: list[book.ConflictEntry] = []
        self._choices: dict[str, tuple[QButtonGroup, QLineEdit]] = {}
        self._delete_group: QButtonGroup | None = None
        self.resize(1080, 520)
        self.reload()

    def reload(self) -> None:
        self._session.submit(resolving.open_conflicts, self._fill, owner=self)

    def _fill(self, found: list[LabelledConflict]) -> None:
        self._conflicts = [item.conflict for item in found]
        self.list.clear()
        for item in found:
            self.list.addItem(QListWidgetItem(item.label))
        if found:
            self.list.setCurrentRow(0)
        else:
            self._clear_grid()
            self.intro.setText(self.tr("No open conflicts. Everything is in sync."))
        for w in (self.apply_button, self.all_mine, self.all_theirs):
            w.setEnabled(bool(found))

    def _clear_grid(self) -> None:
        clear_grid(self.grid)
        self._choices.clear()
        self._delete_group = None

    @property
    def current(self) -> book.ConflictEntry | None:
        row = self.list.currentRow()
        return self._conflicts[row] if 0 <= row < len(self._conflicts) else None

    def _pick(self, row: int) -> None:
        self._clear_grid()
        self.error.clear()
        conflict = self.current
        if conflict is None:
            return
        self.intro.setText(
            self.tr(
                "You and a colleague changed the same thing while apart. For each field, "
                "keep yours, take theirs, or type the right value."
            )
        )
        self._add_headers()
        row_n = 1
        if conflict.kind == "delete":
            self._add_delete_choice(conflict, row_n)
            row_n += 1
        base = conflict.base or {}
        for name in conflict.fields:
            self._add_field_row(
                row_n, name, base.get(name), conflict.mine.get(name), conflict.theirs.get(name)
            )
            row_n += 1
        for column, stretch in ((1, 1), (2, 1), (3, 1), (4, 2)):
            self.grid.setColumnStretch(column, stretch)

    def _add_headers(self) -> None:
        headers = [
            self.tr("Field"),
            self.tr("Before"),
            self.tr("Mine"),
            self.tr("Theirs"),
            self.tr("Decision"),
        ]
        add_headers(self.grid, headers)

    def _add_delete_choice(self, conflict: book.ConflictEntry, row_n: int) -> None:
        """Deleted on one side, edited on the other: keep it deleted, or restore it."""
        group = QButtonGroup(self)
        keep = QRadioButton(self.tr("Keep it deleted"))
        restore = QRadioButton(self.tr("Restore the edited record"))
        group.addButton(keep, 0)
        group.addButton(restore, 1)
        restore.setChecked(True)
        who = self.tr("you") if conflict.mine_deleted else self.tr("a colleague")
        self.grid.addWidget(
            QLabel(self.tr("Deleted by %1, edited by the other side.").replace("%1", who)),
            row_n,
            0,
            1,
            4,
        )
        box = QWidget()
        box_layout = QVBoxLayout(box)
        box_layout.setContentsMargins(0, 0, 0, 0)
        box_layout.addWidget(restore)
        box_layout.addWidget(keep)
        self.grid.addWidget(box, row_n, 4)
        self._delete_group = group

    def _add_field_row(
        self, row_n: int, name: str, before: Any, mine_value: Any, theirs_value: Any
    ) -> None:
        """One conflicting field: before, mine and theirs side by side, and the decision."""
        self.grid.addWidget(QLabel(self._labels(name)), row_n, 0)
        for col, value, style in (
            (1, before, ""),
            (2, mine_value, FIRST_SIDE),
            (3, theirs_value, SECOND_SIDE),
        ):
            self.grid.addWidget(value_cell(value, style), row_n, col)
        group = QButtonGroup(self)
        mine = QRadioButton(self.tr("Mine"))
        theirs = QRadioButton(self.tr("Theirs"))
        other = QRadioButton(self.tr("Edit:"))
        edit = QLineEdit(
            show_value(mine_value)
            if isinstance(mine_value, str)
            else json.dumps(mine_value, ensure_ascii=False)
        )
        edit.setEnabled(False)
        other.toggled.connect(edit.setEnabled)
        for n, button in enumerate((mine, theirs, other)):
            group.addButton(button, n)
        mine.setChecked(True)
        decide = QWidget()
        d = QVBoxLayout(decide)
        d.setContentsMargins(0, 0, 0, 0)
        radios = QHBoxLayout()
        for button in (mine, theirs, other):
            radios.addWidget(button)
        radios.addStretch(1)
        d.addLayout(radios)
        d.addWidget(edit)
        self.grid.addWidget(decide, row_n, 4)
        self._choices[name] = (group, edit)

    def _choose_all(self, which: str) -> None:
        for group, _edit in self._choices.values():
            group.button(0 if which == "mine" else 1).setChecked(True)

    def choose(self, field: str, which: str, value: str = "") -> None:
        """Pick for one field (also used by tests): "mine", "theirs" or "edit" with a value."""
        group, edit = self._choices[field]
        group.button({"mine": 0, "theirs": 1, "edit": 2}[which]).setChecked(True)
        if which == "edit":
            edit.setText(value)

    def _decisions(self, conflict: book.ConflictEntry) -> dict[str, FieldChoice]:
        out: dict[str, FieldChoice] = {}
        for name, (group, edit) in self._choices.items():
            picked = group.checkedId()
            if picked == 0:
                out[name] = Choice.MINE
            elif picked == 1:
                out[name] = Choice.THEIRS
            else:
                original = conflict.mine.get(name)
                text = edit.text()
                value: Any = text
                if not isinstance(original, str):
                    try:
                        value = json.loads(text)
                    except ValueError:
                        value = text
                out[name] = NewValue(value)
        return out

    def _apply(self) -> None:
        conflict = self.current
        if conflict is None:
            return
        choices = self._decisions(conflict)
        delete_choice = None
        if self._delete_group is not None:
            delete_choice = (
                DeleteChoice.KEEP_DELETED
                if self._delete_group.checkedId() == 0
                else DeleteChoice.RESTORE
            )
        who = self._session.identity
        self.apply_button.setEnabled(False)
        self._session.submit(
            lambda replica: resolving.resolve_conflict(
                replica, conflict, who, choices, delete_choice
            ),
            self._applied,
            self._failed,
            owner=self,
        )

    def _applied(self, written: Written[None]) -> None:
        self.apply_button.setEnabled(True)
        self._session.edited(written.changes)
        self.resolved.emit()
        if self._session.sync is not None:
            self._session.sync.sync_now()
        self.reload()

    def _failed(self, error: BaseException) -> None:
        self.apply_button.setEnabled(True)
        self.error.setText(str(error))


class SyncIssuesDialog(QDialog):
    """Changes the server refused: see why, edit and retry, discard, or export them."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self.setWindowTitle(self.tr("Sync issues"))
        self.list = QListWidget()
        self.list.currentRowChanged.connect(self._pick)
        self.reason = QLabel()
        self.reason.setWordWrap(True)
        self.reason.setStyleSheet("color: #b00020;")
        self.data = QPlainTextEdit()
        self.data.setPlaceholderText(self.tr("The refused change, as JSON: edit it, then retry."))
        self.retry_button = QPushButton(self.tr("Retry"))
        self.discard_button = QPushButton(self.tr("Discard"))
        self.export_button = QPushButton(self.tr("Export all…"))
        self.retry_button.clicked.connect(self._retry)
        self.discard_button.clicked.connect(self._discard)
        self.export_button.clicked.connect(self._export)
        self.message = QLabel()
        self.message.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.export_button)
        buttons.addStretch(1)
        buttons.addWidget(self.discard_button)
        buttons.addWidget(self.retry_button)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        right = QWidget()
        r = QVBoxLayout(right)
        r.addWidget(self.reason)
        r.addWidget(self.data, 1)
        r.addWidget(self.message)
        r.addLayout(buttons)
        split = QSplitter()
        split.addWidget(self.list)
        split.addWidget(right)
        layout = QVBoxLayout(self)
        layout.addWidget(split)
        layout.addWidget(close)
        self._issues: list[book.SyncIssue] = []
        self.export_path: Callable[[], Path | None] = self._ask_export_path
        self.resize(900, 460)
        self.reload()

    def reload(self) -> None:
        self._session.submit(resolving.sync_issues, self._fill, owner=self)

    def _fill(self, issues: list[book.SyncIssue]) -> None:
        self._issues = issues
        self.list.clear()
        for issue in issues:
            name = issue.data.get("name") or issue.data.get("summary") or issue.record_id[:8]
            self.list.addItem(f"{issue.entity}: {name}")
        if issues:
            self.list.setCurrentRow(0)
        else:
            self.reason.setText(self.tr("No sync issues: the server took every change."))
            self.data.clear()
        for w in (self.retry_button, self.discard_button, self.export_button):
            w.setEnabled(bool(issues))

    def _pick(self, row: int) -> None:
        if 0 <= row < len(self._issues):
            issue = self._issues[row]
            self.reason.setText(
                self.tr("The server refused this change: %1").replace("%1", issue.reason)
            )
            self.data.setPlainText(
                json.dumps(issue.data, ensure_ascii=False, indent=2, sort_keys=True)
            )

    def _current(self) -> book.SyncIssue | None:
        row = self.list.currentRow()
        return self._issues[row] if 0 <= row < len(self._issues) else None

    def _retry(self) -> None:
        issue = self._current()
        if issue is None:
            return
        try:
            changes = json.loads(self.data.toPlainText())
        except ValueError as exc:
            self.message.setText(self.tr("Not valid JSON: %1").replace("%1", str(exc)))
            return
        who = self._session.identity
        self._session.submit(
            lambda replica: resolving.retry_sync_issue(replica, issue, who, changes),
            self._done,
            self._failed,
            owner=self,
        )

    def _discard(self) -> None:
        issue = self._current()
        if issue is None:
            return

        self._session.submit(
            lambda replica: resolving.discard_sync_issue(replica, issue),
            self._done,
            self._failed,
            owner=self,
        )

    def _ask_export_path(self) -> Path | None:
        name, _filter = QFileDialog.getSaveFileName(
            self, self.tr("Export sync issues"), "sync-issues.csv", "CSV (*.csv);;JSON (*.json)"
        )
        return Path(name) if name else None

    def _export(self) -> None:
        path = self.export_path()
        if path is None:
            return

        self._session.submit(
            lambda replica: resolving.export_sync_issues(replica, path),
            lambda n: self.message.setText(
                self.tr("Exported %1 issue(s) to %2").replace("%1", str(n)).replace("%2", str(path))
            ),
            self._failed,
            owner=self,
        )

    def _done(self, written: Written[None]) -> None:
        self.message.clear()
        self._session.edited(written.changes)
        if self._session.sync is not None:
            self._session.sync.sync_now()
        self.reload()

    def _failed(self, error: BaseException) -> None:
        self.message.setText(str(error))


class DeletedCustomersDialog(QDialog):
    """Customers deleted by someone else while this replica had unsynced work on them: who
    deleted each, what waits, and the way out (restore where the role may, or export the work).
    Shown without blocking the window (``show()``): the status-bar badge opens it."""

    decided = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self.setWindowTitle(self.tr("Customers deleted while you had work on them"))
        self.list = QListWidget()
        self.list.currentRowChanged.connect(self._pick)
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.restore_button = QPushButton(self.tr("Restore the customer"))
        self.export_button = QPushButton(self.tr("Export my work…"))
        self.restore_button.clicked.connect(self._restore)
        self.export_button.clicked.connect(self._export)
        self.message = QLabel()
        self.message.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.export_button)
        buttons.addStretch(1)
        buttons.addWidget(self.restore_button)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.detail)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        layout.addWidget(close)
        self._found: list[resolving.DeletedCustomer] = []
        self.export_path: Callable[[], Path | None] = self._ask_export_path
        self.resize(640, 380)
        self.reload()

    def reload(self) -> None:
        self._session.submit(resolving.deleted_customers, self._fill, owner=self)

    def _fill(self, found: list[resolving.DeletedCustomer]) -> None:
        self._found = found
        self.list.clear()
        for gone in found:
            self.list.addItem(
                self.tr("%1 — deleted by %2")
                .replace("%1", gone.account_name or gone.account_id)
                .replace("%2", gone.who)
            )
        if found:
            self.list.setCurrentRow(0)
        else:
            self.detail.setText(self.tr("Nothing waits: no customer was deleted under your work."))
        may_restore = resolving.may_restore_customers(self._session.identity)
        self.restore_button.setEnabled(bool(found) and may_restore)
        self.restore_button.setToolTip(
            "" if may_restore else self.tr("Only a manager or an administrator can restore it.")
        )
        self.export_button.setEnabled(bool(found))

    def _pick(self, row: int) -> None:
        if 0 <= row < len(self._found):
            gone = self._found[row]
            self.detail.setText(
                self.tr(
                    "%1 deleted this customer while you had %2 unsynced change(s) under it. "
                    "They are kept here and not sent: restore the customer, or export them."
                )
                .replace("%1", gone.who)
                .replace("%2", str(len(gone.records)))
            )

    def _current(self) -> resolving.DeletedCustomer | None:
        row = self.list.currentRow()
        return self._found[row] if 0 <= row < len(self._found) else None

    def _restore(self) -> None:
        gone = self._current()
        if gone is None:
            return
        who = self._session.identity
        self._session.submit(
            lambda replica: resolving.restore_deleted_customer(replica, gone.account_id, who),
            self._done,
            self._failed,
            owner=self,
        )

    def _ask_export_path(self) -> Path | None:
        name, _filter = QFileDialog.getSaveFileName(
            self, self.tr("Export my work"), "my-work.csv", "CSV (*.csv);;JSON (*.json)"
        )
        return Path(name) if name else None

    def _export(self) -> None:
        gone = self._current()
        path = self.export_path() if gone is not None else None
        if gone is None or path is None:
            return
        self._session.submit(
            lambda replica: resolving.export_deleted_customer_work(replica, gone.account_id, path),
            self._done,
            self._failed,
            owner=self,
        )

    def _done(self, written: Written[Any]) -> None:
        self.message.clear()
        self._session.edited(written.changes)
        if self._session.sync is not None:
            self._session.sync.sync_now()
        self.decided.emit()
        self.reload()

    def _failed(self, error: BaseException) -> None:
        self.message.setText(str(error))


class SyncProgressPanel(QWidget):
    """A label and a bar showing a sync's progress, polled from :class:`SyncProgress`, and a
    cancel button that sets its flag (the sync stops at the next page and resumes later)."""

    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.bar = QProgressBar()
        self.bar.setMinimumWidth(320)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.clicked.connect(self.cancel_requested)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        row = QHBoxLayout()
        row.addWidget(self.bar, 1)
        row.addWidget(self.cancel_button)
        layout.addLayout(row)
        self._phases = {
            Phase.IDLE: self.tr("Connecting to the server…"),
            Phase.SIGNING_IN: self.tr("Signing in…"),
            Phase.FIRST_SYNC: self.tr("Downloading your customers…"),
            Phase.PULLING: self.tr("Receiving changes…"),
            Phase.PUSHING: self.tr("Sending your changes…"),
            Phase.REMOVING: self.tr("Removing records that left your scope…"),
            Phase.DONE: self.tr("Done."),
            Phase.FAILED: self.tr("Sync stopped; it continues next time."),
        }

    def phase_text(self, phase: Phase) -> str:
        return self._phases.get(phase, str(phase))

    def show_text(self, text: str) -> None:
        self.label.setText(text)
        self.bar.setRange(0, 0)

    def show_snapshot(self, snap: ProgressSnapshot) -> None:
        text = self.phase_text(snap.phase)
        if snap.total:
            self.bar.setRange(0, max(1, snap.total))
            self.bar.setValue(min(snap.done, snap.total))
            text += f"  {snap.done:,} / {snap.total:,}"
        elif snap.done:
            self.bar.setRange(0, 0)
            text += f"  {snap.done:,}"
        else:
            self.bar.setRange(0, 0)
        self.label.setText(text)


class FirstSyncDialog(QDialog):
    """Shown while the first sync downloads the user's customers; cancel keeps what arrived
    and the sync resumes in the background later."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.panel = SyncProgressPanel(self)
        self.panel.cancel_requested.connect(self._cancel)
        layout = QVBoxLayout(self)
        layout.addWidget(self.panel)
        self.progress: SyncProgress | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(150)
        self._timer.timeout.connect(self._poll)
        self.setMinimumWidth(460)
        self.cancelled = False

    def watch(self, progress: SyncProgress) -> None:
        self.progress = progress
        self._timer.start()

    def _poll(self) -> None:
        if self.progress is not None and not self.cancelled:
            self.panel.show_snapshot(self.progress.snapshot)

    def _cancel(self) -> None:
        self.cancelled = True
        self.panel.cancel_button.setEnabled(False)
        self.panel.show_text(self.tr("Stopping after the current page…"))
        if self.progress is not None:
            self.progress.cancel()

    def finish(self) -> None:
        self._timer.stop()
        self.accept()

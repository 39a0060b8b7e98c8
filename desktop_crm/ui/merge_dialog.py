"""Merge two customers (or two contacts) of the review queue: pick the record that stays and,
field by field, whose value it keeps (as the conflict dialog does), then merge over the server.
The values compared are read from the replica, the merge itself is online; the window syncs
afterwards so the replica follows."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from desktop_crm.client import duplicate_review
from desktop_crm.client.duplicate_review import DuplicatePair, MergeSides, NotOnThisComputer
from desktop_crm.domain.records import Entity
from desktop_crm.sync.errors import Offline, ServerRefused, SignInRequired
from desktop_crm.ui.field_grid import (
    FIRST_SIDE,
    SECOND_SIDE,
    add_headers,
    scrolled_grid,
    value_cell,
)
from desktop_crm.ui.field_labels import FieldLabels
from desktop_crm.ui.session import Session

# The two sides of a pair, as the radio buttons' ids.
A, B = 0, 1


def review_error_text(error: BaseException) -> str:
    """What went wrong asking the server about duplicates, in the user's language."""
    if isinstance(error, Offline):
        return QCoreApplication.translate(
            "MergeDialog",
            "Offline: duplicates are reviewed and merged on the server. Connect and retry.",
        )
    if isinstance(error, SignInRequired):
        return QCoreApplication.translate("MergeDialog", "Sign in to review duplicates.")
    if isinstance(error, ServerRefused) and error.status_code == 404:
        return QCoreApplication.translate(
            "MergeDialog", "Not found, or not allowed for your role: %1"
        ).replace("%1", error.detail)
    if isinstance(error, ServerRefused):
        return QCoreApplication.translate("MergeDialog", "The server refused: %1").replace(
            "%1", error.detail
        )
    return QCoreApplication.translate("MergeDialog", "The server could not be asked: %1").replace(
        "%1", str(error)[:200]
    )


class MergeDialog(QDialog):
    """One pair: the survivor (A or B) and per differing field the side whose value is kept."""

    # The merge is done: the survivor's id.
    merged = Signal(str)
    # The records' values were read from the replica (tests wait for it); False: not there.
    ready = Signal(bool)

    def __init__(
        self,
        session: Session,
        pair: DuplicatePair,
        owner_names: Mapping[str, str],
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self._session = session
        self.pair = pair
        self._owner_names = owner_names
        self._entity = Entity(pair.entity)
        self._labels = FieldLabels(self)
        self._fields: dict[str, QButtonGroup] = {}
        self._sides: MergeSides | None = None
        self.setWindowTitle(
            self.tr("Merge two customers")
            if self._entity is Entity.ACCOUNT
            else self.tr("Merge two contacts")
        )
        self.intro = QLabel(
            self.tr(
                "Pick the record that stays and, where the two differ, the value it keeps. "
                "Everything under the other record moves to the one that stays, and its name "
                "is kept as a former name. An administrator can undo the merge."
            )
        )
        self.intro.setWordWrap(True)
        self.keep_a = QRadioButton(self.tr("Keep “%1”").replace("%1", pair.name_a))
        self.keep_b = QRadioButton(self.tr("Keep “%1”").replace("%1", pair.name_b))
        self.survivor = QButtonGroup(self)
        self.survivor.addButton(self.keep_a, A)
        self.survivor.addButton(self.keep_b, B)
        self.keep_a.setChecked(True)
        self.survivor.idClicked.connect(self._survivor_changed)
        keep_row = QHBoxLayout()
        keep_row.addWidget(self.keep_a)
        keep_row.addWidget(self.keep_b)
        keep_row.addStretch(1)
        self.grid_host, self.grid, scroll = scrolled_grid()
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020;")
        self.merge_button = QPushButton(self.tr("Merge"))
        self.merge_button.setEnabled(False)
        self.merge_button.clicked.connect(self.merge)
        cancel = QPushButton(self.tr("Cancel"))
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.merge_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(keep_row)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.resize(860, 480)
        session.submit(
            lambda replica: duplicate_review.merge_sides(
                replica, self._entity, pair.id_a, pair.id_b
            ),
            self._fill,
            self._not_here,
            owner=self,
        )

    def _fill(self, sides: MergeSides) -> None:
        self._sides = sides
        add_headers(
            self.grid, [self.tr("Field"), self.pair.name_a, self.pair.name_b, self.tr("Keep")]
        )
        for row, name in enumerate(sides.fields, start=1):
            self.grid.addWidget(QLabel(self._labels(name)), row, 0)
            self.grid.addWidget(value_cell(self._shown(name, sides.a), FIRST_SIDE), row, 1)
            self.grid.addWidget(value_cell(self._shown(name, sides.b), SECOND_SIDE), row, 2)
            self.grid.addWidget(self._side_choice(name), row, 3)
        if not sides.fields:
            self.grid.addWidget(QLabel(self.tr("Both records hold the same values.")), 1, 0, 1, 4)
        for column, stretch in ((1, 2), (2, 2), (3, 1)):
            self.grid.setColumnStretch(column, stretch)
        self.merge_button.setEnabled(True)
        self.ready.emit(True)

    def _shown(self, name: str, data: Mapping[str, Any]) -> Any:
        """A field's value as the dialog shows it: an owner by name."""
        value = data.get(name)
        if name == "owner_id" and isinstance(value, str):
            return self._owner_names.get(value, value)
        return value

    def _side_choice(self, name: str) -> QWidget:
        group = QButtonGroup(self)
        box = QWidget()
        line = QHBoxLayout(box)
        line.setContentsMargins(0, 0, 0, 0)
        for side, text in ((A, self.tr("Left")), (B, self.tr("Right"))):
            button = QRadioButton(text)
            group.addButton(button, side)
            line.addWidget(button)
        self._fields[name] = group
        self._default_side(name, self.survivor.checkedId())
        return box

    def _default_side(self, name: str, survivor: int) -> None:
        """The survivor's own value, unless it has none and the other record has one."""
        sides = self._sides
        assert sides is not None
        own, other = (sides.a, sides.b) if survivor == A else (sides.b, sides.a)
        empty = own.get(name) in (None, "", []) and other.get(name) not in (None, "", [])
        self._fields[name].button(1 - survivor if empty else survivor).setChecked(True)

    def _not_here(self, error: BaseException) -> None:
        if isinstance(error, NotOnThisComputer):
            text = self.tr(
                "A record of this pair is not on this computer yet: sync, then try again."
            )
        else:
            text = self.tr("Could not read the two records: %1").replace("%1", str(error))
        self.message.setText(text)
        self.ready.emit(False)

    def _survivor_changed(self, side: int) -> None:
        """The record that stays keeps its own values unless a field says otherwise."""
        for name in self._fields:
            self._default_side(name, side)

    def keep(self, side: int) -> None:
        """Make side ``A`` or ``B`` the survivor (as a click does; also used by tests)."""
        self.survivor.button(side).setChecked(True)
        self._survivor_changed(side)

    def choose(self, field: str, side: int) -> None:
        """Keep the value of side ``A`` or ``B`` for ``field`` (also used by tests)."""
        self._fields[field].button(side).setChecked(True)

    def take_from_loser(self) -> list[str]:
        kept = self.survivor.checkedId()
        return [name for name, group in self._fields.items() if group.checkedId() != kept]

    def merge(self) -> None:
        kept_a = self.survivor.checkedId() == A
        survivor, loser = (
            (self.pair.id_a, self.pair.id_b) if kept_a else (self.pair.id_b, self.pair.id_a)
        )
        take = self.take_from_loser()
        entity = self._entity
        self.merge_button.setEnabled(False)
        self.message.setText(self.tr("Merging…"))
        started = self._session.submit_online(
            lambda client: duplicate_review.merge(client, entity, survivor, loser, take),
            lambda _merge_id: self._done(survivor),
            self._failed,
            owner=self,
        )
        if not started:
            self._failed(SignInRequired("no server"))

    def _done(self, survivor_id: str) -> None:
        self.merged.emit(survivor_id)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.merge_button.setEnabled(True)
        self.message.setText(
            self.tr("The merge was not done. %1").replace("%1", review_error_text(error))
        )

""" "Similar customers already exist": the panel the new-customer and new-contact dialogs (and
edits that change a name or a phone) show before saving, from the replica's entry-time check
(:mod:`desktop_crm.client.duplicates`). Each candidate says its score and why (name, phone,
e-mail) and can be opened instead; pressing Save again saves anyway."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop_crm.client.duplicates import SimilarRecord
from desktop_crm.domain.duplicates import Reason

#: Candidates listed, at most.
SHOWN = 5


def reason_text(reason: Reason | str) -> str:
    """Why two records look alike, in the user's language (also the review queue's words)."""
    texts: dict[str, str] = {
        Reason.NAME: QCoreApplication.translate("DuplicateWarning", "name"),
        Reason.PHONE: QCoreApplication.translate("DuplicateWarning", "same phone"),
        Reason.EMAIL: QCoreApplication.translate("DuplicateWarning", "same e-mail"),
    }
    return texts.get(reason, str(reason))  # a StrEnum key matches its plain text too


class DuplicateWarning(QFrame):
    """Hidden until :meth:`show_candidates` has something to show."""

    #: The account id of a candidate the user chose to open instead.
    open_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("duplicateWarning")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet("#duplicateWarning { background: #fff4e5; }")
        self._layout = QVBoxLayout(self)
        self.title = QLabel()
        self.title.setWordWrap(True)
        self._layout.addWidget(self.title)
        self._rows: list[QWidget] = []
        self.hint = QLabel(self.tr("Open one of them, or press Save again to save anyway."))
        self.hint.setWordWrap(True)
        self._layout.addWidget(self.hint)
        self.candidates: list[SimilarRecord] = []
        self.hide()

    def _reason(self, reason: Reason) -> str:
        return reason_text(reason)

    def show_candidates(self, entity: str, candidates: Sequence[SimilarRecord]) -> None:
        for row in self._rows:
            row.deleteLater()
        self._rows = []
        self.candidates = list(candidates)
        if not candidates:
            self.hide()
            return
        self.title.setText(
            self.tr("<b>Similar customers already exist</b>")
            if entity == "account"
            else self.tr("<b>Similar contacts already exist</b>")
        )
        for candidate in candidates[:SHOWN]:
            row = QWidget()
            line = QHBoxLayout(row)
            line.setContentsMargins(0, 0, 0, 0)
            why = ", ".join(self._reason(r) for r in candidate.reasons)
            text = (
                self.tr("%1 — %2% (%3)") if entity == "account" else self.tr("%1 at %4 — %2% (%3)")
            )
            label = QLabel(
                text.replace("%1", candidate.name)
                .replace("%2", f"{candidate.score:g}")
                .replace("%3", why)
                .replace("%4", candidate.account_name)
            )
            label.setWordWrap(True)
            button = QPushButton(self.tr("Open"))
            account_id = candidate.account_id
            button.clicked.connect(lambda _=False, a=account_id: self.open_requested.emit(a))
            line.addWidget(label, 1)
            line.addWidget(button)
            self._layout.insertWidget(self._layout.count() - 1, row)
            self._rows.append(row)
        self.show()

"""The answer to a stage move: "Moved", or what the stage's entry rules find missing, in words,
with a button for each missing thing that does it ("Log a call for this deal", "Set the close
date"). Shared by the pipeline's "Move to stage" and the deal's edit dialog."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from desktop_crm.domain.pipeline import MISSING_ACTIVITY, MISSING_CLOSE_DATE, StageRuleViolation

ERROR_STYLE = "color: #b00020;"
DONE_STYLE = "color: #1e7b34;"


class StageRuleMessage(QWidget):
    log_call = Signal()
    set_close_date = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.log_call_button = QPushButton(self.tr("Log a call for this deal"))
        self.set_close_button = QPushButton(self.tr("Set the close date"))
        self.log_call_button.clicked.connect(self.log_call)
        self.set_close_button.clicked.connect(self.set_close_date)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.log_call_button)
        layout.addWidget(self.set_close_button)
        self.show_text("")

    def show_text(self, text: str, style: str = "") -> None:
        """A plain message (no buttons)."""
        self.label.setStyleSheet(style)
        self.label.setText(text)
        self.log_call_button.hide()
        self.set_close_button.hide()

    def show_done(self, text: str) -> None:
        self.show_text(text, DONE_STYLE)

    def show_refusal(self, error: BaseException, stage_label: str = "") -> None:
        """What stopped the move; for a stage rule, what is missing and the buttons for it."""
        if not isinstance(error, StageRuleViolation):
            self.show_text(str(error), ERROR_STYLE)
            return
        missing = [self.missing_text(m) for m in error.missing]
        stage = stage_label or error.stage.name
        self.show_text(
            self.tr("Cannot move to “%1” yet: %2.").replace("%1", stage).replace(
                "%2", "; ".join(missing)),
            ERROR_STYLE,
        )
        self.log_call_button.setVisible(MISSING_ACTIVITY in error.missing)
        self.set_close_button.setVisible(MISSING_CLOSE_DATE in error.missing)

    def missing_text(self, missing: str) -> str:
        known = {
            MISSING_ACTIVITY: self.tr("log a call or meeting since the last stage change"),
            MISSING_CLOSE_DATE: self.tr("set an expected close date"),
        }
        return known.get(missing, missing)

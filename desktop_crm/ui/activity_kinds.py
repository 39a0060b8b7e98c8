"""What the screens call each kind of activity (translation context ``ActivityKindLabels``):
one table for the timeline, the activity feed and a deal's own timeline."""

from __future__ import annotations

from PySide6.QtCore import QObject


class ActivityKindLabels(QObject):
    """``labels("email")`` -> "E-mail" in the user's language; an unknown kind shows as is."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._labels = {
            "call": self.tr("Call"),
            "meeting": self.tr("Meeting"),
            "visit": self.tr("Visit"),
            "email": self.tr("E-mail"),
            "note": self.tr("Note"),
        }

    def __call__(self, kind: str) -> str:
        return self._labels.get(kind, kind)

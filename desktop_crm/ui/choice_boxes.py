"""Closed lists for the edit dialogs (no free text): currency, language, time zone and a
contact's decision role. A stored value that is not in the list stays chosen (shown as is),
so opening and saving a record never changes what it holds."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QComboBox, QWidget

from desktop_crm.domain.choices import CURRENCIES, DECISION_ROLES, LANGUAGES
from desktop_crm.domain.customer_clock import known_time_zones


def _fill(combo: QComboBox, items: Sequence[tuple[str, str]], current: str) -> QComboBox:
    for value, label in items:
        combo.addItem(label, value)
    index = combo.findData(current)
    if index < 0:
        combo.addItem(current, current)
        index = combo.count() - 1
    combo.setCurrentIndex(index)
    return combo


def chosen(combo: QComboBox) -> str:
    data = combo.currentData()
    return "" if data is None else str(data)


class Choices(QObject):
    """The translated lists (context ``Choices``)."""

    def role_names(self) -> dict[str, str]:
        return {
            "": self.tr("(not known)"),
            "decision_maker": self.tr("Decision maker"),
            "champion": self.tr("Champion"),
            "influencer": self.tr("Influencer"),
            "user": self.tr("User"),
            "gatekeeper": self.tr("Gatekeeper"),
        }

    def currency_box(self, current: str, parent: QWidget | None = None) -> QComboBox:
        return _fill(QComboBox(parent), [(c, c) for c in CURRENCIES], current)

    def language_box(self, current: str, parent: QWidget | None = None) -> QComboBox:
        items = [("", self.tr("(not set)"))] + [
            (code, f"{name} ({code})") for code, name in LANGUAGES
        ]
        return _fill(QComboBox(parent), items, current)

    def time_zone_box(self, current: str, parent: QWidget | None = None) -> QComboBox:
        items = [("", self.tr("(not set: from the phone number)"))]
        items += [(zone, zone) for zone in known_time_zones()]
        box = _fill(QComboBox(parent), items, current)
        box.setMaxVisibleItems(20)  # typing the first letters jumps to a zone
        return box

    def decision_role_box(self, current: str, parent: QWidget | None = None) -> QComboBox:
        names = self.role_names()
        return _fill(QComboBox(parent), [(r, names[r]) for r in DECISION_ROLES], current)


def language_name(code: str) -> str:
    """ "中文 (zh)" for "zh"; an unknown code as it is."""
    names = dict(LANGUAGES)
    return f"{names[code]} ({code})" if code in names else code

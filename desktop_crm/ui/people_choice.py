"""The "Whose:" filter the Activity and Reports tabs share: everyone, or one person."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtWidgets import QComboBox


def fill_people(combo: QComboBox, names: Mapping[str, str]) -> None:
    """Offer ``names`` (user id -> name) after the combo's first entry ("Everyone"), sorted by
    name; the current choice stays chosen when that person is still there, without a signal."""
    current = combo.currentData()
    combo.blockSignals(True)
    while combo.count() > 1:
        combo.removeItem(1)
    for user_id, name in sorted(names.items(), key=lambda pair: pair[1].casefold()):
        combo.addItem(name, user_id)
    combo.setCurrentIndex(max(0, combo.findData(current)))
    combo.blockSignals(False)

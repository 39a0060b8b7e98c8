"""The pieces of a field-by-field comparison shared by the conflict dialog (base / mine /
theirs) and the merge dialog (one record / the other): a bold header row, read-only value
cells tinted by side, and clearing the grid when another item is picked."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QScrollArea, QWidget

#: The tints of the two sides compared (mine / the first record, theirs / the second).
FIRST_SIDE = "background: #e8f0fe; padding: 3px;"
SECOND_SIDE = "background: #fef3e0; padding: 3px;"


def show_value(value: Any) -> str:
    """A field's value as text: "—" for nothing, JSON for lists and numbers."""
    if value is None:
        return "—"
    if isinstance(value, str):
        return value or "—"
    return json.dumps(value, ensure_ascii=False)


def scrolled_grid() -> tuple[QWidget, QGridLayout, QScrollArea]:
    """The comparison's grid (top-aligned) on its host widget, in a scroll area that resizes
    it: ``(host, grid, scroll area)``."""
    host = QWidget()
    grid = QGridLayout(host)
    grid.setAlignment(Qt.AlignmentFlag.AlignTop)
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setWidget(host)
    return host, grid, scroll


def add_headers(grid: QGridLayout, texts: Sequence[str]) -> None:
    """The header row (row 0), one bold label per column."""
    for col, text in enumerate(texts):
        label = QLabel(text)
        label.setStyleSheet("font-weight: 600;")
        grid.addWidget(label, 0, col)


def value_cell(value: Any, style: str = "") -> QLabel:
    """A selectable, wrapping cell showing ``value``."""
    cell = QLabel(show_value(value))
    cell.setWordWrap(True)
    cell.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    cell.setMinimumWidth(140)
    if style:
        cell.setStyleSheet(style)
    return cell


def clear_grid(grid: QGridLayout) -> None:
    """Remove (and delete) every widget of ``grid``."""
    while grid.count():
        item = grid.takeAt(0)
        widget = item.widget() if item is not None else None
        if widget is not None:
            widget.deleteLater()

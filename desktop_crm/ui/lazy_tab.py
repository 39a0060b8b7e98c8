"""A tab page built the first time it is shown or asked for: the first window shows sooner
because the tabs a user has not opened yet are an empty placeholder until then."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from PySide6.QtWidgets import QTabWidget, QWidget

W = TypeVar("W", bound=QWidget)


class LazyTab(Generic[W]):
    """One tab of ``tabs``: ``build`` makes its widget on first show or first :meth:`get`,
    which then takes the placeholder's place (same position, same label), and ``built`` is
    told so the owner can wire it."""

    def __init__(
        self,
        tabs: QTabWidget,
        label: str,
        build: Callable[[], W],
        built: Callable[[W], None] | None = None,
    ) -> None:
        self._tabs = tabs
        self._build = build
        self._built = built
        self._widget: W | None = None
        self._placeholder: QWidget | None = QWidget()
        tabs.addTab(self._placeholder, label)
        # Connected before the owner's own currentChanged slots (made after the tabs), so
        # they see the real widget as the current one.
        tabs.currentChanged.connect(self._current_changed)

    @property
    def widget(self) -> W | None:
        """The widget if it is built, else None (asking does not build it)."""
        return self._widget

    def get(self) -> W:
        """The widget, built now if it was not yet."""
        if self._widget is None:
            self._widget = self._build()
            self._swap_in(self._widget)
            if self._built is not None:
                self._built(self._widget)
        return self._widget

    def _swap_in(self, widget: W) -> None:
        placeholder, self._placeholder = self._placeholder, None
        assert placeholder is not None
        tabs = self._tabs
        index = tabs.indexOf(placeholder)
        was_current = tabs.currentIndex() == index
        # The swap is not a change of tab for the owner: it hears of the real one below.
        blocked = tabs.blockSignals(True)
        try:
            tabs.insertTab(index, widget, tabs.tabText(index))
            tabs.removeTab(index + 1)
            if was_current:
                tabs.setCurrentIndex(index)
        finally:
            tabs.blockSignals(blocked)
        placeholder.deleteLater()

    def _current_changed(self, index: int) -> None:
        if self._placeholder is not None and self._tabs.widget(index) is self._placeholder:
            self.get()

"""The customer's clock in the 360° view: their local time now and a clear "good time to call"
or "outside business hours (local time 22:40)" marker (``domain/customer_clock.py``).

The clock is injected (``now``), so a test shows the marker at a fixed moment; the label
updates itself every half minute.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QWidget

from desktop_crm.domain.customer_clock import CustomerClock, ZoneSource, customer_clock

GOOD_STYLE = "color: #1b5e20; font-weight: 600;"
OUTSIDE_STYLE = "color: #b00020; font-weight: 600;"
UNKNOWN_STYLE = "color: #666;"


def utc_now() -> datetime:
    return datetime.now(UTC)


class CustomerClockLabel(QLabel):
    def __init__(
        self, now: Callable[[], datetime] = utc_now, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.now = now
        self._zone = ""
        self._phones: tuple[str, ...] = ()
        self.clock: CustomerClock | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(30_000)
        self._timer.timeout.connect(self.update_clock)
        self._timer.start()

    def show_for(self, account_zone: str, phone_e164s: Iterable[str]) -> None:
        """The customer's zone (may be empty) and numbers (primary ones first)."""
        self._zone = account_zone
        self._phones = tuple(e for e in phone_e164s if e)
        self.update_clock()

    def update_clock(self) -> None:
        self.clock = customer_clock(self._zone, self._phones, self.now())
        clock = self.clock
        if clock is None:
            self.setStyleSheet(UNKNOWN_STYLE)
            self.setText(self.tr("Local time unknown: set the customer's time zone (Edit…)."))
            self.setToolTip("")
            return
        local = clock.local.strftime("%H:%M")
        if clock.business_hours:
            self.setStyleSheet(GOOD_STYLE)
            marker = self.tr("Good time to call (local time %1)").replace("%1", local)
        else:
            self.setStyleSheet(OUTSIDE_STYLE)
            marker = self.tr("Outside business hours (local time %1)").replace("%1", local)
        self.setText(f"● {marker} · {clock.zone}")
        self.setToolTip(self._source_text(clock))

    def _source_text(self, clock: CustomerClock) -> str:
        hours = self.tr("Business hours: Monday to Friday, 09:00–18:00 local time.")
        if clock.source is ZoneSource.ACCOUNT:
            return self.tr("Time zone of the customer record.") + " " + hours
        if clock.guessed:
            source = self.tr(
                "Guessed from the phone number: its country has several time zones. Set the "
                "customer's time zone to be sure."
            )
        else:
            source = self.tr("From the phone number's region.")
        return source + " " + hours

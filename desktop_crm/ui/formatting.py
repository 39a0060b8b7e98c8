"""How times and amounts read on screen, the same in every view."""

from __future__ import annotations

from datetime import datetime


def local_time(value: datetime | None) -> str:
    if value is None:
        return ""
    return value.astimezone().strftime("%Y-%m-%d %H:%M")


def money(amount: object, currency: str = "") -> str:
    try:
        text = f"{float(str(amount)):,.0f}"
    except ValueError:
        text = str(amount)
    return f"{text} {currency}".strip()

"""The currencies a deal's amount (and a customer's) may be in: ISO 4217 codes, offered as a
list so nobody types "RMB" or "yuan" where "CNY" is meant (amounts are summed per code)."""

from __future__ import annotations

#: The codes offered, the home currency first, then the customers' usual ones by region.
CURRENCIES: tuple[str, ...] = (
    "CNY", "HKD", "TWD", "USD", "EUR", "GBP", "JPY", "KRW", "SGD", "MYR", "THB", "VND",
    "IDR", "PHP", "INR", "AUD", "NZD", "CAD", "CHF", "SEK", "NOK", "DKK", "PLN", "RUB",
    "TRY", "AED", "SAR", "ZAR", "BRL", "MXN",
)  # fmt: skip


def currency_choices(current: str) -> list[str]:
    """The list offered in an editor: the known codes, and the record's own value if it is
    some other (older data is shown as it is, not silently changed)."""
    if current and current not in CURRENCIES:
        return [current, *CURRENCIES]
    return list(CURRENCIES)

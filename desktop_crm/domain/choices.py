"""The closed lists the edit dialogs offer instead of free text: currencies, languages and a
contact's decision roles (time zones: ``customer_clock.known_time_zones``)."""

from __future__ import annotations

#: ISO 4217 codes a customer is commonly billed in here, the home currency first.
CURRENCIES: tuple[str, ...] = (
    "CNY", "USD", "EUR", "JPY", "HKD", "GBP", "KRW", "SGD", "TWD", "AUD", "CAD", "CHF",
    "INR", "RUB", "THB", "MYR", "VND", "IDR", "PHP", "BRL", "MXN", "AED", "SAR", "ZAR",
    "NZD", "SEK", "NOK", "DKK", "PLN", "TRY",
)  # fmt: skip

#: ISO 639-1 codes of the languages customers are served in, with their own names (shown
#: beside the translated name, so the list reads the same in every interface language).
LANGUAGES: tuple[tuple[str, str], ...] = (
    ("zh", "中文"),
    ("en", "English"),
    ("ja", "日本語"),
    ("ko", "한국어"),
    ("de", "Deutsch"),
    ("fr", "Français"),
    ("es", "Español"),
    ("pt", "Português"),
    ("ru", "Русский"),
    ("ar", "العربية"),
    ("it", "Italiano"),
    ("th", "ไทย"),
    ("vi", "Tiếng Việt"),
    ("id", "Bahasa Indonesia"),
    ("ms", "Bahasa Melayu"),
)

#: A contact's part in the customer's buying decision ("" = not known).
DECISION_ROLES: tuple[str, ...] = (
    "",
    "decision_maker",
    "champion",
    "influencer",
    "user",
    "gatekeeper",
)

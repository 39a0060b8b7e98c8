"""The customer's clock: their time zone, their local time now, and whether it is a good time
to call.

The zone is the account's own (``Account.timezone``) or, failing that, the one the primary
phone number's region has (``domain/phones.py``); a number whose country spans several zones
gives the first, flagged as a guess. Business hours are Monday to Friday, 09:00 to 18:00 local
time; the clock is passed in, so the rule is tested at a fixed moment.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from desktop_crm.domain.phones import time_zones_for_e164

BUSINESS_START = time(9, 0)
BUSINESS_END = time(18, 0)
#: Monday = 0 … Friday = 4.
BUSINESS_DAYS = frozenset(range(5))


class ZoneSource(enum.Enum):
    ACCOUNT = "account"
    PHONE = "phone"


@dataclass(frozen=True, slots=True)
class CustomerClock:
    zone: str
    source: ZoneSource
    #: The phone's country has several zones and this is the first of them.
    guessed: bool
    local: datetime
    business_hours: bool


@cache
def known_time_zones() -> tuple[str, ...]:
    """Every IANA zone name this machine knows, sorted (the account dialog's choices)."""
    return tuple(sorted(available_timezones()))


def is_time_zone(name: str) -> bool:
    return name in _zone_set()


@cache
def _zone_set() -> frozenset[str]:
    return frozenset(known_time_zones())


def in_business_hours(local: datetime) -> bool:
    return local.weekday() in BUSINESS_DAYS and BUSINESS_START <= local.time() < BUSINESS_END


def customer_zone(
    account_zone: str, phone_e164s: Iterable[str]
) -> tuple[str, ZoneSource, bool] | None:
    """(zone, where it came from, guessed) or None when neither the account nor a number
    names one."""
    if account_zone and is_time_zone(account_zone):
        return account_zone, ZoneSource.ACCOUNT, False
    for e164 in phone_e164s:
        zones = [z for z in time_zones_for_e164(e164) if is_time_zone(z)]
        if zones:
            return zones[0], ZoneSource.PHONE, len(zones) > 1
    return None


def customer_clock(
    account_zone: str, phone_e164s: Iterable[str], now: datetime
) -> CustomerClock | None:
    """The customer's clock at ``now`` (an aware time), or None without a known zone."""
    found = customer_zone(account_zone, phone_e164s)
    if found is None:
        return None
    zone, source, guessed = found
    try:
        local = now.astimezone(ZoneInfo(zone))
    except ZoneInfoNotFoundError:  # listed but not loadable: treat as unknown
        return None
    return CustomerClock(zone, source, guessed, local, in_business_hours(local))

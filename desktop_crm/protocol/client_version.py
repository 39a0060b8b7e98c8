"""Client versions on the wire: the client names its version on sign-in, and a server set to
require a minimum refuses older clients (and clients too old to name one) with one message.

Versions are dotted whole numbers (``0.3``, ``1.2.10``); a suffix such as ``rc1`` or
``.dev0`` is ignored when comparing, so ``0.3rc1`` counts as ``0.3``.
"""

from __future__ import annotations

import re

#: The HTTP status of that refusal: 426 Upgrade Required.
CLIENT_TOO_OLD_STATUS = 426
_LEADING = re.compile(r"^\s*(\d+(?:\.\d+){0,3})")
_SETTING = re.compile(r"^\d+(?:\.\d+){0,3}$")


def parse_version(text: str) -> tuple[int, ...] | None:
    """``(0, 3, 1)`` for ``"0.3.1"``; None for text that does not start with a version. Trailing
    zeros are dropped so ``0.3`` and ``0.3.0`` compare equal."""
    match = _LEADING.match(text)
    if match is None:
        return None
    parts = [int(part) for part in match.group(1).split(".")]
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def check_minimum_setting(text: str) -> str:
    """``text`` if it is a plain version a server may require (``0.3``), else ValueError."""
    if not _SETTING.match(text.strip()):
        raise ValueError(f"{text!r} is not a version such as 0.3 or 1.2.0")
    return text.strip()


def too_old_message(minimum: str) -> str:
    return (
        f"This version of Desktop CRM is too old for the server; install {minimum} or later."
    )


def is_too_old(client_version: str | None, minimum: str | None) -> bool:
    """True when a server requiring ``minimum`` must refuse ``client_version``. A client that
    names no version (or an unreadable one) predates the minimum check, so it is too old
    whenever a minimum is set."""
    if not minimum:
        return False
    required = parse_version(minimum)
    have = parse_version(client_version) if client_version else None
    return have is None or required is None or have < required

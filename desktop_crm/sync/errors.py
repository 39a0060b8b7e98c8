"""What can go wrong talking to the server, as the sync engine and the UI understand it:
:class:`Offline` (cannot reach the server: retry later), :class:`SignInRequired` (token expired
or device revoked; :class:`SignInThrottled` after too many failed sign-ins),
:class:`ServerRefused` (the server answered with an error; :class:`ClientTooOld` when it requires
a newer client), :class:`ProtocolError` (the answer was not what the protocol promises) and
:class:`ReplicaMismatch`. Apart from the HTTP client (:mod:`desktop_crm.sync.http_client`, which
raises them): the window's start imports these and not httpx, pydantic or the protocol's
models, which the first sync loads.
"""

from __future__ import annotations

import math

from desktop_crm.protocol.client_version import CLIENT_TOO_OLD_STATUS


class SyncError(Exception):
    """Base of everything that can go wrong talking to the server; str() is for people."""


class Offline(SyncError):
    pass


class SignInRequired(SyncError):
    pass


class SignInThrottled(SignInRequired):
    """The server refuses sign-ins for this user name or from this address for a while, after
    too many failed ones (HTTP 429 on sign-in)."""

    def __init__(self, retry_after: int | None) -> None:
        self.retry_after = retry_after
        super().__init__(throttled_message(retry_after))


def throttled_message(retry_after: int | None) -> str:
    if retry_after is None:
        return "Too many failed sign-ins; try again later."
    minutes = max(1, math.ceil(retry_after / 60))
    return f"Too many failed sign-ins; try again in {minutes} minute{'s' if minutes > 1 else ''}."


class ServerRefused(SyncError):
    def __init__(self, status_code: int, detail: str) -> None:
        self.status_code = status_code
        self.detail = detail
        super().__init__(f"The server refused the request ({status_code}): {detail}")


class ClientTooOld(ServerRefused):
    """The server requires a newer Desktop CRM; the message says which version to install."""

    def __init__(self, detail: str) -> None:
        super().__init__(CLIENT_TOO_OLD_STATUS, detail)
        self.args = (detail,)

    def __str__(self) -> str:
        return self.detail


class ProtocolError(SyncError):
    pass


class ReplicaMismatch(SyncError):
    """The replica belongs to another user or installation than the one signed in."""

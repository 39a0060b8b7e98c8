"""The client side of the sync protocol over HTTP (httpx).

Every failure is mapped to one of a few exceptions the engine and the UI understand
(:mod:`desktop_crm.sync.errors`, re-exported here).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ValidationError

from desktop_crm.protocol.audit import AuditPage
from desktop_crm.protocol.client_version import CLIENT_TOO_OLD_STATUS
from desktop_crm.protocol.duplicates import (
    DuplicatePair,
    DuplicateQueue,
    MergeRequest,
    MergeResponse,
    PairRequest,
    UndoResponse,
)
from desktop_crm.protocol.messages import (
    DEFAULT_PULL_PAGE,
    ConfigResponse,
    DirectoryResponse,
    LoginRequest,
    LoginResponse,
    PullResponse,
    PushRequest,
    PushResponse,
    SnapshotResponse,
    TagsResponse,
)
from desktop_crm.protocol.privacy import ArchiveResponse, ArchiveSearchResponse, RestoreResponse
from desktop_crm.sync.errors import (
    ClientTooOld,
    Offline,
    ProtocolError,
    ServerRefused,
    SignInRequired,
    SignInThrottled,
    SyncError,
    throttled_message,
)
from desktop_crm.sync.fast_wire import PullPage, SnapshotPage, plain_pull, plain_snapshot

#: The errors live in :mod:`desktop_crm.sync.errors` (light to import); named here as well.
__all__ = [
    "ClientTooOld",
    "Offline",
    "ProtocolError",
    "ServerRefused",
    "SignInRequired",
    "SignInThrottled",
    "SyncClient",
    "SyncError",
    "throttled_message",
]

M = TypeVar("M", bound=BaseModel)

DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=5.0)
LOGIN_PATH = "/auth/login"
#: Optional sign-in fields newer than the first servers, which refuse them as unknown (422).
LATER_LOGIN_FIELDS = ("installation_id", "client_version")


class SyncClient:
    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._client = httpx.Client(
            base_url=self.base_url,
            timeout=timeout,
            transport=transport,
            headers={"Accept-Encoding": "gzip"},
        )
        self.token = token

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> SyncClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # Requests -------------------------------------------------------------------------------

    def login(self, request: LoginRequest) -> LoginResponse:
        body = request.model_dump(mode="json", exclude_none=True)
        while True:
            try:
                response = self._send("POST", LOGIN_PATH, json=body)
                break
            except ServerRefused as exc:
                # A server older than an optional field refuses it as unknown: sign in again
                # without it, as clients did before it.
                dropped = [
                    name
                    for name in LATER_LOGIN_FIELDS
                    if exc.status_code == 422 and name in body and name in exc.detail
                ]
                if not dropped:
                    raise
                del body[dropped[0]]
        login = self._parse(response, LoginResponse)
        self.token = login.access_token
        return login

    def snapshot(self, after: str | None = None, limit: int | None = None) -> SnapshotResponse:
        params: dict[str, Any] = {}
        if after is not None:
            params["after"] = after
        if limit is not None:
            params["limit"] = limit
        return self._parse(self._send("GET", "/sync/snapshot", params=params), SnapshotResponse)

    def snapshot_page(self, after: str | None = None, limit: int | None = None) -> SnapshotPage:
        """:meth:`snapshot`, with the records ready to store (no pydantic models per record;
        see :mod:`desktop_crm.sync.fast_wire`)."""
        params: dict[str, Any] = {}
        if after is not None:
            params["after"] = after
        if limit is not None:
            params["limit"] = limit
        response = self._send("GET", "/sync/snapshot", params=params)
        page = plain_snapshot(response.content)
        if page is None:
            page = SnapshotPage.from_response(self._parse(response, SnapshotResponse))
        return page

    def pull(self, cursor: str, limit: int = DEFAULT_PULL_PAGE) -> PullResponse:
        params = {"cursor": cursor, "limit": limit}
        return self._parse(self._send("GET", "/sync/pull", params=params), PullResponse)

    def pull_page(self, cursor: str, limit: int = DEFAULT_PULL_PAGE) -> PullPage:
        """:meth:`pull`, with the records ready to store."""
        params = {"cursor": cursor, "limit": limit}
        response = self._send("GET", "/sync/pull", params=params)
        page = plain_pull(response.content)
        if page is None:
            page = PullPage.from_response(self._parse(response, PullResponse))
        return page

    def push(self, request: PushRequest) -> PushResponse:
        body = request.model_dump(mode="json")
        return self._parse(self._send("POST", "/sync/push", json=body), PushResponse)

    def push_json(self, body: bytes) -> PushResponse:
        """:meth:`push` of a request already written as JSON (``fast_wire.push_body``)."""
        response = self._send("POST", "/sync/push", content=body, headers=_JSON)
        return self._parse(response, PushResponse)

    def directory(self) -> DirectoryResponse:
        return self._parse(self._send("GET", "/directory"), DirectoryResponse)

    def system_tags(self, cursor: str | None, limit: int = DEFAULT_PULL_PAGE) -> TagsResponse:
        """The system tags of accounts in scope that changed since ``cursor`` (None: all).
        A server older than tag rules answers 404 (:class:`ServerRefused`)."""
        params: dict[str, Any] = {"limit": limit}
        if cursor is not None:
            params["cursor"] = cursor
        return self._parse(self._send("GET", "/sync/tags", params=params), TagsResponse)

    def config(self) -> ConfigResponse:
        """The server's configuration (pipeline stages, account statuses, status rules)."""
        return self._parse(self._send("GET", "/config"), ConfigResponse)

    def audit(self, params: Mapping[str, str | int]) -> AuditPage:
        """A page of the audit trail (administrators; managers: their team's entries)."""
        return self._parse(self._send("GET", "/admin/audit", params=dict(params)), AuditPage)

    # The archive (online only: archived accounts are on no replica) --------------------------

    def search_archive(self, text: str, limit: int = 50) -> ArchiveSearchResponse:
        params: dict[str, str | int] = {"q": text, "limit": limit}
        return self._parse(
            self._send("GET", "/archive/accounts", params=params), ArchiveSearchResponse
        )

    def archive_account(self, account_id: str) -> ArchiveResponse:
        path = f"/accounts/{quote(account_id, safe='')}/archive"
        return self._parse(self._send("POST", path), ArchiveResponse)

    def restore_account(self, account_id: str) -> RestoreResponse:
        path = f"/accounts/{quote(account_id, safe='')}/restore"
        return self._parse(self._send("POST", path), RestoreResponse)

    # Duplicates (online: the review queue and merges are the server's) ----------------------

    def duplicates(self, entity: str, status: str = "open") -> list[DuplicatePair]:
        """The review queue's pairs whose both records the caller sees (managers, admins)."""
        params = {"entity": entity, "status": status}
        return self._parse(self._send("GET", "/duplicates", params=params), DuplicateQueue).root

    def dismiss_duplicate(self, request: PairRequest) -> DuplicatePair:
        body = request.model_dump(mode="json")
        return self._parse(self._send("POST", "/duplicates/dismiss", json=body), DuplicatePair)

    def merge(self, request: MergeRequest) -> MergeResponse:
        body = request.model_dump(mode="json")
        return self._parse(self._send("POST", "/merges", json=body), MergeResponse)

    def undo_merge(self, merge_id: str) -> UndoResponse:
        path = f"/admin/merges/{quote(merge_id, safe='')}/undo"
        return self._parse(self._send("POST", path), UndoResponse)

    # Plumbing -------------------------------------------------------------------------------

    def _send(
        self, method: str, path: str, headers: Mapping[str, str] | None = None, **kwargs: Any
    ) -> httpx.Response:
        headers = {
            **(headers or {}),
            **({"Authorization": f"Bearer {self.token}"} if self.token else {}),
        }
        try:
            response = self._client.request(method, path, headers=headers, **kwargs)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise Offline(f"Cannot reach the server at {self.base_url}.") from exc
        except (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError) as exc:
            raise Offline("The connection to the server broke off; will retry.") from exc
        except httpx.TimeoutException as exc:
            raise Offline("The server did not answer in time; will retry.") from exc
        if response.status_code == 401:
            raise SignInRequired(_detail(response) or "Please sign in again.")
        if response.status_code == 429 and path == LOGIN_PATH:
            raise SignInThrottled(_retry_after(response))
        if response.status_code == CLIENT_TOO_OLD_STATUS and path == LOGIN_PATH:
            raise ClientTooOld(_detail(response))
        if response.status_code >= 400:
            raise ServerRefused(response.status_code, _detail(response))
        return response

    @staticmethod
    def _parse(response: httpx.Response, model: type[M]) -> M:
        try:
            return model.model_validate_json(response.content)
        except ValidationError as exc:
            raise ProtocolError(
                f"The server's answer does not follow the sync protocol: {exc.errors()[0]['msg']}"
            ) from exc


_JSON = {"Content-Type": "application/json"}


def _retry_after(response: httpx.Response) -> int | None:
    """Seconds from a ``Retry-After`` header (this server sends seconds, never a date)."""
    text = response.headers.get("Retry-After", "").strip()
    return int(text) if text.isascii() and text.isdigit() else None


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    if isinstance(body, dict) and isinstance(body.get("detail"), str):
        return str(body["detail"])
    return str(body)[:200]

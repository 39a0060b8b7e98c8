"""The sync wire protocol: request and response bodies shared by the client and the server.

Documented for people in ``docs/sync-protocol.md``; the server's OpenAPI schema is built from
these models, so the two cannot drift apart.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
)

from desktop_crm.domain.fields import bounded_time
from desktop_crm.domain.records import Entity
from desktop_crm.domain.shape import text_problem
from desktop_crm.protocol.roles import Role as Role  # defined apart: light to import

PROTOCOL_VERSION = 1
MAX_PUSH_BATCH = 500
MAX_PULL_PAGE = 5000
DEFAULT_PULL_PAGE = 1000
MAX_SNAPSHOT_PAGE = 20000
DEFAULT_SNAPSHOT_PAGE = 5000

#: Strict: a JSON ``false`` or ``"3"`` is not a counter (the schema says integer).
VersionDict = dict[str, StrictInt]


def checked_text(value: str) -> str:
    """``value`` if both databases and every JSON reader accept it (no NUL, no lone surrogate,
    bounded length: :func:`desktop_crm.domain.shape.text_problem`), else ValueError, which
    pydantic and FastAPI turn into a 422. The one check for incoming text outside record data
    (push checks that per change, with the same function, so one bad change does not refuse
    its batch)."""
    problem = text_problem(value)
    if problem:
        raise ValueError(f"text {problem}")
    return value


#: Incoming text: request fields, query and path parameters. The pattern puts the NUL rule in
#: the OpenAPI schema too (JSON Schema cannot name lone surrogates; the validator refuses them).
WireText = Annotated[str, StringConstraints(pattern=r"^[^\x00]*$"), AfterValidator(checked_text)]


def _iso_time(value: object) -> object:
    """ISO-8601 text (as the schema says, ``date-time``) or a ``datetime``; not a number, which
    pydantic would otherwise read as seconds since 1970."""
    if isinstance(value, str):
        return datetime.fromisoformat(value)
    if isinstance(value, datetime):
        return value
    raise ValueError("must be an ISO-8601 time")


#: A time sent to the server.
RequestTime = Annotated[datetime, BeforeValidator(_iso_time)]


def _within_bounds(value: datetime) -> datetime:
    bounded_time(value)  # raises ValueError outside the bounds
    return value  # as read: a time without a zone stays so, as the fast page reader keeps it


#: A time within the dates records may hold (:func:`desktop_crm.domain.fields.bounded_time`).
WireTime = Annotated[datetime, AfterValidator(_within_bounds)]


class WireModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# Sign-in -------------------------------------------------------------------------------------


class LoginRequest(WireModel):
    username: WireText = Field(min_length=1, max_length=100)
    password: WireText = Field(min_length=1, max_length=1000)
    #: Given on later sign-ins from the same installation; absent on its first sign-in,
    #: when the server registers a new device and mints its replica id.
    device_id: WireText | None = Field(default=None, max_length=64)
    device_name: WireText = Field(default="", max_length=200)
    #: Minted by the client once per installation (a random UUID kept in the profile) and sent
    #: with every sign-in: a first sign-in retried after its answer was lost gets the device it
    #: registered, not a second one. Optional: clients that omit it register a device per
    #: sign-in without ``device_id``, as before.
    installation_id: str | None = Field(
        default=None, min_length=16, max_length=64, pattern=r"^[A-Za-z0-9_-]+$"
    )
    #: The client's version (``desktop_crm.__version__``), so a server that requires a
    #: minimum can refuse older builds with 426 (:mod:`desktop_crm.protocol.client_version`).
    #: Optional: clients from before it send none.
    client_version: WireText | None = Field(default=None, max_length=32)


class LoginResponse(WireModel):
    access_token: str
    token_type: str = "bearer"
    expires_at: datetime
    user_id: str
    username: str
    role: Role
    device_id: str
    replica_id: str


# Records -------------------------------------------------------------------------------------


class WireRecord(WireModel):
    entity: Entity
    id: str = Field(min_length=1, max_length=64)
    version: VersionDict
    deleted: bool = False
    updated_at: WireTime
    updated_by: str = ""
    data: dict[str, Any]
    #: Fields the caller's role may not see; their values in ``data`` are blanked ("" or []).
    #: A change pushed for such a record leaves these fields as they are on the server.
    masked: list[str] = []


class Removal(WireModel):
    """A record that left the caller's scope (reassignment, team change): drop it locally.

    When an account leaves the scope the server lists the account and every record under it.
    """

    entity: Entity
    id: str


# Pull ----------------------------------------------------------------------------------------


class PullResponse(WireModel):
    records: list[WireRecord]
    removals: list[Removal] = []
    #: Opaque; send it back as ``cursor`` to continue after this page.
    cursor: str
    has_more: bool
    #: The caller's scope changed wholesale (new role, manager moved team): push or park
    #: unsynced changes, take a fresh snapshot, and drop local records the snapshot lacks.
    resync_required: bool = False


class SnapshotResponse(WireModel):
    """One page of the bulk first-sync snapshot of the caller's whole scope."""

    records: list[WireRecord]
    #: Opaque; send it back as ``after`` for the next page, absent on the last page.
    next_page: str | None
    #: Where incremental pulls start once every snapshot page is applied.
    cursor: str


# Push ----------------------------------------------------------------------------------------


class Change(WireModel):
    change_id: str = Field(min_length=1, max_length=64)
    #: One of :class:`Entity`. A plain string on the wire so that an entity this server does
    #: not know rejects that one change instead of the whole batch.
    entity: str = Field(min_length=1, max_length=40)
    record_id: str = Field(min_length=1, max_length=64)
    #: The version this edit was made on (the last synced version; empty when created here).
    base_version: VersionDict
    new_version: VersionDict
    changed_fields: list[str]
    deleted: StrictBool = False
    #: The whole record after the edit.
    data: dict[str, Any]
    #: When the edit was made on the client (stage-rule timing); the server's clock if absent.
    #: Checked per change (bounded like record dates), so a wrong one refuses only its change.
    changed_at: RequestTime | None = None


class PushRequest(WireModel):
    changes: list[Change] = Field(max_length=MAX_PUSH_BATCH)


class ChangeStatus(enum.StrEnum):
    APPLIED = "applied"
    ALREADY_APPLIED = "already_applied"
    CONFLICT = "conflict"
    REJECTED = "rejected"


class ChangeResult(WireModel):
    change_id: str
    status: ChangeStatus
    reason: str | None = None
    #: The server's record after this change (applied) or as it stands (conflict).
    current: WireRecord | None = None


class PushResponse(WireModel):
    results: list[ChangeResult]


class ErrorBody(WireModel):
    detail: str


# Session and configuration -------------------------------------------------------------------


class MeResponse(WireModel):
    user_id: str
    username: str
    role: Role
    team: str | None
    device_id: str
    replica_id: str
    #: "entity.field" names blanked for this role (see ``WireRecord.masked``).
    masked_fields: list[str] = []


class DirectoryUser(WireModel):
    id: str
    username: str
    role: Role


class DirectoryResponse(WireModel):
    """Who is who: user ids as they appear in records (owner, author, updated by), with names."""

    users: list[DirectoryUser]


class StageConfig(WireModel):
    key: str
    name: str
    position: int
    default_probability: int
    requires_activity_since_stage_change: bool = False
    requires_expected_close: bool = False
    is_closed: bool = False
    is_won: bool = False


class StatusConfig(WireModel):
    key: str
    name: str
    position: int


class StatusRuleConfig(WireModel):
    """A status rule (``domain/status_rules.py``): entering a ``when`` stage (``won``,
    ``lost`` or a stage key) sets the account to ``to_status`` (only from ``only_from``, when
    given)."""

    when: str
    to_status: str
    only_from: list[str] = []


class ConfigResponse(WireModel):
    protocol_version: int = PROTOCOL_VERSION
    max_push_batch: int = MAX_PUSH_BATCH
    pipeline_stages: list[StageConfig]
    account_statuses: list[StatusConfig]
    #: The status rules in force (the default rule when none is configured; may be empty).
    #: None only from a server older than status rules: the client then uses the default.
    status_rules: list[StatusRuleConfig] | None = None


# System tags (computed by the server's tag rules) ----------------------------------------------


class SystemTag(WireModel):
    name: str
    #: Why the tag holds: "VIP: won 1,240,000 CNY in the last 12 months ≥ 100,000".
    reason: str


class AccountTags(WireModel):
    """An account's system tags as they stand now (replace what the replica had; ``[]``: none)."""

    account_id: str
    tags: list[SystemTag]


class TagsResponse(WireModel):
    """``GET /sync/tags``: the accounts in scope whose system tags changed since ``cursor``."""

    accounts: list[AccountTags]
    #: Opaque; send it back as ``cursor`` next time.
    cursor: str
    has_more: bool


class TagRulesBody(WireModel):
    """``POST /admin/set-tag-rules``: a rule file's text (``docs/tag-rules.md``)."""

    text: str = Field(max_length=200_000)
    #: ``"toml"`` or ``"json"``; absent: JSON when the text starts with ``{`` or ``[``.
    format: str | None = Field(default=None, pattern=r"^(toml|json)$")


class TagRulesResponse(WireModel):
    #: The rules in force, as JSON objects (``docs/tag-rules.md``).
    rules: list[dict[str, Any]]
    #: Accounts evaluated and how many now carry each tag (after a change of rules).
    evaluated: int = 0
    tagged: dict[str, int] = {}

"""Which history rows a record write produces: the one rule for the replica and the server.

History is derived, never synced: whichever side writes a record appends these rows (see
``docs/architecture.md``). The rule:

- an account renamed keeps its former name, unless that name was empty (a nameless record has
  no former name worth keeping);
- an account's status and an opportunity's stage are logged when they change, including the
  first one of a new record (``from_*`` None); a blank new status or stage is not logged, and
  a blank old one is logged as None;
- a status change a status rule made (``domain/status_rules.py``) carries its reason (e.g.
  "won: <opportunity name>"), given by the writer; other status changes have none.

The rows are named tuples whose field names are the columns of the history tables on both
sides (``account_former_names``, ``account_status_log``, and the stage history), in column
order, so either side inserts them as they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from desktop_crm.domain.records import Entity


class FormerNameRow(NamedTuple):
    account_id: str
    name: str
    #: When this name stopped being used.
    changed_at: str
    changed_by: str


class StatusChangeRow(NamedTuple):
    account_id: str
    from_status: str | None
    to_status: str
    changed_at: str
    changed_by: str
    #: Why the status changed when a rule changed it ("won: <opportunity>"), else None.
    reason: str | None = None


class StageChangeRow(NamedTuple):
    opportunity_id: str
    from_stage: str | None
    to_stage: str
    changed_at: str
    changed_by: str


HistoryRow = FormerNameRow | StatusChangeRow | StageChangeRow

#: The fields the rule reads, per entity; a write of any other entity has no history.
TRACKED_FIELDS: dict[Entity, tuple[str, ...]] = {
    Entity.ACCOUNT: ("name", "status"),
    Entity.OPPORTUNITY: ("stage",),
}


def history_rows(
    entity: Entity,
    record_id: str,
    previous: Mapping[str, Any] | None,
    data: Mapping[str, Any],
    changed_by: str,
    changed_at: str,
    status_reason: str | None = None,
) -> list[HistoryRow]:
    """The history rows of writing ``data`` over ``previous`` (the record's data before, None
    for a new record), by ``changed_by`` at ``changed_at`` (ISO-8601 text); ``status_reason``:
    why an account's status changed, when a status rule changed it."""
    if entity == Entity.ACCOUNT:
        rows: list[HistoryRow] = []
        if previous is not None:
            old_name = previous.get("name")
            if old_name and old_name != data.get("name"):
                rows.append(FormerNameRow(record_id, old_name, changed_at, changed_by))
        change = _change(previous, data, "status")
        if change is not None:
            rows.append(StatusChangeRow(record_id, *change, changed_at, changed_by, status_reason))
        return rows
    if entity == Entity.OPPORTUNITY:
        change = _change(previous, data, "stage")
        if change is not None:
            return [StageChangeRow(record_id, *change, changed_at, changed_by)]
    return []


def _change(
    previous: Mapping[str, Any] | None, data: Mapping[str, Any], field: str
) -> tuple[str | None, str] | None:
    """``(from, to)`` when ``field`` changed to a non-blank value, else None."""
    new = data.get(field)
    if not new:
        return None
    old = previous.get(field) if previous is not None else None
    if old == new:
        return None
    return (old or None, new)

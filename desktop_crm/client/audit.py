"""Reading the audit trail from the server (administrators; managers see their team's).

The trail lives only on the server, so this is an online read: the window submits
:func:`read_audit` to its worker, never calling it on the GUI thread."""

from __future__ import annotations

from dataclasses import dataclass

from desktop_crm.client.session import ProfileSync
from desktop_crm.protocol.audit import DEFAULT_AUDIT_PAGE, AuditPage
from desktop_crm.sync.errors import SignInRequired


@dataclass(frozen=True, slots=True)
class AuditQuery:
    """The filters; blank ones are left out. ``since``: an ISO-8601 date or time (the server
    refuses anything else with a message that says so)."""

    user: str = ""
    action: str = ""
    since: str = ""
    record: str = ""
    before_id: int | None = None
    limit: int = DEFAULT_AUDIT_PAGE

    def params(self) -> dict[str, str | int]:
        out: dict[str, str | int] = {"limit": self.limit}
        for name in ("user", "action", "since", "record"):
            value = str(getattr(self, name)).strip()
            if value:
                out[name] = value
        if self.before_id is not None:
            out["before_id"] = self.before_id
        return out


def read_audit(sync: ProfileSync | None, query: AuditQuery) -> AuditPage:
    """A page of the trail, newest first. Raises the sync client's errors (offline, refused)."""
    if sync is None:
        raise SignInRequired("The audit trail is on the server: sign in to read it.")
    return sync.online(lambda client: client.audit(query.params()))

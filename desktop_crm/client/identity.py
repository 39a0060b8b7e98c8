"""Who is working: stamped on every local change."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Identity:
    replica_id: str
    user_id: str
    username: str = ""
    role: str = ""


#: The roles the window offers the audit trail, the duplicates' review and a merge's undo (the
#: server decides; these only choose what is shown).
AUDIT_READERS = frozenset({"admin", "manager"})
REVIEWERS = frozenset({"admin", "manager"})
UNDOERS = frozenset({"admin"})

#: A replica opened without an account on a server (no sync).
LOCAL = Identity("local", "local")

"""Who is working: stamped on every local change."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Identity:
    replica_id: str
    user_id: str
    username: str = ""
    role: str = ""


#: A replica opened without an account on a server (no sync).
LOCAL = Identity("local", "local")

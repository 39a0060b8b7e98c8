"""The roles a user has on the server (the sign-in answer names one). Apart from the wire models
(:mod:`desktop_crm.protocol.messages`, which names it too) so the window can compare roles
without importing pydantic and every model at start."""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    REP = "rep"
    MANAGER = "manager"
    SERVICE_DESK = "service_desk"
    ADMIN = "admin"

"""Typed FastAPI dependencies shared by the routes (``DbDep``, ``SettingsDep``).

``CurrentUser`` lives in :mod:`desktop_crm.server.auth`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Connection, Engine

from desktop_crm.server.settings import Settings

# Dependencies that do no I/O are ``async def``: FastAPI runs a plain ``def`` dependency in the
# thread pool, a round trip that costs more than the function itself.


async def get_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_conn(engine: Annotated[Engine, Depends(get_engine)]) -> Iterator[Connection]:
    """One connection per request; routes open their own transactions on it."""
    with engine.connect() as conn:
        yield conn


EngineDep = Annotated[Engine, Depends(get_engine)]
DbDep = Annotated[Connection, Depends(get_conn)]
SettingsDep = Annotated[Settings, Depends(get_settings)]

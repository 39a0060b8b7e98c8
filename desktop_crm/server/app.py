"""The ASGI application: ``create_app(settings)``."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI, Response, status
from fastapi.middleware.gzip import GZipMiddleware
from pydantic import BaseModel
from sqlalchemy import Engine, text
from starlette.types import Receive, Scope, Send

from desktop_crm.protocol.messages import PROTOCOL_VERSION
from desktop_crm.server import audit, db, errors, fast_pull, tags
from desktop_crm.server.deps import DbDep
from desktop_crm.server.idle_read import IdleReader
from desktop_crm.server.routes import admin, auth, directory, duplicates, privacy, sync
from desktop_crm.server.routes import audit as audit_routes
from desktop_crm.server.routes.auth import INVALID_INPUT
from desktop_crm.server.settings import Settings

log = logging.getLogger(__name__)


class CrmApp(FastAPI):
    """FastAPI with the raw fast path for ``GET /sync/pull`` in front
    (:mod:`desktop_crm.server.fast_pull`): whatever that path does not answer, FastAPI does."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["path"] == fast_pull.PATH
            and scope["method"] == "GET"
            and await fast_pull.serve(
                scope, send, self.state.settings, self.state.engine, self.state.idle_reader
            )
        ):
            return
        await super().__call__(scope, receive, send)


class Health(BaseModel):
    status: str
    protocol_version: int
    schema_revision: str | None


def create_app(
    settings: Settings, engine: Engine | None = None, *, run_migrations: bool = True
) -> FastAPI:
    """Build the app. Migrations run here (idempotent), before the first request."""
    engine = engine if engine is not None else db.make_engine(settings.database_url)
    if run_migrations:
        db.migrate(engine)
    revision = db.current_revision(engine)
    reader = IdleReader(engine)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        daily = asyncio.create_task(tags.run_daily(engine))  # the tag rules' scheduled pass
        await reader.warm()
        yield
        daily.cancel()
        await reader.aclose()
        engine.dispose()

    app = CrmApp(
        title="Desktop CRM server",
        version=f"protocol {PROTOCOL_VERSION}",
        description="Central server for the offline-first desktop CRM. See docs/sync-protocol.md.",
        lifespan=lifespan,
        dependencies=[Depends(errors.reject_unknown_query)],
    )
    app.state.engine = engine
    app.state.settings = settings
    app.state.idle_reader = reader
    errors.install(app)
    app.add_middleware(
        GZipMiddleware, minimum_size=fast_pull.GZIP_MINIMUM, compresslevel=settings.gzip_level
    )
    app.add_middleware(errors.BodyLimit, limit=settings.max_body_bytes)
    app.add_middleware(audit.RequestAddress)

    @app.get(
        "/health",
        tags=["meta"],
        responses={
            **INVALID_INPUT,
            503: {"model": Health, "description": "Database unavailable"},
        },
    )
    def health(conn: DbDep, response: Response) -> Health:
        """Liveness and database reachability; no sign-in needed."""
        try:
            with conn.begin():
                conn.execute(text("SELECT 1"))
        except Exception:  # noqa: BLE001 - any failure here means "not healthy"
            log.exception("health check failed")
            response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
            return Health(
                status="unavailable", protocol_version=PROTOCOL_VERSION, schema_revision=revision
            )
        return Health(status="ok", protocol_version=PROTOCOL_VERSION, schema_revision=revision)

    app.include_router(auth.router)
    app.include_router(sync.router)
    app.include_router(admin.router)
    app.include_router(audit_routes.router)
    app.include_router(directory.router)
    app.include_router(privacy.router)
    app.include_router(duplicates.router)
    return app

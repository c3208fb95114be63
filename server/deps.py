"""Request dependencies as `Annotated` aliases: runtime, settings, connection, trace id, actor."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request

from server.auth import CurrentActor
from server.errors import trace_id_of
from server.runtime import Runtime
from tools.db.engine import Conn
from tools.errors import Unavailable
from tools.settings import Settings

__all__ = ["ConnDep", "CurrentActor", "RuntimeDep", "SettingsDep", "TraceId"]


# Dependencies are `async def` on purpose: FastAPI runs a plain `def` one in a worker thread,
# a thread hop per dependency per request for what is an attribute lookup.


async def get_runtime(request: Request) -> Runtime:
    """The process runtime opened by the lifespan."""
    runtime: Runtime | None = getattr(request.app.state, "runtime", None)
    if runtime is None:
        raise Unavailable("the server is starting or stopping; retry shortly", retry_after=1)
    return runtime


async def get_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


async def get_conn(
    runtime: Annotated[Runtime, Depends(get_runtime)],
) -> AsyncIterator[Conn]:
    """A connection for a route's reads (autocommit: each statement on its own)."""
    async with runtime.db.connection() as conn:
        yield conn


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
ConnDep = Annotated[Conn, Depends(get_conn)]
async def get_trace_id(request: Request) -> str:
    """The trace id the middleware gave this request."""
    return trace_id_of(request)


TraceId = Annotated[str, Depends(get_trace_id)]

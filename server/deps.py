"""Request dependencies as `Annotated` aliases: runtime, settings, session, trace id, actor."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth import CurrentActor
from server.errors import trace_id_of
from server.runtime import Runtime
from tools.errors import Unavailable
from tools.settings import Settings

__all__ = ["CurrentActor", "RuntimeDep", "SessionDep", "SettingsDep", "TraceId"]


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


async def get_session(
    runtime: Annotated[Runtime, Depends(get_runtime)],
) -> AsyncIterator[AsyncSession]:
    """One read/write unit of work for a route."""
    async with runtime.db.session() as session:
        yield session


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[AsyncSession, Depends(get_session)]
async def get_trace_id(request: Request) -> str:
    """The trace id the middleware gave this request."""
    return trace_id_of(request)


TraceId = Annotated[str, Depends(get_trace_id)]

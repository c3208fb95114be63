"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter
from starlette.responses import Response

from server.deps import RuntimeDep
from server.metrics import metrics_response
from server.openapi import errors
from server.responses import Health, Ready
from server.runtime import Runtime
from tools.errors import Unavailable

router = APIRouter(tags=["operations"])
READY_TIMEOUT_S = 2.0


@router.get("/healthz", response_model=Health, responses=errors(500))
async def healthz() -> Health:
    """The process is up (no dependency is checked)."""
    return Health()


@router.get("/readyz", response_model=Ready, responses=errors(500, 503))
async def readyz(runtime: RuntimeDep) -> Ready:
    """200 once the server can take turns: the database answers; LLM status when known."""
    try:
        await asyncio.wait_for(_ping_database(runtime), READY_TIMEOUT_S)
    except TimeoutError as exc:
        raise Unavailable("the database did not answer in time", retry_after=1) from exc
    settings = runtime.settings
    return Ready(mode=settings.mode, auth="jwt" if settings.auth_jwt_secret else "dev",
                 llm=_llm_status(runtime))


async def _ping_database(runtime: Runtime) -> None:
    async with runtime.db.connection() as conn:
        await conn.execute("SELECT 1")


def _llm_status(runtime: Runtime) -> dict[str, Any] | None:
    llm = runtime.services.llm
    if llm is None:
        return {"configured": False}
    status = getattr(llm, "status", None)
    return dict(status()) if callable(status) else {"configured": True}


@router.get(
    "/metrics", response_class=Response, responses={
        200: {"content": {"text/plain": {"schema": {"type": "string"}}},
              "description": "Prometheus text exposition"}, **errors(500)},
)
async def metrics() -> Response:
    """Prometheus metrics of this process."""
    return metrics_response()

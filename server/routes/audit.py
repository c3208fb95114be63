"""Audit events: admins see all, everyone else only their own."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from server.deps import ConnDep, CurrentActor
from server.openapi import BASE, errors
from server.responses import AuditEventOut
from server.schemas import ACTION_ID, THREAD_ID
from tools.crud import audit as crud
from tools.db.ids import TICKET_ID

router = APIRouter(tags=["audit"])


@router.get("/audit", response_model=list[AuditEventOut], responses=errors(*BASE))
async def list_audit(
    actor: CurrentActor, conn: ConnDep,
    trace_id: Annotated[str | None, Query(pattern=ACTION_ID)] = None,
    thread_id: Annotated[str | None, Query(pattern=THREAD_ID)] = None,
    ticket_id: Annotated[str | None, Query(pattern=TICKET_ID)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Any:
    """Audit events matching the filters, newest first."""
    rows = await crud.list_audit(conn, actor=actor, trace_id=trace_id, thread_id=thread_id,
                                 ticket_id=ticket_id, limit=limit)
    return [crud.audit_public(e) for e in rows]

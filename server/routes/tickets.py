"""Tickets the caller may see: requesters their own, agents their department, admins all."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from server.deps import CurrentActor, SessionDep
from server.openapi import BASE, errors
from server.responses import TicketOut
from server.schemas import TICKET_ID
from tools.crud import tickets as crud
from tools.domain import TicketStatus
from tools.errors import NotFound

router = APIRouter(prefix="/tickets", tags=["tickets"])


@router.get("", response_model=list[TicketOut], responses=errors(*BASE))
async def list_tickets(
    actor: CurrentActor, session: SessionDep,
    status: Annotated[TicketStatus | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> Any:
    """Visible tickets, newest first."""
    rows = await crud.list_tickets(session, actor=actor, status=status, limit=limit)
    return [crud.ticket_public(t) for t in rows]


@router.get("/{ticket_id}", response_model=TicketOut, responses=errors(*BASE, 404))
async def get_ticket(
    ticket_id: Annotated[str, Path(pattern=TICKET_ID, description="TCK-YYYY-XXXXXX")],
    actor: CurrentActor, session: SessionDep,
) -> Any:
    """One ticket with all its comments (404 when it is not visible to the caller)."""
    ticket = await crud.get_ticket(session, ticket_id=ticket_id, comments=None)
    if ticket is None or not actor.can_see_ticket(ticket.requester_id, ticket.department):
        raise NotFound(f"ticket {ticket_id} not found")
    return crud.ticket_public(ticket)

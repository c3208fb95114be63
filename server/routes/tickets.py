"""Tickets the caller may see: requesters their own, agents their department, admins all."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from server.action_schemas import Conversation, QueuePage
from server.deps import ConnDep, CurrentActor
from server.openapi import BASE, errors
from server.responses import AuditEventOut, TicketOut
from tools.crud import audit as crud_audit
from tools.crud import threads as crud_threads
from tools.crud import tickets as crud
from tools.db.engine import Conn
from tools.db.ids import TICKET_ID
from tools.domain import CATEGORIES, PRIORITIES, Actor, TicketRow, TicketStatus
from tools.errors import Forbidden, NotFound

router = APIRouter(prefix="/tickets", tags=["tickets"])


@router.get("", response_model=list[TicketOut], responses=errors(*BASE))
async def list_tickets(
    actor: CurrentActor, conn: ConnDep,
    status: Annotated[TicketStatus | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> Any:
    """Visible tickets, newest first."""
    rows = await crud.list_tickets(conn, actor=actor, status=status, limit=limit)
    return [t.public() for t in rows]


@router.get("/queue", response_model=QueuePage, responses=errors(*BASE, 403))
async def ticket_queue(
    actor: CurrentActor, conn: ConnDep,
    status: Annotated[TicketStatus | None, Query()] = None,
    priority: Annotated[str | None, Query(pattern="^(" + "|".join(PRIORITIES) + ")$")] = None,
    category: Annotated[str | None, Query(pattern="^(" + "|".join(CATEGORIES) + ")$")] = None,
    department: Annotated[str | None, Query(max_length=128, description="admins only")] = None,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> Any:
    """The department's ticket queue for agents (admins: any department, or all), newest first."""
    if actor.role == "requester":
        raise Forbidden("the ticket queue is for agents and admins")
    if actor.role == "agent" and department not in (None, actor.department):
        raise Forbidden("agents see their own department's queue")
    scope = actor.department if actor.role == "agent" else department
    filters = {k: v for k, v in (("status", status), ("priority", priority),
                                 ("category", category)) if v}
    rows, total = await crud.list_queue(conn, department=scope, filters=filters,
                                        offset=offset, limit=limit)
    return QueuePage(items=[t.public() for t in rows], total=total, offset=offset,
                     limit=limit)


TicketId = Annotated[str, Path(pattern=TICKET_ID, description="TCK-YYYY-XXXXXX")]


async def visible_ticket(conn: Conn, ticket_id: str, actor: Actor) -> TicketRow:
    """The ticket with all its comments, or 404 when the caller may not see it."""
    ticket = await crud.get_ticket(conn, ticket_id=ticket_id, comments=None)
    if ticket is None or not actor.can_see_ticket(ticket.requester_id, ticket.department):
        raise NotFound(f"ticket {ticket_id} not found")
    return ticket


@router.get("/{ticket_id}/audit", response_model=list[AuditEventOut],
            responses=errors(*BASE, 404))
async def ticket_audit(ticket_id: TicketId, actor: CurrentActor, conn: ConnDep) -> Any:
    """The ticket's audit trail, oldest first (requesters: their own events only)."""
    await visible_ticket(conn, ticket_id, actor)
    only = actor.user_id if actor.role == "requester" else None
    rows = await crud_audit.ticket_events(conn, ticket_id=ticket_id, actor_id=only)
    return [crud_audit.audit_public(e) for e in rows]


@router.get("/{ticket_id}/conversation", response_model=Conversation,
            responses=errors(*BASE, 404))
async def ticket_conversation(ticket_id: TicketId, actor: CurrentActor,
                              conn: ConnDep) -> Any:
    """The transcript of the conversation that created the ticket (staff, or its requester)."""
    await visible_ticket(conn, ticket_id, actor)
    thread_id = await crud_audit.creating_thread(conn, ticket_id=ticket_id)
    thread = await crud_threads.get_thread(conn, thread_id=thread_id) if thread_id else None
    if thread is None or (actor.role == "requester" and thread.owner_id != actor.user_id):
        return Conversation()
    messages = await crud_threads.list_messages(conn, thread_id=thread.thread_id)
    return Conversation(thread_id=thread.thread_id, messages=[
        {"role": m.role, "content": m.content, "created_at": m.created_at.isoformat()}
        for m in messages])


@router.get("/{ticket_id}", response_model=TicketOut, responses=errors(*BASE, 404))
async def get_ticket(ticket_id: TicketId, actor: CurrentActor, conn: ConnDep) -> Any:
    """One ticket with all its comments (404 when it is not visible to the caller)."""
    return (await visible_ticket(conn, ticket_id, actor)).public()

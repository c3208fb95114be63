"""Ticket and comment rows: read and write, nothing decided here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from tools.db.engine import Conn
from tools.db.ids import new_ticket_id
from tools.db.models import Ticket, TicketComment
from tools.domain import Actor


class CommentLike(Protocol):
    """What a comment shows: an ORM TicketComment or a CommentRow."""

    @property
    def author_id(self) -> str: ...
    @property
    def body(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...


class TicketLike(Protocol):
    """What guards and the API read of a ticket: an ORM Ticket or a TicketRow."""

    @property
    def ticket_id(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def category(self) -> str: ...
    @property
    def priority(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def requester_id(self) -> str: ...
    @property
    def department(self) -> str: ...
    @property
    def assignee_id(self) -> str | None: ...
    @property
    def escalation_level(self) -> int: ...
    @property
    def version(self) -> int: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def updated_at(self) -> datetime: ...
    @property
    def comments(self) -> Sequence[CommentLike]: ...


@dataclass(frozen=True, slots=True)
class CommentRow:
    """A comment as read on the hot path."""

    author_id: str
    body: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class TicketRow:
    """A ticket as read on the hot path (plain data, no session behind it)."""

    ticket_id: str
    title: str
    description: str
    category: str
    priority: str
    status: str
    requester_id: str
    department: str
    assignee_id: str | None
    escalation_level: int
    version: int
    created_at: datetime
    updated_at: datetime
    comments: list[CommentRow]


async def create_ticket(session: AsyncSession, *, fields: dict[str, Any], actor: Actor) -> Ticket:
    """Insert a ticket for `actor` with the given title/description/category/priority."""
    ticket = Ticket(
        ticket_id=new_ticket_id(), requester_id=actor.user_id, department=actor.department,
        status="OPEN", escalation_level=0, version=1, priority=fields.get("priority") or "P3",
        title=fields["title"], description=fields.get("description") or "", category=fields["category"],
    )
    ticket.comments = []
    session.add(ticket)
    await session.flush()
    return ticket


RECENT_COMMENTS = 20  # a ticket in a chat result carries its latest comments, not all of them


async def get_ticket(
    session: AsyncSession, *, ticket_id: str, comments: int | None = RECENT_COMMENTS,
    refresh: bool = False,
) -> Ticket | None:
    """One ticket with its latest `comments` comments (None: all), or None."""
    ticket = await session.get(Ticket, ticket_id, populate_existing=refresh)
    if ticket is None:
        return None
    query = (select(TicketComment).where(TicketComment.ticket_id == ticket_id)
             .order_by(TicketComment.id.desc()))
    rows = list((await session.scalars(query if comments is None else query.limit(comments))).all())
    set_committed_value(ticket, "comments", rows[::-1])
    return ticket


# The ticket and its latest comments in one round trip (LIMIT NULL: all of them).
_READ = """
SELECT t.ticket_id, t.title, t.description, t.category, t.priority, t.status, t.requester_id,
       t.department, t.assignee_id, t.escalation_level, t.version, t.created_at, t.updated_at,
       c.authors, c.bodies, c.times
  FROM tickets t
  LEFT JOIN LATERAL (
       SELECT array_agg(author_id ORDER BY id) AS authors, array_agg(body ORDER BY id) AS bodies,
              array_agg(created_at ORDER BY id) AS times
         FROM (SELECT id, author_id, body, created_at FROM ticket_comments
                WHERE ticket_id = t.ticket_id ORDER BY id DESC LIMIT %(n)s) AS latest
  ) AS c ON true
 WHERE t.ticket_id = %(tid)s
"""


async def read_ticket(conn: Conn, *, ticket_id: str, comments: int | None = RECENT_COMMENTS) -> TicketRow | None:
    """`get_ticket` on the hot path: one statement, plain data."""
    row = await (await conn.execute(_READ, {"tid": ticket_id, "n": comments})).fetchone()
    if row is None:
        return None
    authors, bodies, times = row.pop("authors") or [], row.pop("bodies") or [], row.pop("times") or []
    return TicketRow(**row, comments=[CommentRow(*c) for c in zip(authors, bodies, times, strict=True)])


def _visible(actor: Actor) -> Any:
    if actor.role == "admin":
        return True
    if actor.role == "agent":
        return or_(Ticket.department == actor.department, Ticket.requester_id == actor.user_id)
    return Ticket.requester_id == actor.user_id


async def list_tickets(
    session: AsyncSession, *, actor: Actor, status: str | None = None, limit: int = 20,
    mine_only: bool = False,
) -> list[Ticket]:
    """Tickets the actor may see (or only their own), newest first."""
    query = select(Ticket).where(Ticket.requester_id == actor.user_id if mine_only else _visible(actor))
    if status:
        query = query.where(Ticket.status == status)
    query = query.order_by(Ticket.created_at.desc(), Ticket.ticket_id).limit(limit)
    return list((await session.scalars(query)).all())


async def update_ticket(
    session: AsyncSession, *, ticket_id: str, version: int, values: dict[str, Any]
) -> Ticket | None:
    """Optimistic-locked update: applies `values` only if the row is still at `version`."""
    stmt = (
        update(Ticket)
        .where(Ticket.ticket_id == ticket_id, Ticket.version == version)
        .values(**values, version=Ticket.version + 1, updated_at=func.now())
        .returning(Ticket.ticket_id)
        .execution_options(synchronize_session=False)
    )
    if (await session.execute(stmt)).scalar_one_or_none() is None:
        return None
    return await get_ticket(session, ticket_id=ticket_id, refresh=True)


async def add_comment(session: AsyncSession, *, ticket_id: str, author_id: str, body: str) -> TicketComment:
    """Append a comment to a ticket."""
    comment = TicketComment(ticket_id=ticket_id, author_id=author_id, body=body)
    session.add(comment)
    await session.flush()
    return comment


def ticket_public(ticket: TicketLike) -> dict[str, Any]:
    """The API shape of a ticket (API.md)."""
    return {
        "ticket_id": ticket.ticket_id, "title": ticket.title, "description": ticket.description,
        "category": ticket.category, "priority": ticket.priority, "status": ticket.status,
        "requester_id": ticket.requester_id, "department": ticket.department,
        "assignee_id": ticket.assignee_id, "escalation_level": ticket.escalation_level,
        "version": ticket.version,
        "comments": [
            {"author_id": c.author_id, "body": c.body, "created_at": c.created_at.isoformat()}
            for c in ticket.comments
        ],
        "created_at": ticket.created_at.isoformat(), "updated_at": ticket.updated_at.isoformat(),
    }

"""Ticket and comment rows: read and write, nothing decided here.

SQL on psycopg (see tools.db.engine.Database): tickets are read and written on every ticket turn.
"""

from __future__ import annotations

from typing import Any

from psycopg import sql

from tools.db.engine import Conn, execute, fetch_all, fetch_one
from tools.db.ids import new_ticket_id
from tools.domain import DEFAULT_PRIORITY, Actor, CommentRow, TicketRow

RECENT_COMMENTS = 20  # a ticket in a chat result carries its latest comments, not all of them

_COLUMNS = ", ".join(name for name in TicketRow.model_fields if name != "comments")  # the tickets columns

# The ticket and its latest comments in one round trip (LIMIT NULL: all of them).
_GET = f"""
SELECT {_COLUMNS}, c.authors, c.bodies, c.times
  FROM tickets t
  LEFT JOIN LATERAL (
       SELECT array_agg(author_id ORDER BY id) AS authors, array_agg(body ORDER BY id) AS bodies,
              array_agg(created_at ORDER BY id) AS times
         FROM (SELECT id, author_id, body, created_at FROM ticket_comments
                WHERE ticket_id = t.ticket_id ORDER BY id DESC LIMIT %(n)s) AS latest
  ) AS c ON true
 WHERE t.ticket_id = %(tid)s
"""


def _row(row: dict[str, Any]) -> TicketRow:
    authors, bodies, times = row.pop("authors", None), row.pop("bodies", None), row.pop("times", None)
    comments = [CommentRow(author_id=a, body=b, created_at=t)
                for a, b, t in zip(authors or [], bodies or [], times or [], strict=True)]
    return TicketRow(**row, comments=comments)


_INSERT = """
INSERT INTO tickets (ticket_id, title, description, category, priority, status, requester_id,
                     department, escalation_level, version)
VALUES (%(ticket_id)s, %(title)s, %(description)s, %(category)s, %(priority)s, 'OPEN', %(requester_id)s,
        %(department)s, 0, 1)
RETURNING """


async def create_ticket(conn: Conn, *, fields: dict[str, Any], actor: Actor) -> TicketRow:
    """Insert an OPEN ticket for `actor` with the given title/description/category/priority."""
    params = {"ticket_id": new_ticket_id(), "title": fields["title"],
              "description": fields.get("description") or "", "category": fields["category"],
              "priority": fields.get("priority") or DEFAULT_PRIORITY, "requester_id": actor.user_id,
              "department": actor.department}
    row = await fetch_one(conn, _INSERT + _COLUMNS, params)
    assert row is not None
    return _row(row)


async def get_ticket(conn: Conn, *, ticket_id: str, comments: int | None = RECENT_COMMENTS) -> TicketRow | None:
    """One ticket with its latest `comments` comments (None: all), or None. One statement."""
    row = await fetch_one(conn, _GET, {"tid": ticket_id, "n": comments})
    return None if row is None else _row(row)


# Who sees which tickets (tools.domain.Actor.can_see_ticket, as SQL).
_VISIBLE = {
    "admin": "true",
    "agent": "(department = %(dept)s OR requester_id = %(uid)s)",
    "requester": "requester_id = %(uid)s",
}


async def list_tickets(
    conn: Conn, *, actor: Actor, status: str | None = None, limit: int = 20, mine_only: bool = False,
) -> list[TicketRow]:
    """Tickets the actor may see (or only their own), newest first, without comments."""
    visible = _VISIBLE["requester" if mine_only else actor.role]
    query = (f"SELECT {_COLUMNS} FROM tickets WHERE {visible}"
             f"{' AND status = %(status)s' if status else ''}"
             " ORDER BY created_at DESC, ticket_id LIMIT %(limit)s")
    params = {"uid": actor.user_id, "dept": actor.department, "status": status, "limit": limit}
    return [_row(row) for row in await fetch_all(conn, query, params)]


UPDATABLE = frozenset({"title", "description", "category", "priority", "status", "assignee_id",
                       "escalation_level"})


async def update_ticket(conn: Conn, *, ticket_id: str, version: int, values: dict[str, Any]) -> TicketRow | None:
    """Optimistic-locked update: applies `values` only if the row is still at `version`.

    Returns the ticket as it is now, or None if someone else changed it first.
    """
    if unknown := set(values) - UPDATABLE:
        raise ValueError(f"not updatable: {sorted(unknown)}")
    sets = sql.SQL("").join(sql.SQL("{} = {}, ").format(sql.Identifier(k), sql.Placeholder(k)) for k in values)
    query = sql.SQL("UPDATE tickets SET {}version = version + 1, updated_at = now()"
                    " WHERE ticket_id = %(tid)s AND version = %(version)s").format(sets)
    if not await execute(conn, query, {**values, "tid": ticket_id, "version": version}):
        return None
    return await get_ticket(conn, ticket_id=ticket_id)


async def add_comment(conn: Conn, *, ticket_id: str, author_id: str, body: str) -> None:
    """Append a comment to a ticket."""
    await execute(conn, "INSERT INTO ticket_comments (ticket_id, author_id, body) VALUES (%(t)s, %(a)s, %(b)s)",
                  {"t": ticket_id, "a": author_id, "b": body})


async def list_queue(
    conn: Conn, *, department: str | None, filters: dict[str, str], offset: int = 0, limit: int = 20,
) -> tuple[list[TicketRow], int]:
    """A department's tickets (None: every department), newest first, one page, and the total.

    `filters` holds equality filters on status, priority or category.
    """
    where: list[sql.Composable] = [sql.SQL("true" if department is None else "department = %(dept)s")]
    where += [sql.SQL("{} = {}").format(sql.Identifier(k), sql.Placeholder(k))
              for k in ("status", "priority", "category") if filters.get(k)]
    query = sql.SQL("SELECT {}, count(*) OVER () AS total FROM tickets WHERE {}"
                    " ORDER BY created_at DESC, ticket_id LIMIT %(limit)s OFFSET %(offset)s"
                    ).format(sql.SQL(_COLUMNS), sql.SQL(" AND ").join(where))
    params = {**filters, "dept": department, "limit": limit, "offset": offset}
    rows = await fetch_all(conn, query, params)
    total = int(rows[0]["total"]) if rows else 0
    return [_row({k: v for k, v in r.items() if k != "total"}) for r in rows], total

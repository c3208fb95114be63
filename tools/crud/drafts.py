"""Ticket-draft rows: read and write, nothing decided here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg import sql

from tools.db.engine import Conn, fetch_one
from tools.db.ids import new_draft_id
from tools.domain import TICKET_FIELDS, DraftStatus, missing_fields


@dataclass(frozen=True, slots=True)
class TicketDraft:
    """A half-filled ticket `DRF-YYYY-XXXXXX`; becomes a ticket when complete (CONSUMED)."""

    draft_id: str
    owner_id: str
    department: str
    thread_id: str | None
    title: str | None
    description: str | None
    category: str | None
    priority: str | None
    status: str
    ticket_id: str | None
    version: int
    created_at: datetime
    updated_at: datetime


_COLUMNS = ("draft_id, owner_id, department, thread_id, title, description, category, priority, "
            "status, ticket_id, version, created_at, updated_at")


async def create_draft(
    conn: Conn, *, owner_id: str, department: str, thread_id: str | None,
    fields: dict[str, Any],
) -> TicketDraft:
    """Insert an ACTIVE draft with whatever fields are known."""
    row = await fetch_one(conn, f"""
        INSERT INTO ticket_drafts (draft_id, owner_id, department, thread_id, title, description,
                                   category, priority, status, version)
        VALUES (%(id)s, %(owner)s, %(dept)s, %(thread)s, %(title)s, %(description)s,
                %(category)s, %(priority)s, 'ACTIVE', 1)
        RETURNING {_COLUMNS}""", {"id": new_draft_id(), "owner": owner_id, "dept": department,
                                   "thread": thread_id, **{k: fields.get(k) for k in TICKET_FIELDS}})
    assert row is not None
    return TicketDraft(**row)


async def get_draft(conn: Conn, *, draft_id: str) -> TicketDraft | None:
    """One draft, or None."""
    row = await fetch_one(conn, f"SELECT {_COLUMNS} FROM ticket_drafts WHERE draft_id = %(id)s",
                          {"id": draft_id})
    return None if row is None else TicketDraft(**row)


_UPDATABLE = frozenset({*TICKET_FIELDS, "status", "ticket_id"})


async def update_draft(
    conn: Conn, *, draft_id: str, version: int, values: dict[str, Any]
) -> TicketDraft | None:
    """Optimistic-locked update of an ACTIVE draft; None when it changed meanwhile."""
    if unknown := set(values) - _UPDATABLE:
        raise ValueError(f"not updatable: {sorted(unknown)}")
    sets = sql.SQL("").join(sql.SQL("{} = {}, ").format(sql.Identifier(k), sql.Placeholder(k))
                            for k in values)
    query = sql.SQL("UPDATE ticket_drafts SET {}version = version + 1, updated_at = now()"
                    " WHERE draft_id = %(id)s AND version = %(version)s AND status = 'ACTIVE'"
                    " RETURNING {}").format(sets, sql.SQL(_COLUMNS))
    row = await fetch_one(conn, query, {**values, "id": draft_id, "version": version})
    return None if row is None else TicketDraft(**row)


async def set_status(conn: Conn, *, draft_id: str, status: str, only_from: str = DraftStatus.ACTIVE,
                     ) -> TicketDraft | None:
    """Move a draft to `status` if it is still in `only_from`; None if it was not."""
    row = await fetch_one(conn, f"""
        UPDATE ticket_drafts SET status = %(status)s, version = version + 1, updated_at = now()
         WHERE draft_id = %(id)s AND status = %(from)s
        RETURNING {_COLUMNS}""", {"id": draft_id, "status": status, "from": only_from})
    return None if row is None else TicketDraft(**row)


def draft_fields(draft: TicketDraft) -> dict[str, str]:
    """The fields a draft has so far."""
    return {k: v for k in TICKET_FIELDS if (v := getattr(draft, k))}


def draft_public(draft: TicketDraft) -> dict[str, Any]:
    """The API shape of a draft (API.md)."""
    fields = draft_fields(draft)
    return {
        "draft_id": draft.draft_id, "status": draft.status, "fields": fields,
        "missing_fields": missing_fields(fields) if draft.status == DraftStatus.ACTIVE else [],
        "ticket_id": draft.ticket_id, "owner_id": draft.owner_id,
        "created_at": draft.created_at.isoformat(), "updated_at": draft.updated_at.isoformat(),
    }

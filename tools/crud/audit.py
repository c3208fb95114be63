"""Audit rows: append events, read them back with visibility filters."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg import sql

from tools.db.engine import Conn, execute, fetch_all, fetch_one
from tools.domain import Actor, AuditEventType

# Audit rows from a JSON array of events (AuditEvent's column names): one statement however many.
INSERT_EVENTS = """
INSERT INTO audit_events (trace_id, thread_id, actor_id, event_type, target, payload, result,
                          version_set, usage, latency_ms, created_at)
SELECT trace_id, thread_id, actor_id, event_type, target, payload, result, version_set,
       usage, latency_ms, coalesce(created_at, now())
  FROM jsonb_to_recordset(%(events)s::jsonb) AS e(
       trace_id text, thread_id text, actor_id text, event_type text, target text,
       payload jsonb, result text, version_set text, usage jsonb, latency_ms float8,
       created_at timestamptz)
"""


def events_json(events: list[dict[str, Any]]) -> str:
    """The `events` parameter of INSERT_EVENTS; an event type not in AuditEventType is a ValueError."""
    for event in events:
        AuditEventType(event["event_type"])
    return json.dumps(events, default=str)


async def add_events(conn: Conn, *, events: list[dict[str, Any]]) -> None:
    """Insert audit events in one statement, in the caller's transaction."""
    if events:
        await execute(conn, INSERT_EVENTS, {"events": events_json(events)})


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """One audited decision or write, as stored."""

    id: int
    trace_id: str
    thread_id: str | None
    actor_id: str
    event_type: str
    target: str | None
    payload: dict[str, Any]
    result: str | None
    version_set: str
    usage: dict[str, Any]
    latency_ms: float
    created_at: datetime


_COLUMNS = sql.SQL("id, trace_id, thread_id, actor_id, event_type, target, payload, result, "
                   "version_set, usage, latency_ms, created_at")


async def list_audit(
    conn: Conn, *, actor: Actor, trace_id: str | None = None,
    thread_id: str | None = None, ticket_id: str | None = None, limit: int = 100,
) -> list[AuditEvent]:
    """Audit events matching the filters, newest first; requesters see only their own."""
    filters = {"actor_id": actor.user_id if actor.role != "admin" else None,
               "trace_id": trace_id, "thread_id": thread_id, "target": ticket_id}
    where = [sql.SQL("{} = {}").format(sql.Identifier(k), sql.Placeholder(k))
             for k, v in filters.items() if v]
    query = sql.SQL("SELECT {} FROM audit_events WHERE {} ORDER BY created_at DESC, id DESC"
                    " LIMIT %(limit)s").format(
        _COLUMNS, sql.SQL(" AND ").join(where) if where else sql.SQL("true"))
    rows = await fetch_all(conn, query, {**filters, "limit": limit})
    return [AuditEvent(**row) for row in rows]


def audit_public(event: AuditEvent) -> dict[str, Any]:
    """The API shape of an audit event."""
    return {
        "id": event.id, "trace_id": event.trace_id, "thread_id": event.thread_id,
        "actor": event.actor_id, "event_type": event.event_type, "target": event.target,
        "payload": event.payload, "result": event.result, "version_set": event.version_set,
        "usage": event.usage, "latency_ms": event.latency_ms,
        "created_at": event.created_at.isoformat(),
    }


async def ticket_events(
    conn: Conn, *, ticket_id: str, actor_id: str | None = None, limit: int = 200,
) -> list[AuditEvent]:
    """A ticket's audit trail, oldest first (only `actor_id`'s events when given)."""
    query = sql.SQL("SELECT {} FROM audit_events WHERE target = %(t)s"
                    " AND (%(a)s::text IS NULL OR actor_id = %(a)s)"
                    " ORDER BY created_at, id LIMIT %(limit)s").format(_COLUMNS)
    rows = await fetch_all(conn, query, {"t": ticket_id, "a": actor_id, "limit": limit})
    return [AuditEvent(**row) for row in rows]


async def creating_thread(conn: Conn, *, ticket_id: str) -> str | None:
    """The conversation a ticket was created in, from its TICKET_CREATED event."""
    row = await fetch_one(conn, "SELECT thread_id FROM audit_events WHERE target = %(t)s"
                          " AND event_type = %(e)s ORDER BY id LIMIT 1",
                          {"t": ticket_id, "e": AuditEventType.TICKET_CREATED.value})
    return None if row is None else row["thread_id"]

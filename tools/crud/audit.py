"""Audit rows: append events, read them back with visibility filters."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tools.db.engine import Db, execute
from tools.db.models import AuditEvent
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


async def add_events(db: Db, *, events: list[dict[str, Any]]) -> None:
    """Insert audit events in one statement, in the caller's transaction."""
    if events:
        await execute(db, INSERT_EVENTS, {"events": events_json(events)})


async def list_audit(
    session: AsyncSession, *, actor: Actor, trace_id: str | None = None,
    thread_id: str | None = None, ticket_id: str | None = None, limit: int = 100,
) -> list[AuditEvent]:
    """Audit events matching the filters, newest first; requesters see only their own."""
    query = select(AuditEvent)
    if actor.role != "admin":
        query = query.where(AuditEvent.actor_id == actor.user_id)
    if trace_id:
        query = query.where(AuditEvent.trace_id == trace_id)
    if thread_id:
        query = query.where(AuditEvent.thread_id == thread_id)
    if ticket_id:
        query = query.where(AuditEvent.target == ticket_id)
    query = query.order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc()).limit(limit)
    return list((await session.scalars(query)).all())


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
    session: AsyncSession, *, ticket_id: str, actor_id: str | None = None, limit: int = 200,
) -> list[AuditEvent]:
    """A ticket's audit trail, oldest first (only `actor_id`'s events when given)."""
    query = select(AuditEvent).where(AuditEvent.target == ticket_id)
    if actor_id is not None:
        query = query.where(AuditEvent.actor_id == actor_id)
    query = query.order_by(AuditEvent.created_at, AuditEvent.id).limit(limit)
    return list((await session.scalars(query)).all())


async def creating_thread(session: AsyncSession, *, ticket_id: str) -> str | None:
    """The conversation a ticket was created in, from its TICKET_CREATED event."""
    query = (select(AuditEvent.thread_id)
             .where(AuditEvent.target == ticket_id, AuditEvent.event_type == AuditEventType.TICKET_CREATED)
             .order_by(AuditEvent.id).limit(1))
    return (await session.scalars(query)).first()

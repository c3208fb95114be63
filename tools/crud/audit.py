"""Audit rows: append events, read them back with visibility filters."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from tools.db.models import AuditEvent
from tools.domain import Actor

EVENT_TYPES = frozenset({
    "AGENT_ROUTE", "PLAN_PROPOSED", "PLAN_REJECTED", "PLAN_EXECUTED", "LLM_FALLBACK",
    "DRAFT_CREATED", "DRAFT_UPDATED", "DRAFT_CONSUMED", "DRAFT_EXPIRED", "TICKET_CREATED", "TICKET_UPDATED",
    "ACTION_PENDING", "ACTION_CONFIRMED", "ACTION_CANCELLED", "ACTION_EXPIRED",
    "ACTION_SUPERSEDED", "KB_ANSWERED", "BUDGET_EXCEEDED", "TURN_COMPLETED",
})


async def add_events(session: AsyncSession, *, events: list[dict[str, Any]]) -> None:
    """Insert audit events in one statement (each dict has AuditEvent's column names)."""
    if events:
        await session.execute(insert(AuditEvent), events)


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

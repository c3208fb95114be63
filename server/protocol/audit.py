"""Audit rows of the protocol routes: what they refused to apply (forged state, goto, identity),
the state edits they applied, and forks."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from tools.crud import audit as crud_audit
from tools.domain import Actor, AuditEventType

if TYPE_CHECKING:
    from server.runtime import Runtime

log = logging.getLogger("helpdesk.protocol")
DROPPED = AuditEventType.PROTOCOL_INPUT_DROPPED
STATE_UPDATED = AuditEventType.PROTOCOL_STATE_UPDATED
FORKED = AuditEventType.PROTOCOL_FORK


def row(runtime: Runtime, actor: Actor, thread_id: str, trace_id: str, event_type: str,
        payload: dict[str, Any], result: str) -> dict[str, Any]:
    """One audit row about a protocol request on `thread_id`."""
    return {"trace_id": trace_id, "thread_id": thread_id, "actor_id": actor.user_id,
            "event_type": event_type, "target": thread_id, "payload": payload, "result": result,
            "version_set": runtime.services.version_set, "usage": {}, "latency_ms": 0.0,
            "created_at": datetime.now(UTC)}


async def note(runtime: Runtime, actor: Actor, thread_id: str, trace_id: str, event_type: str,
               payload: dict[str, Any], result: str = "OK") -> None:
    """Write one audit row now (never raises)."""
    try:
        async with runtime.db.connection() as conn:
            await crud_audit.add_events(conn, events=[row(runtime, actor, thread_id, trace_id, event_type,
                                                          payload, result)])
    except Exception:
        log.warning("could not audit %s on thread %s", event_type, thread_id, exc_info=True)


async def dropped(runtime: Runtime, actor: Actor, thread_id: str, trace_id: str, fields: list[str]) -> None:
    """Record that `fields` of a protocol request were ignored (never raises)."""
    await note(runtime, actor, thread_id, trace_id, DROPPED, {"fields": fields}, "IGNORED")

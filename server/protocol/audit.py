"""Audit rows for what the protocol routes refused to apply (forged state, goto, identity)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from tools.crud import audit as crud_audit
from tools.domain import Actor

if TYPE_CHECKING:
    from server.runtime import Runtime

log = logging.getLogger("helpdesk.protocol")
DROPPED = "PROTOCOL_INPUT_DROPPED"


async def dropped(runtime: Runtime, actor: Actor, thread_id: str, trace_id: str, fields: list[str]) -> None:
    """Record that `fields` of a protocol request were ignored (never raises)."""
    event = {"trace_id": trace_id, "thread_id": thread_id, "actor_id": actor.user_id,
             "event_type": DROPPED, "target": thread_id, "payload": {"fields": fields},
             "result": "IGNORED", "version_set": runtime.services.version_set, "usage": {},
             "latency_ms": 0.0, "created_at": datetime.now(UTC)}
    try:
        async with runtime.db.connection() as conn:
            await crud_audit.add_events(conn, events=[event])
    except Exception:
        log.warning("could not audit the dropped fields of thread %s", thread_id, exc_info=True)

"""Read-only views of a user's threads: status, memory, pending action, transcript, history."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from graph.runner import owned_thread
from tools.crud import pending as crud_pending
from tools.crud import threads as crud_threads
from tools.domain import Actor, PendingStatus, ThreadStatus
from tools.errors import db_errors
from turn.services import Services


class ThreadViews:
    """Read-only views of threads for their owner (GET /threads…)."""

    def __init__(self, services: Services, graph: Any) -> None:
        self.services = services
        self.graph = graph

    async def get_thread(self, thread_id: str, actor: Actor) -> dict[str, Any]:
        """Owner, status, memory, pending action and transcript of one thread."""
        row = await owned_thread(self.services, thread_id, actor)
        snapshot = await self.graph.aget_state({"configurable": {"thread_id": thread_id}})
        values = snapshot.values or {}
        memory = values.get("memory") or {}
        async with db_errors(), self.services.db.connection() as conn:
            messages = await crud_threads.list_messages(conn, thread_id=thread_id)
            pending = await _pending(conn, memory.get("pending_action_id"))
        return {
            "thread_id": thread_id, "owner": row.owner_id, "status": _status(row),
            "memory": memory, "pending_action": pending, "title": row.title,
            "messages": [{"role": m.role, "content": m.content,
                          "created_at": m.created_at.isoformat()} for m in messages],
            "created_at": row.created_at.isoformat(), "updated_at": row.updated_at.isoformat(),
        }

    async def history(self, thread_id: str, actor: Actor, limit: int = 50) -> list[dict[str, Any]]:
        """The thread's checkpoints, newest first."""
        await owned_thread(self.services, thread_id, actor)
        config = {"configurable": {"thread_id": thread_id}}
        return [_checkpoint(s) async for s in self.graph.aget_state_history(config, limit=limit)]

    async def list_threads(self, actor: Actor, status: str | None = None,
                           limit: int = 50) -> list[dict[str, Any]]:
        """The caller's threads, newest first."""
        async with db_errors(), self.services.db.connection() as conn:
            rows = await crud_threads.list_threads(conn, owner_id=actor.user_id,
                                                   status=status, limit=limit)
        return [{"thread_id": r.thread_id, "title": r.title, "status": _status(r),
                 "created_at": r.created_at.isoformat(), "updated_at": r.updated_at.isoformat()}
                for r in rows]


def _status(row: Any) -> str:
    if row.lease_until is not None and row.lease_until > datetime.now(UTC):
        return ThreadStatus.BUSY.value
    return str(row.status)


async def _pending(conn: Any, action_id: str | None) -> dict[str, Any] | None:
    if not action_id:
        return None
    action = await crud_pending.get_pending(conn, action_id=action_id)
    if action is None or action.status != PendingStatus.PENDING:
        return None
    public = crud_pending.pending_public(action)
    if action.expires_at <= datetime.now(UTC):
        public["status"] = PendingStatus.EXPIRED.value  # recorded as such when the person next answers
    return public


def _checkpoint(snapshot: Any) -> dict[str, Any]:
    result = (snapshot.values or {}).get("result") or {}
    summary = f"{result.get('status', '-')} {result.get('intent', '-')}: {result.get('reply', '')[:80]}"
    return {
        "checkpoint_id": snapshot.config["configurable"]["checkpoint_id"],
        "node": (snapshot.next[0] if snapshot.next else (snapshot.metadata or {}).get("source")),
        "created_at": snapshot.created_at,
        "summary": summary.strip(),
        "step": (snapshot.metadata or {}).get("step"),
    }

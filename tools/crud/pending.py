"""PendingAction rows; `transition` is the one conditional UPDATE that consumes them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from tools.db.engine import Conn, fetch_one
from tools.db.ids import new_confirm_token, new_pending_id
from tools.domain import Actor, PendingStatus, sources_of


@dataclass(frozen=True, slots=True)
class PendingAction:
    """A dangerous action waiting for a person's confirmation; consumed at most once."""

    id: str
    thread_id: str
    actor_id: str
    actor_role: str
    actor_department: str
    tool: str
    args: dict[str, Any]
    target: str | None
    confirm_token: str
    status: str
    expires_at: datetime
    outcome: dict[str, Any] | None
    trace_id: str | None
    created_at: datetime
    decided_at: datetime | None


_COLUMNS = ("id, thread_id, actor_id, actor_role, actor_department, tool, args, target, "
            "confirm_token, status, expires_at, outcome, trace_id, created_at, decided_at")


async def create_pending(
    conn: Conn, *, thread_id: str, actor: Actor, tool: str, args: dict[str, Any],
    target: str | None, ttl_s: int, trace_id: str,
) -> PendingAction:
    """Insert a PENDING action with a fresh confirm token."""
    row = await fetch_one(conn, f"""
        INSERT INTO pending_actions (id, thread_id, actor_id, actor_role, actor_department, tool,
                                     args, target, confirm_token, status, trace_id, expires_at)
        VALUES (%(id)s, %(thread)s, %(actor)s, %(role)s, %(dept)s, %(tool)s, %(args)s::jsonb,
                %(target)s, %(token)s, 'PENDING', %(trace)s, %(expires)s)
        RETURNING {_COLUMNS}""", {
        "id": new_pending_id(), "thread": thread_id, "actor": actor.user_id, "role": actor.role,
        "dept": actor.department, "tool": tool, "args": json.dumps(args), "target": target,
        "token": new_confirm_token(), "trace": trace_id,
        "expires": datetime.now(UTC) + timedelta(seconds=ttl_s)})
    assert row is not None
    return PendingAction(**row)


async def get_pending(conn: Conn, *, action_id: str) -> PendingAction | None:
    """One pending action by id."""
    row = await fetch_one(conn, f"SELECT {_COLUMNS} FROM pending_actions WHERE id = %(id)s",
                          {"id": action_id})
    return None if row is None else PendingAction(**row)


async def get_by_token(conn: Conn, *, thread_id: str, token: str) -> PendingAction | None:
    """The pending action of this thread carrying `token`."""
    row = await fetch_one(conn, f"SELECT {_COLUMNS} FROM pending_actions"
                          " WHERE thread_id = %(thread)s AND confirm_token = %(token)s LIMIT 1",
                          {"thread": thread_id, "token": token})
    return None if row is None else PendingAction(**row)


async def transition(
    conn: Conn, *, action_id: str, to: PendingStatus,
    outcome: dict[str, Any] | None = None,
) -> PendingAction | None:
    """Move the action to `to` only from a status that allows it; None if someone else won.

    One conditional UPDATE, so of N concurrent confirms exactly one gets the row back.
    """
    row = await fetch_one(conn, f"""
        UPDATE pending_actions
           SET status = %(to)s, decided_at = now(), outcome = coalesce(%(outcome)s::jsonb, outcome)
         WHERE id = %(id)s AND status = ANY(%(from)s)
        RETURNING {_COLUMNS}""", {
        "id": action_id, "to": to.value, "from": list(sources_of(to)),
        "outcome": None if outcome is None else json.dumps(outcome)})
    return None if row is None else PendingAction(**row)


def pending_public(action: PendingAction) -> dict[str, Any]:
    """The API shape of a pending action (API.md)."""
    return {
        "id": action.id, "tool": action.tool, "args": action.args, "target": action.target,
        "confirm_token": action.confirm_token, "status": action.status,
        "expires_at": action.expires_at.isoformat(),
    }

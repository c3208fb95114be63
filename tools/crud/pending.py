"""PendingAction rows; `transition` is the one conditional UPDATE that consumes them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tools.db.ids import new_confirm_token, new_pending_id
from tools.db.models import PendingAction
from tools.domain import Actor, PendingStatus, sources_of


async def create_pending(
    session: AsyncSession, *, thread_id: str, actor: Actor, tool: str, args: dict[str, Any],
    target: str | None, ttl_s: int, trace_id: str,
) -> PendingAction:
    """Insert a PENDING action with a fresh confirm token."""
    action = PendingAction(
        id=new_pending_id(), thread_id=thread_id, actor_id=actor.user_id, actor_role=actor.role,
        actor_department=actor.department, tool=tool, args=args, target=target,
        confirm_token=new_confirm_token(), status=PendingStatus.PENDING.value, trace_id=trace_id,
        expires_at=datetime.now(UTC) + timedelta(seconds=ttl_s),
    )
    session.add(action)
    await session.flush()
    return action


async def get_pending(session: AsyncSession, *, action_id: str) -> PendingAction | None:
    """One pending action by id."""
    return await session.get(PendingAction, action_id)


async def get_by_token(session: AsyncSession, *, thread_id: str, token: str) -> PendingAction | None:
    """The pending action of this thread carrying `token`."""
    query = select(PendingAction).where(
        PendingAction.thread_id == thread_id, PendingAction.confirm_token == token
    )
    return (await session.scalars(query)).first()


async def transition(
    session: AsyncSession, *, action_id: str, to: PendingStatus,
    outcome: dict[str, Any] | None = None,
) -> PendingAction | None:
    """Move the action to `to` only from a status that allows it; None if someone else won.

    One conditional UPDATE, so of N concurrent confirms exactly one gets the row back.
    """
    values: dict[str, Any] = {"status": to.value, "decided_at": func.now()}
    if outcome is not None:
        values["outcome"] = outcome
    stmt = (
        update(PendingAction)
        .where(PendingAction.id == action_id, PendingAction.status.in_(sources_of(to)))
        .values(**values)
        .returning(PendingAction)
        .execution_options(synchronize_session=False)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


def pending_public(action: PendingAction) -> dict[str, Any]:
    """The API shape of a pending action (API.md)."""
    return {
        "id": action.id, "tool": action.tool, "args": action.args, "target": action.target,
        "confirm_token": action.confirm_token, "status": action.status,
        "expires_at": action.expires_at.isoformat(),
    }

"""Idempotency-key rows: claim a (user, action_id), store its response, replay it later."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from tools.db.models import IdempotencyKey
from tools.errors import IdempotencyConflict, ThreadBusy

RETENTION_S = 48 * 3600  # API.md promises at least 24 h

# Insert a running claim; or take over a row past retention, or a running claim whose process
# died (older than `stale` seconds). One statement, so two racing requests cannot both win.
_CLAIM = text("""
INSERT INTO idempotency_keys AS k (user_id, action_id, request_hash, state)
VALUES (:user, :action, :hash, 'running')
ON CONFLICT (user_id, action_id) DO UPDATE
   SET request_hash = EXCLUDED.request_hash, state = 'running', status_code = NULL,
       body = NULL, created_at = now()
 WHERE k.created_at < now() - make_interval(secs => :retention)
    OR (k.state = 'running' AND k.created_at < now() - make_interval(secs => :stale))
RETURNING k.action_id
""")


@dataclass(frozen=True, slots=True)
class StoredResponse:
    """The response recorded for an action_id, replayed as it was."""

    status_code: int
    body: Any


async def claim(
    session: AsyncSession, *, user_id: str, action_id: str, request_hash: str, stale_s: int,
) -> StoredResponse | None:
    """Claim the key (None: go ahead and run), or the stored response of the first run.

    Raises `IdempotencyConflict` when the key was used with another request, `ThreadBusy`
    while the first run is still going.
    """
    params = {"user": user_id, "action": action_id, "hash": request_hash,
              "retention": RETENTION_S, "stale": stale_s}
    if (await session.execute(_CLAIM, params)).scalar_one_or_none() is not None:
        return None
    row = await session.get(IdempotencyKey, (user_id, action_id), populate_existing=True)
    return _replay(row, request_hash)


def _replay(row: IdempotencyKey | None, request_hash: str) -> StoredResponse:
    if row is None:  # deleted between the two statements: the first run gave up
        raise ThreadBusy("this action_id is being retried; try again shortly")
    if row.request_hash != request_hash:
        raise IdempotencyConflict("action_id was already used with a different request")
    if row.state != "done" or row.status_code is None:
        raise ThreadBusy("the first request with this action_id is still running")
    return StoredResponse(row.status_code, row.body)


async def complete(
    session: AsyncSession, *, user_id: str, action_id: str, status_code: int, body: Any,
) -> None:
    """Record the response of a claimed key."""
    row = await session.get(IdempotencyKey, (user_id, action_id))
    if row is not None:
        row.state, row.status_code, row.body = "done", status_code, body


async def release(session: AsyncSession, *, user_id: str, action_id: str) -> None:
    """Forget a running claim whose run failed in a way worth retrying."""
    await session.execute(delete(IdempotencyKey).where(
        IdempotencyKey.user_id == user_id, IdempotencyKey.action_id == action_id,
        IdempotencyKey.state == "running"))


async def purge_expired(session: AsyncSession) -> int:
    """Delete keys past retention; returns how many."""
    result = await session.execute(text(
        "DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(secs => :r)"
    ), {"r": RETENTION_S})
    return int(getattr(result, "rowcount", 0) or 0)


async def get_key(session: AsyncSession, *, user_id: str, action_id: str) -> IdempotencyKey | None:
    """One key row (tests and diagnostics)."""
    return (await session.scalars(select(IdempotencyKey).where(
        IdempotencyKey.user_id == user_id, IdempotencyKey.action_id == action_id))).first()

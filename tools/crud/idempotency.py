"""Idempotency-key rows: claim a (user, action_id), store its response, replay it later."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from tools.db.engine import Conn, execute, fetch_one
from tools.errors import IdempotencyConflict, ThreadBusy

RETENTION_S = 48 * 3600  # API.md promises at least 24 h

# Insert a running claim; or take over a row past retention, or a running claim of the same
# request whose holder stopped renewing it (its process died: tools.crud.leases). One statement,
# so two racing requests cannot both win. A takeover keeps the `effect` the first attempt
# committed, so the retry finishes that attempt instead of acting again.
_CLAIM = """
INSERT INTO idempotency_keys AS k (user_id, action_id, request_hash, state, lease_until)
VALUES (%(user)s, %(action)s, %(hash)s, 'running', now() + make_interval(secs => %(ttl)s))
ON CONFLICT (user_id, action_id) DO UPDATE
   SET request_hash = EXCLUDED.request_hash, state = 'running', status_code = NULL,
       body = NULL, lease_until = EXCLUDED.lease_until,
       effect = CASE WHEN k.created_at < now() - make_interval(secs => %(retention)s)
                     THEN NULL ELSE k.effect END,
       created_at = now()
 WHERE k.created_at < now() - make_interval(secs => %(retention)s)
    OR (k.state = 'running' AND k.request_hash = EXCLUDED.request_hash
        AND (coalesce(k.lease_until, k.created_at) < now()
             OR k.created_at < now() - make_interval(secs => %(stale)s)))
RETURNING k.action_id
"""
# What the first run of a key stored (read when the claim was refused).
_STORED = """
SELECT request_hash, state, status_code, body FROM idempotency_keys
 WHERE user_id = %(user)s AND action_id = %(action)s
"""


@dataclass(frozen=True, slots=True)
class StoredResponse:
    """The response recorded for an action_id, replayed as it was."""

    status_code: int
    body: Any


async def claim(
    conn: Conn, *, user_id: str, action_id: str, request_hash: str,
    ttl_s: float = 4.0, stale_s: float = 3600.0,
) -> StoredResponse | None:
    """Claim the key (None: go ahead and run), or the stored response of the first run.

    Raises `IdempotencyConflict` when the key was used with another request, `ThreadBusy`
    while the first run is still going. The claim lives `ttl_s` unless its holder renews it
    (tools.crud.leases.Heartbeat); `stale_s` is a backstop on a claim's age.
    """
    params = {"user": user_id, "action": action_id, "hash": request_hash,
              "retention": RETENTION_S, "ttl": ttl_s, "stale": stale_s}
    if await fetch_one(conn, _CLAIM, params) is not None:
        return None
    return _replay(await fetch_one(conn, _STORED, params), request_hash)


def _replay(row: dict[str, Any] | None, request_hash: str) -> StoredResponse:
    if row is None:  # deleted between the two statements: the first run gave up
        raise ThreadBusy("this action_id is being retried; try again shortly")
    if row["request_hash"] != request_hash:
        raise IdempotencyConflict("action_id was already used with a different request")
    if row["state"] != "done" or row["status_code"] is None:
        raise ThreadBusy("the first request with this action_id is still running")
    return StoredResponse(row["status_code"], row["body"])


async def complete(
    conn: Conn, *, user_id: str, action_id: str, status_code: int, body: Any,
) -> None:
    """Record the response of a claimed key (nothing changes once one is recorded)."""
    await execute(conn, *done_statement(user_id=user_id, action_id=action_id,
                                        status_code=status_code, body=body))


async def release(conn: Conn, *, user_id: str, action_id: str) -> None:
    """Give up a running claim whose run failed in a way worth retrying.

    A claim with nothing committed is forgotten; one whose first attempt committed an effect
    is only let go (its lease lapses now), so the retry takes it over and finishes with it.
    """
    await execute(conn, _RELEASE, {"user": user_id, "action": action_id})


_RELEASE = """
WITH gone AS (
    DELETE FROM idempotency_keys
     WHERE user_id = %(user)s AND action_id = %(action)s AND state = 'running' AND effect IS NULL
    RETURNING 1
)
UPDATE idempotency_keys SET lease_until = now()
 WHERE user_id = %(user)s AND action_id = %(action)s AND state = 'running' AND effect IS NOT NULL
"""

# Statements (psycopg placeholders) that ride on other transactions: a node's domain write
# records its outcome; the turn's checkpoint stores the response.
_EFFECT = """
UPDATE idempotency_keys SET effect = %(effect)s::jsonb
 WHERE user_id = %(user)s AND action_id = %(action)s AND state = 'running'
"""
_DONE = """
UPDATE idempotency_keys SET state = 'done', status_code = %(status)s, body = %(body)s::jsonb
 WHERE user_id = %(user)s AND action_id = %(action)s AND state = 'running'
"""


def effect_statement(*, user_id: str, action_id: str,
                     effect: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The statement recording what a turn's domain write did, for its transaction."""
    return _EFFECT, {"user": user_id, "action": action_id, "effect": json.dumps(effect)}


def done_statement(*, user_id: str, action_id: str, status_code: int,
                   body: Any) -> tuple[str, dict[str, Any]]:
    """The statement storing the response of a running claim (a no-op once stored)."""
    return _DONE, {"user": user_id, "action": action_id, "status": status_code,
                   "body": json.dumps(body)}


async def purge_expired(conn: Conn, retention_s: float = RETENTION_S) -> int:
    """Delete keys past retention (never a running claim still renewed); returns how many."""
    return await execute(conn, "DELETE FROM idempotency_keys WHERE created_at < now() - "
                         "make_interval(secs => %(r)s) AND NOT (state = 'running' AND lease_until > now())",
                         {"r": max(retention_s, 24 * 3600)})


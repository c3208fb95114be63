"""Leases that die with their holder: a short TTL, renewed by one heartbeat per process.

A thread's run lease and an idempotency key's running claim are both held "until" a time a few
seconds ahead. While this process runs the turn, its heartbeat pushes that time forward, every
held lease at once in one statement. When the process dies, or loses the database, nothing
renews them: they lapse within the TTL and any replica (or the restarted server) takes over.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from tools.db.engine import Database

log = logging.getLogger("helpdesk.leases")

# Renew every lease this process holds: threads by (thread id, run id), keys by (user, action).
_RENEW = """
WITH t AS (
    UPDATE threads SET lease_until = now() + make_interval(secs => %(ttl)s)
     WHERE thread_id = ANY(%(tids)s) AND lease_run_id = ANY(%(runs)s)
    RETURNING 1
), k AS (
    UPDATE idempotency_keys SET lease_until = now() + make_interval(secs => %(ttl)s)
     WHERE state = 'running'
       AND (user_id, action_id) IN (SELECT * FROM unnest(%(users)s::text[], %(actions)s::text[]))
    RETURNING 1
)
SELECT (SELECT count(*) FROM t) AS threads, (SELECT count(*) FROM k) AS keys
"""


class Heartbeat:
    """The leases this process holds, kept alive while held.

    The renewing task runs only while something is held, so a Heartbeat needs no start or
    stop: holding the first lease starts it, releasing the last one ends it.
    """

    def __init__(self, db: Database, *, ttl_s: float) -> None:
        self.db = db
        self.ttl_s = ttl_s
        self.every_s = max(0.1, ttl_s / 4)  # three beats may be missed before a lease lapses
        self.runs: dict[str, str] = {}  # run id -> thread id
        self.keys: set[tuple[str, str]] = set()
        self._task: asyncio.Task[None] | None = None

    def hold_run(self, run_id: str, thread_id: str) -> None:
        """Keep this run's thread lease alive until `drop_run`."""
        self.runs[run_id] = thread_id
        self._wake()

    def drop_run(self, run_id: str) -> None:
        """Stop renewing this run's lease (it was released, or is left to lapse)."""
        self.runs.pop(run_id, None)

    def hold_key(self, user_id: str, action_id: str) -> None:
        """Keep this idempotency claim alive until `drop_key`."""
        self.keys.add((user_id, action_id))
        self._wake()

    def drop_key(self, user_id: str, action_id: str) -> None:
        """Stop renewing this idempotency claim."""
        self.keys.discard((user_id, action_id))

    def _wake(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._beat_while_held())

    async def _beat_while_held(self) -> None:
        while self.runs or self.keys:
            await asyncio.sleep(self.every_s)
            try:
                await self.renew()
            except Exception:  # the database is away: the leases lapse, as they should
                log.warning("could not renew %d leases", len(self.runs) + len(self.keys),
                            exc_info=log.isEnabledFor(logging.DEBUG))

    async def renew(self) -> dict[str, Any] | None:
        """Push every held lease TTL seconds ahead, in one statement."""
        if not (self.runs or self.keys):
            return None
        runs, keys = dict(self.runs), sorted(self.keys)
        params = {"ttl": self.ttl_s, "tids": list(runs.values()), "runs": list(runs),
                  "users": [u for u, _ in keys], "actions": [a for _, a in keys]}
        async with self.db.connection() as conn:
            cur = await conn.execute(_RENEW, params)
            return await cur.fetchone()

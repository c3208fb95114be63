"""Run a write once per (user, action_id): claim, run, store the response, replay repeats."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from fastapi.responses import JSONResponse
from pydantic import BaseModel

from server.errors import failure_of
from server.metrics import IDEMPOTENT_REPLAYS
from server.runtime import Runtime
from tools.crud import idempotency
from tools.domain import Actor


def request_hash(kind: str, body: BaseModel, **extra: Any) -> str:
    """A stable hash of what was asked (without the key itself)."""
    payload = {"kind": kind, **extra, **body.model_dump(mode="json", exclude={"action_id"},
                                                        exclude_none=True)}
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class IdempotencyKey:
    """Whose key, which key, and the hash of the request it was first used with."""

    runtime: Runtime
    user_id: str
    action_id: str
    request_hash: str

    async def claim(self) -> JSONResponse | None:
        """None: run it now (the claim is kept alive until `complete`/`fail`); otherwise the
        stored response of the first run."""
        async with self.runtime.db.transaction() as conn:
            stored = await idempotency.claim(
                conn, user_id=self.user_id, action_id=self.action_id,
                request_hash=self.request_hash, ttl_s=self.runtime.settings.thread_lease_s)
        if stored is None:
            self.runtime.runner.heartbeat.hold_key(self.user_id, self.action_id)
            return None
        IDEMPOTENT_REPLAYS.inc()
        return JSONResponse(stored.body, status_code=stored.status_code)

    async def complete(self, status_code: int, body: Any) -> None:
        """Store the response to replay (a no-op when the turn's checkpoint already did)."""
        self.let_go()
        async with self.runtime.db.transaction() as conn:
            await idempotency.complete(conn, user_id=self.user_id, action_id=self.action_id,
                                       status_code=status_code, body=body)

    def let_go(self) -> None:
        """Stop keeping the claim alive; it lapses after the lease TTL."""
        self.runtime.runner.heartbeat.drop_key(self.user_id, self.action_id)

    async def fail(self, exc: BaseException, trace_id: str) -> None:
        """A final error is stored like a response; a retryable one frees the key for a retry."""
        failure = failure_of(exc)
        self.let_go()
        if failure.retryable:
            async with self.runtime.db.transaction() as conn:
                await idempotency.release(conn, user_id=self.user_id, action_id=self.action_id)
        else:
            await self.complete(failure.status, failure.body(trace_id))


def key_for(
    runtime: Runtime, actor: Actor, kind: str, body: BaseModel, **extra: Any,
) -> IdempotencyKey | None:
    """The key of a request (its `action_id` field), or None when it carries none."""
    action_id = getattr(body, "action_id", None)
    if action_id is None:
        return None
    return IdempotencyKey(runtime, actor.user_id, action_id, request_hash(kind, body, **extra))


async def run_once(
    key: IdempotencyKey | None, trace_id: str, work: Callable[[], Awaitable[BaseModel]],
) -> BaseModel | JSONResponse:
    """`work()` at most once per key; a repeat gets the first response back."""
    if key is None:
        return await work()
    if (replay := await key.claim()) is not None:
        return replay
    try:
        result = await work()
    except Exception as exc:
        await key.fail(exc, trace_id)
        raise
    except BaseException:  # cancelled: the claim lapses in seconds, unless the run (which goes
        key.let_go()  # on by itself) stores its response with its checkpoint first
        raise
    await key.complete(200, result.model_dump(mode="json"))
    return result

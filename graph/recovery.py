"""What makes a turn safe to replay after a crash (graph.runner uses these).

A domain write records its outcome under the turn's action_id in its own transaction
(turn.effects.remember_effect); a retry that takes over the dead attempt's claim gets
that outcome with its lease (`Recovered`) and finishes the turn with it. The response is stored
with the turn's checkpoint (`responder`). Refusals the schema raises on purpose become the
errors a client should see (`refusal_of`).
"""

from __future__ import annotations

import uuid
from typing import Any, NamedTuple

from graph.result import TurnResult
from tools.crud import idempotency
from tools.domain import Actor
from tools.errors import HelpdeskError, QuotaExceeded, ThreadBusy


class Recovered(NamedTuple):
    """A lease taken to finish an earlier attempt of the same action_id, whose domain write
    committed (`effect`: its outcome) before its process died."""

    status: str
    settled: bool
    latest_checkpoint: str | None
    effect: dict[str, Any]


# Nodes whose own transaction writes tickets, comments or drafts (and records their effect).
DOMAIN_WRITERS = frozenset({"create_ticket", "resume_draft", "ticket_tool", "execute_pending"})
_THREADS_OF_ACTIONS = uuid.UUID("6f1c2a4e-13a1-4f0e-9a53-1d0e5c3b7a13")


def new_thread_id(actor: Actor, action_id: str | None) -> str:
    """A new thread's id: random, or, for a request with an action_id, the same for every
    attempt of it, so a retry after a crash lands on the thread the first attempt started."""
    if action_id:
        return str(uuid.uuid5(_THREADS_OF_ACTIONS, f"{actor.user_id}\n{action_id}"))
    return str(uuid.uuid4())


def responder(actor: Actor, action_id: str | None) -> Any:
    """For a turn with an action_id: result -> the statement storing it as the response."""
    if action_id is None:
        return None

    def respond(result: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        body = TurnResult.model_validate(result).model_dump(mode="json")
        return idempotency.done_statement(user_id=actor.user_id, action_id=action_id,
                                          status_code=200, body=body)

    return respond


def refusal_of(exc: BaseException) -> HelpdeskError | None:
    """A database refusal our schema raises on purpose (SQLSTATE HD429: a daily creation cap;
    HD409: the run lost its thread's lease) as the error a client should see."""
    orig = getattr(exc, "orig", exc)  # SQLAlchemy wraps the driver's error
    state = getattr(orig, "sqlstate", None)
    if state == "HD429":
        detail = getattr(getattr(orig, "diag", None), "message_detail", None) or "3600"
        message = getattr(getattr(orig, "diag", None), "message_primary", None) or "daily cap"
        return QuotaExceeded(f"{message}; try again later", retry_after=float(detail))
    if state == "HD409":
        return ThreadBusy("the thread was taken over by another run; retry shortly",
                          retry_after=1)
    return None

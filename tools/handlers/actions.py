"""Ticket actions outside a conversation (the console's API), through the chat path's own checks.

The registry parses the args, `guard` decides on the row, `execute_tool` writes, dangerous tools
become a PendingAction consumed with one conditional UPDATE, and every step is audited in the
same transaction as the write: the same functions the validator and the executors call.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel

from tools.crud import audit
from tools.crud import pending as crud_pending
from tools.crud import tickets as crud_tickets
from tools.crud.pending import PendingAction
from tools.db.engine import Conn
from tools.domain import Actor, AuditEventType, PendingStatus
from tools.handlers.guards import guard
from tools.handlers.ticket_ops import ToolOutcome, business_events, execute_tool, rejected
from tools.registry import TICKET_TOOLS, TicketTool, arg_errors
from tools.replies import Lang, say

CONSOLE_THREAD = "console/{user}"  # a '/' no thread id may contain: no chat turn can name it


@dataclass(frozen=True, slots=True)
class Stamp:
    """Who acts, under which trace and version set, in which language: what audit rows carry."""

    actor: Actor
    trace_id: str
    version_set: str
    lang: Lang = "en"
    started: float = field(default_factory=time.perf_counter)

    def row(self, kind: str, target: str | None, result: str, **payload: Any) -> dict[str, Any]:
        """One audit_events row of this action."""
        return {"event_type": kind, "target": target, "payload": {**payload, "source": "api"},
                "result": result, "trace_id": self.trace_id, "thread_id": None,
                "actor_id": self.actor.user_id, "version_set": self.version_set, "usage": {},
                "latency_ms": round((time.perf_counter() - self.started) * 1000, 3),
                "created_at": datetime.now(UTC)}


class ActionOutcome(BaseModel):
    """What an action did: the tool's outcome, and the pending action when one now waits.

    Business outcomes (invalid transition…) are `REJECTED` + `reason`; the route's response
    schema is this model plus the trace id.
    """

    status: Literal["OK", "NEED_CONFIRMATION", "CANCELLED", "REJECTED"]
    tool: str
    reply: str
    reason: str | None = None
    ticket: dict[str, Any] | None = None
    pending_action: dict[str, Any] | None = None
    replayed: bool = False


def _of(out: ToolOutcome, tool: str) -> ActionOutcome:
    return ActionOutcome.model_validate(  # a tool's status is a plain str: checked here
        {"status": out.status, "tool": tool, "reply": out.reply, "reason": out.reason, "ticket": out.ticket})


async def _reject(conn: Conn, stamp: Stamp, tool: TicketTool, args: dict[str, Any],
                  reason: str, status: str | None = None) -> ActionOutcome:
    """Audit the refusal; its reply says why and what to do instead (the chat path's words)."""
    row = stamp.row(AuditEventType.PLAN_REJECTED, args.get("ticket_id"), reason, tool=tool.name, args=args)
    await audit.add_events(conn, events=[row])
    return _of(rejected(reason, stamp.lang, tool, args.get("ticket_id"), status), tool.name)


async def act(conn: Conn, *, tool: TicketTool, args: dict[str, Any], stamp: Stamp,
              ttl_s: int) -> ActionOutcome:
    """Run `tool` on `args` now, or (needs_confirmation) create the PendingAction to confirm."""
    if arg_errors(tool, args):
        return await _reject(conn, stamp, tool, args, "INVALID_ARGS")
    ticket = await crud_tickets.get_ticket(conn, ticket_id=args["ticket_id"])
    if reason := guard(tool, ticket, stamp.actor):
        # the status is named only once the ticket is known to be visible to the actor
        status = ticket.status if ticket is not None and reason == "INVALID_TRANSITION" else None
        return await _reject(conn, stamp, tool, args, reason, status)
    if tool.needs_confirmation:
        return await _propose(conn, tool, args, stamp, ttl_s)
    out = await execute_tool(conn, tool=tool, args=args, actor=stamp.actor, lang=stamp.lang)
    rows = [stamp.row(kind, target, payload.get("status", "OK"), **payload)
            for kind, target, payload in business_events(out, tool.name, args)]
    await audit.add_events(conn, events=rows)
    return _of(out, tool.name)


async def _propose(conn: Conn, tool: TicketTool, args: dict[str, Any], stamp: Stamp,
                   ttl_s: int) -> ActionOutcome:
    action = await crud_pending.create_pending(
        conn, thread_id=CONSOLE_THREAD.format(user=stamp.actor.user_id), actor=stamp.actor,
        tool=tool.name, args=args, target=args["ticket_id"], ttl_s=ttl_s, trace_id=stamp.trace_id)
    await audit.add_events(conn, events=[stamp.row(
        AuditEventType.ACTION_PENDING, action.target, PendingStatus.PENDING, pending_action_id=action.id,
        tool=tool.name, args=args)])
    reply = say("confirm_needed", stamp.lang, tool=tool.name, target=action.target,
                minutes=max(1, ttl_s // 60))
    return ActionOutcome(status="NEED_CONFIRMATION", tool=tool.name, reply=reply,
                         pending_action=crud_pending.pending_public(action))


async def decide(conn: Conn, *, action_id: str, ticket_id: str, token: str | None,
                 confirm: bool, stamp: Stamp) -> ActionOutcome:
    """Confirm or cancel one of the caller's console PendingActions, at most once."""
    action = await crud_pending.get_pending(conn, action_id=action_id)
    mine = CONSOLE_THREAD.format(user=stamp.actor.user_id)
    if action is None or action.thread_id != mine or action.target != ticket_id:
        return _of(rejected("NOTHING_TO_CONFIRM", stamp.lang), "confirm")
    if confirm and token != action.confirm_token:
        return _of(rejected("INVALID_CONFIRM_TOKEN", stamp.lang), action.tool)
    if action.status != PendingStatus.PENDING:
        return _first(action, confirm, stamp.lang)
    if action.expires_at <= datetime.now(UTC):
        await crud_pending.transition(conn, action_id=action.id, to=PendingStatus.EXPIRED)
        await _audit_decision(conn, stamp, action, AuditEventType.ACTION_EXPIRED, PendingStatus.EXPIRED)
        return _of(rejected("CONFIRMATION_EXPIRED", stamp.lang), action.tool)
    if not confirm:
        await crud_pending.transition(conn, action_id=action.id, to=PendingStatus.CANCELLED,
                                      outcome={"status": "CANCELLED"})
        await _audit_decision(conn, stamp, action, AuditEventType.ACTION_CANCELLED,
                              PendingStatus.CANCELLED)
        return ActionOutcome(status="CANCELLED", tool=action.tool, reply=say("action_cancelled", stamp.lang))
    return await _carry_out(conn, action, stamp)


async def _carry_out(conn: Conn, action: PendingAction, stamp: Stamp) -> ActionOutcome:
    """PENDING→CONFIRMED, run, EXECUTED|FAILED with the outcome: as execute_pending does."""
    tool = TICKET_TOOLS[action.tool]
    claimed = await crud_pending.transition(conn, action_id=action.id, to=PendingStatus.CONFIRMED)
    if claimed is None:  # a concurrent confirm won: its outcome is the answer
        fresh = await crud_pending.get_pending(conn, action_id=action.id)
        return _first(fresh or action, True, stamp.lang)
    out = await execute_tool(conn, tool=tool, args=claimed.args, actor=stamp.actor,
                             lang=stamp.lang)
    final = PendingStatus.EXECUTED if out.status == "OK" else PendingStatus.FAILED
    await crud_pending.transition(conn, action_id=action.id, to=final,
                                  outcome={**out.as_dict(), "tool": tool.name})
    rows = [stamp.row(AuditEventType.ACTION_CONFIRMED, action.target, "OK", pending_action_id=action.id),
            *(stamp.row(kind, target, payload.get("status", "OK"), **payload)
              for kind, target, payload in business_events(out, tool.name, claimed.args))]
    await audit.add_events(conn, events=rows)
    return _of(out, tool.name)


async def _audit_decision(conn: Conn, stamp: Stamp, action: PendingAction, kind: str,
                          result: str) -> None:
    await audit.add_events(conn, events=[stamp.row(
        kind, action.target, result, pending_action_id=action.id, tool=action.tool)])


def _first(action: PendingAction, confirm: bool, lang: Lang) -> ActionOutcome:
    """A decision already taken: a replayed confirm gets the first outcome, executing nothing."""
    stored = action.outcome or {}
    if confirm and action.status in (PendingStatus.EXECUTED, PendingStatus.FAILED) and stored:
        return ActionOutcome(status=stored["status"], tool=action.tool, reply=stored["reply"],
                             reason=stored.get("reason"), ticket=stored.get("ticket"), replayed=True)
    if not confirm and action.status == PendingStatus.CANCELLED:
        return ActionOutcome(status="CANCELLED", tool=action.tool, reply=say("action_cancelled", lang),
                             replayed=True)
    return _of(rejected("NOTHING_TO_CONFIRM", lang), action.tool)

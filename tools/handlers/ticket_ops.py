"""Executes one ticket tool inside the caller's transaction: re-check, write, describe."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tools.crud import tickets as crud
from tools.db.engine import Conn
from tools.domain import Actor, AuditEventType, TicketRow, TicketStatus
from tools.handlers.guards import guard
from tools.refusals import refusal
from tools.registry import TicketTool, UpdateArgs
from tools.replies import Lang, changes_text, say, ticket_list


@dataclass
class ToolOutcome:
    """What running a tool did: a status, a reason when rejected, the reply and the objects."""

    status: str  # OK | REJECTED
    reply: str
    reason: str | None = None
    ticket: dict[str, Any] | None = None
    tickets: list[dict[str, Any]] = field(default_factory=list)
    event: str | None = None  # audit event type of the write, if any

    def as_dict(self) -> dict[str, Any]:
        """Plain data (stored as a pending action's outcome)."""
        return {"status": self.status, "reply": self.reply, "reason": self.reason,
                "ticket": self.ticket, "tickets": self.tickets, "event": self.event}


def rejected(reason: str, lang: Lang, tool: TicketTool | None = None, ticket_id: str | None = None,
             status: str | None = None) -> ToolOutcome:
    """A rejection whose reply says why and what to do instead."""
    reply = refusal(reason, lang, tool=tool.name if tool else None, ticket_id=ticket_id, status=status)
    return ToolOutcome("REJECTED", reply, reason)


async def _list(db: Conn, actor: Actor, args: dict[str, Any], lang: Lang) -> ToolOutcome:
    rows = await crud.list_tickets(db, actor=actor, status=args.get("status"),
                                   limit=args.get("limit", 10), mine_only=True)
    tickets = [t.public() for t in rows]
    if not tickets:
        return ToolOutcome("OK", say("list_empty", lang))
    return ToolOutcome("OK", ticket_list(tickets, lang), tickets=tickets)


def _changes(args: dict[str, Any]) -> dict[str, Any]:
    return UpdateArgs.model_validate(args).changes()


_WRITES: dict[str, Callable[[TicketRow, dict[str, Any]], dict[str, Any]]] = {
    "update_ticket": lambda t, a: _changes(a),
    "escalate_ticket": lambda t, a: {"escalation_level": t.escalation_level + 1},
    "cancel_ticket": lambda t, a: {"status": TicketStatus.CANCELLED},
    "close_ticket": lambda t, a: {"status": TicketStatus.CLOSED},
    "reopen_ticket": lambda t, a: {"status": TicketStatus.OPEN},
    "resolve_ticket": lambda t, a: {"status": TicketStatus.RESOLVED},
}


async def execute_tool(
    db: Conn, *, tool: TicketTool, args: dict[str, Any], actor: Actor, lang: Lang
) -> ToolOutcome:
    """Run `tool` with validated `args`; the guard is re-checked on the row read here."""
    if tool.name == "list_my_tickets":
        return await _list(db, actor, args, lang)
    ticket: TicketRow | None = await crud.get_ticket(db, ticket_id=args["ticket_id"])
    if reason := guard(tool, ticket, actor):
        seen = ticket is not None and reason != "TICKET_NOT_FOUND"  # never the status of one not in view
        return rejected(reason, lang, tool, args["ticket_id"], ticket.status if ticket and seen else None)
    assert ticket is not None
    status = ticket.status
    if tool.name == "add_comment":
        await crud.add_comment(db, ticket_id=ticket.ticket_id, author_id=actor.user_id, body=args["comment"])
        ticket = await crud.update_ticket(db, ticket_id=ticket.ticket_id, version=ticket.version, values={})
    elif tool.name in _WRITES:
        values = _WRITES[tool.name](ticket, args)
        ticket = await crud.update_ticket(db, ticket_id=ticket.ticket_id, version=ticket.version, values=values)
    if ticket is None:
        return rejected("CONFLICT", lang, tool, args["ticket_id"], status)
    public = ticket.public()
    extra = {"changes": changes_text(_changes(args), lang)} if tool.name == "update_ticket" else {}
    event = None if tool.reads_only else AuditEventType.TICKET_UPDATED.value
    return ToolOutcome("OK", say(tool.name, lang, **public, **extra), ticket=public, event=event)


def business_events(out: ToolOutcome, tool: str, args: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """The audit events a tool run writes with its own transaction (chat and console alike)."""
    target = args.get("ticket_id") or ""
    events: list[tuple[str, str, dict[str, Any]]] = [
        (AuditEventType.PLAN_EXECUTED.value, target, {"tool": tool, "args": args, "status": out.status})]
    if out.event and out.status == "OK":
        events.append((out.event, target, {"tool": tool, "args": args}))
    return events

"""The checks a ticket tool must pass against a real ticket row (validator and handlers share them)."""

from __future__ import annotations

from tools.domain import MAX_ESCALATION, Actor, TicketRow, TicketStatus, can_transition_ticket
from tools.registry import TicketTool


def guard(tool: TicketTool, ticket: TicketRow | None, actor: Actor) -> str | None:
    """The reason code that forbids running `tool` on `ticket` as `actor`, or None if allowed.

    Tickets the actor may not see are reported as not found, so ids don't leak.
    """
    if actor.role not in tool.roles:
        return "FORBIDDEN"
    if not tool.needs_ticket:
        return None
    if ticket is None or not actor.can_see_ticket(ticket.requester_id, ticket.department):
        return "TICKET_NOT_FOUND"
    if tool.statuses is not None and TicketStatus(ticket.status) not in tool.statuses:
        return "INVALID_TRANSITION"
    if tool.target_status and not can_transition_ticket(ticket.status, tool.target_status):
        return "INVALID_TRANSITION"
    if tool.name == "escalate_ticket" and ticket.escalation_level >= MAX_ESCALATION:
        return "MAX_ESCALATION"
    return None

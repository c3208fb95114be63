"""The ticket-tool registry: the one list of ticket tools, their args, roles and guards.

The validator, the rules planner and the LLM tool list are all generated from `TICKET_TOOLS`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from tools.db.ids import TICKET_ID
from tools.domain import Role, TicketFields, TicketStatus
from tools.limits import COMMENT_MAX, REASON_MAX

TicketIdField = Field(pattern=TICKET_ID, description="ticket id, TCK-YYYY-XXXXXX")
_ACTIVE = frozenset({TicketStatus.OPEN, TicketStatus.IN_PROGRESS})
_ALL_ROLES: frozenset[Role] = frozenset({"requester", "agent", "admin"})


class _Args(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class TicketRef(_Args):
    """Arguments naming one ticket."""

    ticket_id: str = TicketIdField


class ListArgs(_Args):
    """Arguments of list_my_tickets."""

    status: TicketStatus | None = Field(default=None, description="only tickets in this status")
    limit: int = Field(default=10, ge=1, le=50)


class CommentArgs(TicketRef):
    """Arguments of add_comment."""

    comment: str = Field(min_length=1, max_length=COMMENT_MAX)


class UpdateArgs(TicketFields, TicketRef):
    """Arguments of update_ticket: at least one field to change."""

    @model_validator(mode="after")
    def _one_change(self) -> UpdateArgs:
        if not self.changes():
            raise ValueError("nothing to update: give a title, description, category or priority")
        return self


class ReasonArgs(TicketRef):
    """Arguments of an action that may carry a reason."""

    reason: str | None = Field(default=None, max_length=REASON_MAX)


@dataclass(frozen=True, slots=True)
class TicketTool:
    """One ticket tool: its argument schema and the guards the validator applies."""

    name: str
    description: str
    args: type[_Args]
    roles: frozenset[Role] = _ALL_ROLES
    statuses: frozenset[TicketStatus] | None = None  # None: any status (or no ticket at all)
    needs_confirmation: bool = False
    target_status: TicketStatus | None = None
    reads_only: bool = False

    @property
    def needs_ticket(self) -> bool:
        """True when the tool acts on one ticket (its args carry a ticket_id)."""
        return "ticket_id" in self.args.model_fields

    def parse(self, args: dict[str, Any]) -> _Args:
        """Validate raw args against the schema (raises pydantic.ValidationError)."""
        return self.args.model_validate(args)

    def json_schema(self) -> dict[str, Any]:
        """The OpenAI function-tool definition for this tool."""
        return {
            "type": "function",
            "function": {
                "name": self.name,
                "description": self.description,
                "parameters": self.args.model_json_schema(),
            },
        }


S = TicketStatus
TICKET_TOOLS: dict[str, TicketTool] = {
    t.name: t
    for t in (
        TicketTool("get_ticket", "Show one ticket's details and comments.", TicketRef, reads_only=True),
        TicketTool("list_my_tickets", "List the caller's tickets, newest first.", ListArgs,
                   reads_only=True),
        TicketTool("add_comment", "Add a comment to a ticket.", CommentArgs,
                   statuses=frozenset({S.OPEN, S.IN_PROGRESS, S.RESOLVED})),
        TicketTool("update_ticket", "Change title/description/category/priority of an open ticket.",
                   UpdateArgs, statuses=_ACTIVE),
        TicketTool("escalate_ticket", "Escalate a ticket one level (needs confirmation).",
                   ReasonArgs, statuses=_ACTIVE, needs_confirmation=True),
        TicketTool("cancel_ticket", "Cancel an open ticket (needs confirmation).", ReasonArgs,
                   statuses=_ACTIVE, needs_confirmation=True, target_status=S.CANCELLED),
        TicketTool("close_ticket", "Close a resolved ticket (needs confirmation).", ReasonArgs,
                   statuses=frozenset({S.RESOLVED}), needs_confirmation=True,
                   target_status=S.CLOSED),
        TicketTool("reopen_ticket", "Reopen a resolved ticket.", ReasonArgs,
                   statuses=frozenset({S.RESOLVED}), target_status=S.OPEN),
        TicketTool("resolve_ticket", "Mark a ticket resolved (agents and admins).", ReasonArgs,
                   roles=frozenset({"agent", "admin"}), statuses=_ACTIVE,
                   target_status=S.RESOLVED),
    )
}


def get_tool(name: str | None) -> TicketTool | None:
    """The registered tool of that name, or None."""
    return TICKET_TOOLS.get(name or "")


def arg_errors(tool: TicketTool, args: dict[str, Any]) -> list[str]:
    """Human-readable schema errors for `args` (empty when they are valid)."""
    try:
        tool.parse(args)
    except ValidationError as exc:
        return [f"{'.'.join(map(str, e['loc'])) or 'args'}: {e['msg']}" for e in exc.errors()]
    return []

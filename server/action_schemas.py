"""Bodies and results of the ticket-action routes; argument limits come from the tool registry."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from server.schemas import TOKEN, ActionId, Text
from tools.handlers.actions import ActionOutcome
from tools.registry import CommentArgs, ReasonArgs

PENDING_ID = r"^[A-Za-z0-9_.:-]{1,128}$"


def registry_field(args: type[BaseModel], name: str) -> Any:
    """The registry's definition of a tool argument (its limits are written once, there)."""
    return args.model_fields[name]


class CommentIn(BaseModel):
    """A comment to add to the ticket."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    comment: Text = registry_field(CommentArgs, "comment")
    action_id: str | None = ActionId


class ReasonIn(BaseModel):
    """A status change, with an optional reason (kept in the audit trail)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    reason: Text | None = registry_field(ReasonArgs, "reason")
    action_id: str | None = ActionId


class DecisionIn(BaseModel):
    """Confirm (with the token) or cancel the ticket's pending action created by this caller."""

    model_config = ConfigDict(extra="forbid")
    pending_action_id: str = Field(pattern=PENDING_ID, description="pending_action.id")
    decision: Literal["confirm", "cancel"]
    confirm_token: str | None = Field(default=None, pattern=TOKEN,
                                      description="pending_action.confirm_token; required to confirm")
    action_id: str | None = ActionId


class TicketActionResult(ActionOutcome):
    """What the action did (`tools.handlers.actions.ActionOutcome`), with the request's trace id."""

    trace_id: str


class QueuePage(BaseModel):
    """One page of a department's ticket queue, newest first."""

    items: list[dict[str, Any]]
    total: int
    offset: int
    limit: int


class Conversation(BaseModel):
    """The conversation a ticket was created in (null thread when it is unknown)."""

    thread_id: str | None = None
    messages: list[dict[str, Any]] = Field(default_factory=list)


class Me(BaseModel):
    """Who the server takes the caller for, and how identity works on this server."""

    user_id: str
    department: str
    role: str
    auth: Literal["jwt", "dev"]

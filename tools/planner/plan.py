"""The Plan a planner proposes and the facts it plans from (both planners speak this)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, Field

Route = Literal["kb_qa", "create_ticket", "resume_draft", "ticket_op", "chitchat"]
ROUTES: tuple[Route, ...] = ("kb_qa", "create_ticket", "resume_draft", "ticket_op", "chitchat")
Confirmation = Literal["confirm", "cancel"]


class Talk(StrEnum):
    """Which reply a chitchat plan gets (Plan.args["talk"]); nothing runs for any of them."""

    GREETING = "greeting"
    THANKS = "thanks"
    BYE = "bye"
    OUT_OF_SCOPE = "out_of_scope"  # what the helpdesk can do, no ticket offered
    CLARIFY = "clarify"  # task-like but unclear: ask, offering Plan.args["options"]
    NOTHING = "nothing"  # "算了，不取消了" with nothing waiting: nothing changes


class TicketFields(BaseModel):
    """Ticket fields read from text; every one optional (a draft fills them over turns)."""

    title: str | None = None
    description: str | None = None
    category: str | None = None
    priority: str | None = None

    def filled(self) -> dict[str, str]:
        """Only the fields that carry a value."""
        return {k: v for k, v in self.model_dump().items() if v}


class References(BaseModel):
    """What the text points at: explicit ids, and words that refer back to earlier objects."""

    ticket_ids: list[str] = Field(default_factory=list, description="explicit TCK ids, upper-cased")
    draft_ids: list[str] = Field(default_factory=list, description="explicit DRF ids, upper-cased")
    ticket_ref: bool = Field(default=False, description="上一单 / that ticket / it …")
    latest: bool = Field(default=False, description="上一单 / my last ticket: the newest one")
    draft_ref: bool = Field(default=False, description="那个草稿 / that draft …")
    ordinal: int | None = Field(default=None, description="第二个 / the second one → 2 (1-based)")


class PlanContext(BaseModel):
    """The restored context a planner sees: resolved ids and where they came from."""

    ticket_id: str | None = None
    ticket_source: Literal["explicit", "memory", "reference"] | None = None
    draft_id: str | None = None
    draft_source: Literal["explicit", "memory", "reference"] | None = None
    draft_fields: dict[str, str] = Field(default_factory=dict, description="the active draft so far")
    last_intent: str | None = None
    role: str = "requester"


class Plan(BaseModel):
    """What to do this turn. A proposal only: the validator decides whether it runs."""

    route: Route
    tool: str | None = Field(default=None, description="ticket tool name when route=ticket_op")
    args: dict[str, Any] = Field(default_factory=dict)
    missing_fields: list[str] = Field(default_factory=list)
    need_confirmation: bool = False
    rationale: str = ""
    source: Literal["rules", "llm"] = "rules"

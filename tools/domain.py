"""Domain vocabulary: roles, categories, the ticket's fields and record, audit event types, and the
state machines (the one place transitions are decided)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, model_validator

from tools.limits import DESCRIPTION_MAX, TITLE_MAX

Role = Literal["requester", "agent", "admin"]
ROLES: tuple[Role, ...] = ("requester", "agent", "admin")
CATEGORIES = ("network", "account", "hardware", "software", "access", "email", "other")
PRIORITIES = ("P1", "P2", "P3", "P4")
DEFAULT_PRIORITY = "P3"  # a ticket created without one
MAX_ESCALATION = 3


class TicketFields(BaseModel):
    """The fields a person gives a ticket, each optional here (a draft has only some of them).

    The one definition of the ticket's own fields: the registry's update_ticket args, the
    validator, the planner, drafts, the API schemas and the pages' labels derive from it.
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    REQUIRED: ClassVar[tuple[str, ...]] = ("title", "description", "category")
    """What a ticket cannot be created without (priority defaults to DEFAULT_PRIORITY)."""

    title: str | None = Field(default=None, min_length=1, max_length=TITLE_MAX)
    description: str | None = Field(default=None, max_length=DESCRIPTION_MAX)
    category: str | None = Field(default=None, json_schema_extra={"enum": list(CATEGORIES)})
    priority: str | None = Field(default=None, json_schema_extra={"enum": list(PRIORITIES)})

    @model_validator(mode="after")
    def _known_choices(self) -> TicketFields:
        if self.category is not None and self.category not in CATEGORIES:
            raise ValueError(f"category must be one of {', '.join(CATEGORIES)}")
        if self.priority is not None and self.priority not in PRIORITIES:
            raise ValueError(f"priority must be one of {', '.join(PRIORITIES)}")
        return self

    def changes(self) -> dict[str, str]:
        """The fields this value sets (empty ones left out)."""
        return given_fields(self.model_dump())


TICKET_FIELDS: tuple[str, ...] = tuple(TicketFields.model_fields)
REQUIRED_FIELDS = TicketFields.REQUIRED


def given_fields(values: Mapping[str, Any]) -> dict[str, Any]:
    """The ticket fields among `values` that have a value (any other key is left out)."""
    return {k: v for k in TICKET_FIELDS if (v := values.get(k))}


def missing_fields(fields: dict[str, Any]) -> list[str]:
    """Required ticket fields not yet given."""
    return [k for k in REQUIRED_FIELDS if not fields.get(k)]


def _iso(moment: datetime) -> str:
    return moment.isoformat()


IsoTime = Annotated[datetime, PlainSerializer(_iso, return_type=str)]
"""A timestamp, written in JSON as Python's isoformat() ("2026-03-01T09:30:00+00:00")."""


class CommentRow(BaseModel):
    """A comment on a ticket."""

    model_config = ConfigDict(frozen=True)
    author_id: str
    body: str
    created_at: IsoTime


class TicketRow(BaseModel):
    """A ticket: the one typed record of it, and (`public()`) its one JSON shape.

    Routes answer with it (`server.responses.TicketOut` is this model), chat results and
    replies carry `public()`; the ticket's own fields are TicketFields'.
    """

    model_config = ConfigDict(frozen=True)
    ticket_id: str
    title: str
    description: str
    category: str
    priority: str
    status: str
    requester_id: str
    department: str
    assignee_id: str | None
    escalation_level: int
    version: int
    comments: list[CommentRow] = Field(default_factory=list)
    created_at: IsoTime
    updated_at: IsoTime

    def public(self) -> dict[str, Any]:
        """The ticket as API.md shows it (plain JSON data)."""
        return self.model_dump(mode="json")


class ThreadStatus(StrEnum):
    """A conversation thread's status (`busy` is derived from its live lease, never stored)."""

    IDLE = "idle"
    INTERRUPTED = "interrupted"
    BUSY = "busy"


class TicketStatus(StrEnum):
    """Ticket lifecycle."""

    OPEN = "OPEN"
    IN_PROGRESS = "IN_PROGRESS"
    RESOLVED = "RESOLVED"
    CLOSED = "CLOSED"
    CANCELLED = "CANCELLED"


class DraftStatus(StrEnum):
    """Draft lifecycle."""

    ACTIVE = "ACTIVE"
    CONSUMED = "CONSUMED"
    DISCARDED = "DISCARDED"
    EXPIRED = "EXPIRED"


class PendingStatus(StrEnum):
    """PendingAction lifecycle."""

    PENDING = "PENDING"
    CONFIRMED = "CONFIRMED"
    EXECUTED = "EXECUTED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"
    EXPIRED = "EXPIRED"
    SUPERSEDED = "SUPERSEDED"


class AuditEventType(StrEnum):
    """Every kind of audit_events row; a row of any other kind is refused when written."""

    AGENT_ROUTE = "AGENT_ROUTE"
    PLAN_PROPOSED = "PLAN_PROPOSED"
    PLAN_REJECTED = "PLAN_REJECTED"
    PLAN_EXECUTED = "PLAN_EXECUTED"
    LLM_FALLBACK = "LLM_FALLBACK"
    LLM_ERROR = "LLM_ERROR"
    BUDGET_EXCEEDED = "BUDGET_EXCEEDED"
    DRAFT_CREATED = "DRAFT_CREATED"
    DRAFT_UPDATED = "DRAFT_UPDATED"
    DRAFT_CONSUMED = "DRAFT_CONSUMED"
    DRAFT_EXPIRED = "DRAFT_EXPIRED"
    TICKET_CREATED = "TICKET_CREATED"
    TICKET_UPDATED = "TICKET_UPDATED"
    ACTION_PENDING = "ACTION_PENDING"
    ACTION_STILL_PENDING = "ACTION_STILL_PENDING"
    ACTION_CONFIRMED = "ACTION_CONFIRMED"
    ACTION_CANCELLED = "ACTION_CANCELLED"
    ACTION_EXPIRED = "ACTION_EXPIRED"
    ACTION_SUPERSEDED = "ACTION_SUPERSEDED"
    KB_ANSWERED = "KB_ANSWERED"
    TURN_COMPLETED = "TURN_COMPLETED"
    PROTOCOL_INPUT_DROPPED = "PROTOCOL_INPUT_DROPPED"
    PROTOCOL_STATE_UPDATED = "PROTOCOL_STATE_UPDATED"
    PROTOCOL_FORK = "PROTOCOL_FORK"


T = TicketStatus
TICKET_TRANSITIONS: dict[TicketStatus, frozenset[TicketStatus]] = {
    T.OPEN: frozenset({T.IN_PROGRESS, T.RESOLVED, T.CANCELLED}),
    T.IN_PROGRESS: frozenset({T.RESOLVED, T.CANCELLED, T.OPEN}),
    T.RESOLVED: frozenset({T.CLOSED, T.OPEN}),
    T.CLOSED: frozenset(),
    T.CANCELLED: frozenset(),
}

D = DraftStatus
DRAFT_TRANSITIONS: dict[DraftStatus, frozenset[DraftStatus]] = {
    D.ACTIVE: frozenset({D.CONSUMED, D.DISCARDED, D.EXPIRED}),
    D.CONSUMED: frozenset(),
    D.DISCARDED: frozenset(),
    D.EXPIRED: frozenset(),
}

P = PendingStatus
PENDING_TRANSITIONS: dict[PendingStatus, frozenset[PendingStatus]] = {
    P.PENDING: frozenset({P.CONFIRMED, P.CANCELLED, P.EXPIRED, P.SUPERSEDED}),
    P.CONFIRMED: frozenset({P.EXECUTED, P.FAILED}),
    P.EXECUTED: frozenset(),
    P.FAILED: frozenset(),
    P.CANCELLED: frozenset(),
    P.EXPIRED: frozenset(),
    P.SUPERSEDED: frozenset(),
}


def can_transition_ticket(current: str, target: str) -> bool:
    """True when a ticket may move from `current` to `target`."""
    return TicketStatus(target) in TICKET_TRANSITIONS[TicketStatus(current)]


def can_transition_draft(current: str, target: str) -> bool:
    """True when a draft may move from `current` to `target`."""
    return DraftStatus(target) in DRAFT_TRANSITIONS[DraftStatus(current)]


def can_transition_pending(current: str, target: str) -> bool:
    """True when a pending action may move from `current` to `target`."""
    return PendingStatus(target) in PENDING_TRANSITIONS[PendingStatus(current)]


def sources_of(target: PendingStatus) -> tuple[str, ...]:
    """Every pending status from which `target` is reachable (the WHERE of a conditional UPDATE)."""
    return tuple(s.value for s, nxt in PENDING_TRANSITIONS.items() if target in nxt)


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is acting: the authenticated user, their department and role."""

    user_id: str
    department: str = "IT"
    role: Role = "requester"

    def can_see_ticket(self, requester_id: str, department: str) -> bool:
        """Visibility rule: requesters own tickets, agents their department, admins all."""
        if self.role == "admin":
            return True
        if self.role == "agent":
            return department == self.department or requester_id == self.user_id
        return requester_id == self.user_id

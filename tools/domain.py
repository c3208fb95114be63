"""Domain vocabulary and the state machines: the one place transitions are decided."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

Role = Literal["requester", "agent", "admin"]
ROLES: tuple[Role, ...] = ("requester", "agent", "admin")
CATEGORIES = ("network", "account", "hardware", "software", "access", "email", "other")
PRIORITIES = ("P1", "P2", "P3", "P4")
DEFAULT_PRIORITY = "P3"
MAX_ESCALATION = 3


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

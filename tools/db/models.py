"""ORM models: what the tables look like, nothing more (schema lives in migrations.py)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, Date, DateTime, Float, ForeignKey, Integer, String, Text, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    """Declarative base for every helpdesk table."""


def _ts() -> Mapped[datetime]:
    return mapped_column(DateTime(timezone=True), server_default=func.now())


class Thread(Base):
    """A conversation; owned by the user who started it. Holds the cross-process run lease."""

    __tablename__ = "threads"
    thread_id: Mapped[str] = mapped_column(String, primary_key=True)
    owner_id: Mapped[str] = mapped_column(String)
    department: Mapped[str] = mapped_column(String)
    title: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String, default="idle")  # idle|interrupted|busy
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    lease_run_id: Mapped[str | None] = mapped_column(String)
    last_trace_id: Mapped[str | None] = mapped_column(String)
    settled: Mapped[bool] = mapped_column(Boolean, default=False)  # latest checkpoint ended a turn
    created_at: Mapped[datetime] = _ts()
    updated_at: Mapped[datetime] = _ts()


class ThreadMessage(Base):
    """One line of a thread's transcript (kept here, not in the checkpoint, so state stays small)."""

    __tablename__ = "thread_messages"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    thread_id: Mapped[str] = mapped_column(String)
    role: Mapped[str] = mapped_column(String)  # user|assistant
    content: Mapped[str] = mapped_column(Text)
    trace_id: Mapped[str | None] = mapped_column(String)
    created_at: Mapped[datetime] = _ts()


class Ticket(Base):
    """A support ticket `TCK-YYYY-XXXXXX`; `version` is the optimistic lock."""

    __tablename__ = "tickets"
    ticket_id: Mapped[str] = mapped_column(String, primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String)
    priority: Mapped[str] = mapped_column(String, default="P3")
    status: Mapped[str] = mapped_column(String, default="OPEN")
    requester_id: Mapped[str] = mapped_column(String)
    department: Mapped[str] = mapped_column(String)
    assignee_id: Mapped[str | None] = mapped_column(String)
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = _ts()
    updated_at: Mapped[datetime] = _ts()
    comments: Mapped[list[TicketComment]] = relationship(
        order_by="TicketComment.id", lazy="noload", cascade="all, delete-orphan"
    )


class TicketComment(Base):
    """A comment on a ticket."""

    __tablename__ = "ticket_comments"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    ticket_id: Mapped[str] = mapped_column(ForeignKey("tickets.ticket_id"))
    author_id: Mapped[str] = mapped_column(String)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = _ts()


class TicketDraft(Base):
    """A half-filled ticket `DRF-YYYY-XXXXXX`; becomes a ticket when complete (CONSUMED)."""

    __tablename__ = "ticket_drafts"
    draft_id: Mapped[str] = mapped_column(String, primary_key=True)
    owner_id: Mapped[str] = mapped_column(String)
    department: Mapped[str] = mapped_column(String)
    thread_id: Mapped[str | None] = mapped_column(String)
    title: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(String)
    priority: Mapped[str | None] = mapped_column(String)
    status: Mapped[str] = mapped_column(String, default="ACTIVE")
    ticket_id: Mapped[str | None] = mapped_column(String)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = _ts()
    updated_at: Mapped[datetime] = _ts()


class PendingAction(Base):
    """A dangerous action waiting for a person's confirmation; consumed at most once."""

    __tablename__ = "pending_actions"
    id: Mapped[str] = mapped_column(String, primary_key=True)
    thread_id: Mapped[str] = mapped_column(String)
    actor_id: Mapped[str] = mapped_column(String)
    actor_role: Mapped[str] = mapped_column(String)
    actor_department: Mapped[str] = mapped_column(String)
    tool: Mapped[str] = mapped_column(String)
    args: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    target: Mapped[str | None] = mapped_column(String)
    confirm_token: Mapped[str] = mapped_column(String)
    status: Mapped[str] = mapped_column(String, default="PENDING")
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    outcome: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    trace_id: Mapped[str | None] = mapped_column(String)
    created_at: Mapped[datetime] = _ts()
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AuditEvent(Base):
    """One audited decision or write."""

    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    trace_id: Mapped[str] = mapped_column(String)
    thread_id: Mapped[str | None] = mapped_column(String)
    actor_id: Mapped[str] = mapped_column(String)
    event_type: Mapped[str] = mapped_column(String)
    target: Mapped[str | None] = mapped_column(String)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    result: Mapped[str | None] = mapped_column(String)
    version_set: Mapped[str] = mapped_column(String)
    usage: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    latency_ms: Mapped[float] = mapped_column(Float, default=0.0)
    created_at: Mapped[datetime] = _ts()


class IdempotencyKey(Base):
    """A stored response for (user, action_id), replayed on repeats."""

    __tablename__ = "idempotency_keys"
    user_id: Mapped[str] = mapped_column(String, primary_key=True)
    action_id: Mapped[str] = mapped_column(String, primary_key=True)
    request_hash: Mapped[str] = mapped_column(String)
    state: Mapped[str] = mapped_column(String, default="running")  # running|done
    status_code: Mapped[int | None] = mapped_column(Integer)
    body: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    created_at: Mapped[datetime] = _ts()


class LlmUsageDaily(Base):
    """Tokens and cost one user spent on the LLM in one UTC day (the daily budget)."""

    __tablename__ = "llm_usage_daily"
    user_id: Mapped[str] = mapped_column(String, primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    tokens: Mapped[int] = mapped_column(BigInteger, default=0)
    cost_usd: Mapped[float] = mapped_column(Float, default=0.0)
    calls: Mapped[int] = mapped_column(Integer, default=0)

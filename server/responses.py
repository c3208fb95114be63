"""Response models of the HTTP contract (API.md), documented in the OpenAPI schema."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from tools.domain import TicketRow


class KbDocumentOut(BaseModel):
    """The stored article."""

    model_config = ConfigDict(extra="allow")
    doc_id: str
    title: str
    lang: str
    tags: list[str] = Field(default_factory=list)


class KbHitOut(BaseModel):
    """A knowledge-base search hit."""

    model_config = ConfigDict(extra="allow")
    doc_id: str
    title: str
    snippet: str
    score: float


class MessageOut(BaseModel):
    """One line of a thread's transcript."""

    role: str
    content: str
    created_at: str | None = None


class ThreadOut(BaseModel):
    """A thread, its memory, pending action and transcript."""

    model_config = ConfigDict(extra="allow")
    thread_id: str
    owner: str
    status: Literal["idle", "interrupted", "busy"]
    memory: dict[str, Any] = Field(default_factory=dict)
    pending_action: dict[str, Any] | None = None
    messages: list[MessageOut] = Field(default_factory=list)
    created_at: str | None = None
    updated_at: str | None = None


class ThreadSummary(BaseModel):
    """A thread in the caller's list."""

    model_config = ConfigDict(extra="allow")
    thread_id: str
    status: Literal["idle", "interrupted", "busy"]
    title: str | None = None
    created_at: str | None = None
    updated_at: str | None = None


class CheckpointOut(BaseModel):
    """One checkpoint of a thread's history."""

    model_config = ConfigDict(extra="allow")
    checkpoint_id: str
    node: str | None = None
    created_at: str | None = None
    summary: str | None = None


class TicketOut(TicketRow):
    """A ticket as API.md shows it (the fields and JSON of `tools.domain.TicketRow`)."""


class DraftOut(BaseModel):
    """A ticket draft."""

    model_config = ConfigDict(extra="allow")
    draft_id: str
    status: str
    fields: dict[str, Any] = Field(default_factory=dict)
    missing_fields: list[str] = Field(default_factory=list)


class AuditEventOut(BaseModel):
    """One audit event."""

    model_config = ConfigDict(extra="allow")
    id: int
    trace_id: str
    thread_id: str | None = None
    actor: str
    event_type: str
    target: str | None = None
    payload: dict[str, Any] = Field(default_factory=dict)
    result: str | None = None
    version_set: str
    created_at: str


class Health(BaseModel):
    """The process is up."""

    status: Literal["ok"] = "ok"


class Ready(BaseModel):
    """The server can take turns: database reachable, plus what it knows of the LLM."""

    status: Literal["ready"] = "ready"
    database: Literal["ok"] = "ok"
    mode: str
    auth: Literal["jwt", "dev"]
    llm: dict[str, Any] | None = None

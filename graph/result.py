"""The unified result of one turn (API.md), as pydantic models."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from turn.contract import Intent, ModeUsed, Status


class Citation(BaseModel):
    """A knowledge-base article an answer relies on."""

    doc_id: str
    title: str
    snippet: str


class Usage(BaseModel):
    """LLM usage of one turn."""

    llm_calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0


class Memory(BaseModel):
    """What the thread remembers after this turn."""

    ticket_id: str | None = None
    draft_id: str | None = None
    pending_action_id: str | None = None


class TurnResult(BaseModel):
    """Everything a client needs from one turn; fields that do not apply are null or []."""

    thread_id: str
    trace_id: str
    status: Status
    intent: Intent
    tool: str | None = None
    reply: str
    ticket: dict[str, Any] | None = None
    tickets: list[dict[str, Any]] = Field(default_factory=list)
    draft: dict[str, Any] | None = None
    pending_action: dict[str, Any] | None = None
    missing_fields: list[str] = Field(default_factory=list)
    reason: str | None = None
    citations: list[Citation] = Field(default_factory=list)
    memory: Memory = Field(default_factory=Memory)
    mode_used: ModeUsed = "rules"
    degraded: bool = False
    usage: Usage = Field(default_factory=Usage)
    version_set: str = ""

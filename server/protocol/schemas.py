"""Request bodies of the protocol routes, with langgraph-sdk's field names (unknown fields pass)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

StreamMode = Literal["values", "updates", "messages", "messages-tuple", "custom", "debug", "events",
                     "tasks", "checkpoints"]
MultitaskStrategy = Literal["reject", "interrupt", "rollback", "enqueue"]


class Lenient(BaseModel):
    """Fields the protocol defines but we do not use are accepted and ignored."""

    model_config = ConfigDict(extra="allow")


class Command(Lenient):
    """`command` of a run: resume an interrupt, update the input, goto (refused, see runs)."""

    resume: Any = None
    update: Any = None
    goto: Any = None


class RunCreate(Lenient):
    """POST /threads/{id}/runs[/stream|/wait] and /runs[/stream|/wait]."""

    assistant_id: str
    input: dict[str, Any] | None = None
    command: Command | None = None
    stream_mode: StreamMode | list[StreamMode] = "values"
    stream_subgraphs: bool = False
    stream_resumable: bool = False
    config: dict[str, Any] | None = None
    context: dict[str, Any] | None = None
    metadata: dict[str, Any] | None = None
    checkpoint_id: str | None = None
    checkpoint: dict[str, Any] | None = None
    interrupt_before: Literal["*"] | list[str] | None = None
    interrupt_after: Literal["*"] | list[str] | None = None
    multitask_strategy: MultitaskStrategy = "enqueue"
    if_not_exists: Literal["create", "reject"] = "reject"
    on_disconnect: Literal["cancel", "continue"] = "continue"
    on_completion: Literal["delete", "keep"] = "delete"

    def modes(self) -> list[str]:
        """The stream modes asked for, as a list."""
        return [self.stream_mode] if isinstance(self.stream_mode, str) else list(self.stream_mode)


class ThreadCreate(Lenient):
    """POST /threads."""

    thread_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_.:-]{1,128}$")
    metadata: dict[str, Any] = Field(default_factory=dict)
    if_exists: Literal["raise", "do_nothing"] = "raise"


class ThreadPatch(Lenient):
    """PATCH /threads/{id}."""

    metadata: dict[str, Any] = Field(default_factory=dict)


class ThreadSearch(Lenient):
    """POST /threads/search."""

    metadata: dict[str, Any] = Field(default_factory=dict)
    values: dict[str, Any] | None = None
    ids: list[str] | None = None
    status: Literal["idle", "busy", "interrupted", "error"] | None = None
    limit: int = Field(default=10, ge=1, le=1000)
    offset: int = Field(default=0, ge=0)
    sort_by: Literal["thread_id", "status", "created_at", "updated_at"] = "updated_at"
    sort_order: Literal["asc", "desc"] = "desc"


class HistoryQuery(Lenient):
    """POST /threads/{id}/history."""

    limit: int = Field(default=10, ge=1, le=1000)
    before: dict[str, Any] | str | None = None
    metadata: dict[str, Any] | None = None
    checkpoint: dict[str, Any] | None = None


class StateUpdate(Lenient):
    """POST /threads/{id}/state."""

    values: Any = None
    as_node: str | None = None
    checkpoint_id: str | None = None
    checkpoint: dict[str, Any] | None = None


class CheckpointQuery(Lenient):
    """POST /threads/{id}/state/checkpoint."""

    checkpoint: dict[str, Any] = Field(default_factory=dict)
    subgraphs: bool = False


class AssistantSearch(Lenient):
    """POST /assistants/search."""

    graph_id: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    name: str | None = None
    limit: int = Field(default=10, ge=1, le=1000)
    offset: int = Field(default=0, ge=0)

"""Per-run settings handed to every node (who is acting, which mode, the trace)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tools.domain import Actor, Role
from tools.settings import Mode

if TYPE_CHECKING:
    from turn.services import Services

ACTION_ID = "action_id"
"""`Context.extra` key: the turn's idempotency key, if the caller sent one (nodes record the
outcome of a domain write under it, in the write's own transaction)."""
RECOVERED = "recovered"
"""`Context.extra` key: the outcome an earlier attempt of this turn's action_id committed with
its domain write before it died; the turn finishes with it instead of acting (graph.runner)."""


@dataclass(kw_only=True)
class Context:
    """Run context. Studio runs get the defaults (a dev identity, rules-or-hybrid mode)."""

    user_id: str = field(default="demo-user", metadata={"description": "acting user id"})
    department: str = field(default="IT", metadata={"description": "acting user's department"})
    role: Role = field(default="requester", metadata={"description": "requester | agent | admin"})
    mode: Mode | None = field(default=None, metadata={"description": "rules | llm | hybrid"})
    trace_id: str = field(default="", metadata={"description": "trace id of this turn"})
    services: Services | None = field(default=None, metadata={"description": "db, kb, llm"})
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def actor(self) -> Actor:
        """The acting user as a domain Actor."""
        return Actor(self.user_id, self.department, self.role)

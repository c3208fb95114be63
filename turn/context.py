"""Per-run settings handed to every node (who is acting, which mode, the thread, the trace)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tools.domain import Actor, Role
from tools.settings import Mode

if TYPE_CHECKING:
    from turn.contract import Outcome
    from turn.services import Services
    from turn.writes import TurnWrites


@dataclass(kw_only=True)
class Context:
    """Run context, set by graph.runner. Studio runs get the defaults (a dev identity,
    rules-or-hybrid mode, the process services graph.studio installed)."""

    user_id: str = field(default="demo-user", metadata={"description": "acting user id"})
    department: str = field(default="IT", metadata={"description": "acting user's department"})
    role: Role = field(default="requester", metadata={"description": "requester | agent | admin"})
    mode: Mode | None = field(default=None, metadata={"description": "rules | llm | hybrid"})
    trace_id: str = field(default="", metadata={"description": "trace id of this turn"})
    thread_id: str = field(default="", metadata={
        "description": "the thread of this run (empty: the run's own, e.g. in Studio)"})
    services: Services | None = field(default=None, metadata={"description": "db, kb, llm"})
    action_id: str | None = field(default=None, metadata={
        "description": "the turn's idempotency key, if the caller sent one: nodes record the "
                       "outcome of a domain write under it, in the write's own transaction"})
    recovered: Outcome | None = field(default=None, metadata={
        "description": "the outcome an earlier attempt of this action_id committed with its "
                       "domain write before it died: the turn finishes with it instead of acting"})
    writes: TurnWrites | None = field(default=None, metadata={
        "description": "statements finalize queues for the turn's checkpoint transaction"})

    @property
    def actor(self) -> Actor:
        """The acting user as a domain Actor."""
        return Actor(self.user_id, self.department, self.role)

"""The typed contract between the nodes of one turn: what each node reads and hands on.

    context_restore -> Resolved      who and what the turn is about
    global_router / ticket_subplanner -> Plan   what the planner proposes, and how it was made
    validator (or confirm_gate) -> Verdict      execute / confirm / need more info / reject / reply
    executors (or any gate) -> Outcome          what the turn did, for finalize's result
    every node -> AuditEvent                    audit rows finalize writes with the turn

These ride the per-turn scratch channels of turn.state (UntrackedValue: never checkpointed), so
they are plain frozen objects. Outcome is also stored as JSON (a pending action's outcome, the
effect under an action_id) and read back with `Outcome.from_dict`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import UTC, datetime
from typing import Any, Literal

from tools.domain import AuditEventType
from tools.planner import plan as planner
from tools.planner.plan import PlanContext, References
from tools.replies import Lang

Json = dict[str, Any]
"""A public object as the API shows it (ticket, draft, pending action, citation)."""
Status = Literal["OK", "NEED_MORE_INFO", "NEED_CONFIRMATION", "CANCELLED", "REJECTED"]
"""How a turn ended (API.md `status`)."""
Intent = Literal["kb_qa", "create_ticket", "resume_draft", "ticket_op", "confirm", "cancel", "chitchat"]
"""What the turn was about (API.md `intent`)."""
ModeUsed = Literal["rules", "llm"]
"""Which planner/writer produced the turn's answer."""
Source = Literal["explicit", "memory", "reference"]
"""Where a resolved id came from: typed in this turn, the thread's memory, or a reference word."""
Executor = Literal["kb_answer", "create_ticket", "resume_draft", "ticket_tool", "execute_pending"]
"""The nodes that carry out a verdict to execute."""


@dataclass(frozen=True, kw_only=True)
class Superseded:
    """A pending action a new request dropped this turn (finalize names it in the reply)."""

    tool: str
    """The dropped action's tool."""
    target: str | None
    """The ticket it was for, if any."""


@dataclass(frozen=True, kw_only=True)
class Resolved:
    """What context_restore settled: the turn's ticket and draft, their sources, the language."""

    ticket_id: str | None = None
    """The ticket this turn is about, if any."""
    ticket_source: Source | None = None
    """Where `ticket_id` came from."""
    draft_id: str | None = None
    """The draft this turn is about, if any."""
    draft_source: Source | None = None
    """Where `draft_id` came from."""
    lang: Lang = "en"
    """The reply language of this turn."""
    refs: References = field(default_factory=References)
    """What the message itself points at (explicit ids, reference words)."""
    started: float = 0.0
    """time.perf_counter() when the turn started (finalize's TURN_COMPLETED latency)."""
    superseded: Superseded | None = None
    """The pending action this turn's new request dropped (set by confirm_gate)."""


@dataclass(frozen=True, kw_only=True)
class Plan:
    """The plan channel: the planner's proposal, the facts it planned from, and how."""

    call: planner.Plan
    """Route, tool and arguments proposed (a proposal: the validator decides)."""
    context: PlanContext
    """The restored facts the planner saw (resolved ids, the draft so far, memory)."""
    mode_used: ModeUsed = "rules"
    """Which planner produced `call`."""
    degraded: bool = False
    """The model failed or was overruled and the rules planner stood in (hybrid)."""


@dataclass(frozen=True, kw_only=True)
class Outcome:
    """What the turn did: finalize turns it into the result (API.md) and the thread's memory."""

    status: Status
    """How the turn ended."""
    intent: Intent
    """What the turn was about."""
    reply: str
    """The text for the person."""
    tool: str | None = None
    """The ticket tool involved, if any."""
    reason: str | None = None
    """Why it was REJECTED (a refusal code), if it was."""
    ticket: Json | None = None
    """The ticket acted on or shown."""
    tickets: list[Json] = field(default_factory=list)
    """Tickets listed."""
    draft: Json | None = None
    """The draft created or filled."""
    pending_action: Json | None = None
    """The action waiting for the person's confirmation."""
    missing_fields: list[str] = field(default_factory=list)
    """What the person still has to say (NEED_MORE_INFO)."""
    citations: list[Json] = field(default_factory=list)
    """Knowledge-base articles the answer relies on."""
    mode_used: ModeUsed | None = None
    """Overrides the plan's mode_used (the answer's writer), if set."""
    degraded: bool = False
    """The answer fell back from the model (kb_answer)."""
    replayed: bool = False
    """A repeated confirm: the first outcome again, nothing done twice, no transcript lines."""
    recovered: bool = False
    """The outcome an earlier attempt of this action_id committed (graph.runner)."""

    def as_dict(self) -> Json:
        """Plain JSON data (stored as a pending action's outcome or an action_id's effect)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Outcome:
        """An outcome stored as JSON (unknown keys ignored)."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known and v is not None})

    def but(self, **changes: Any) -> Outcome:
        """This outcome with some fields changed."""
        return replace(self, **changes)


@dataclass(frozen=True, kw_only=True)
class Execute:
    """The plan passed: `executor` runs it with these checked arguments."""

    kind: Literal["execute"] = "execute"
    """The tag of this verdict."""
    executor: Executor
    """The node that carries it out."""
    fields: Mapping[str, Any] = field(default_factory=dict)
    """Well-formed ticket fields (create_ticket, resume_draft)."""
    draft_id: str | None = None
    """The draft to fill (resume_draft)."""
    tool: str | None = None
    """The ticket tool to run (ticket_tool)."""
    args: Mapping[str, Any] = field(default_factory=dict)
    """Its validated arguments (ticket_tool)."""
    ticket: Json | None = None
    """The ticket row just checked, for a read answered from it (ticket_tool)."""
    pending_action_id: str | None = None
    """The confirmed pending action to carry out (execute_pending, from confirm_gate)."""


@dataclass(frozen=True, kw_only=True)
class _Answered:
    """A verdict that runs no executor: its outcome is the turn's answer, for finalize. Each
    variant's `kind` is its tag (`Verdict` is a union tagged by it)."""

    outcome: Outcome
    """NEED_CONFIRMATION with the pending action (confirm), NEED_MORE_INFO with the missing
    fields (need_more_info), REJECTED with the refusal code (reject), or the OK reply (reply)."""


@dataclass(frozen=True, kw_only=True)
class Confirm(_Answered):
    """A dangerous tool: a pending action was created; the outcome asks the person to confirm."""

    kind: Literal["confirm"] = "confirm"


@dataclass(frozen=True, kw_only=True)
class NeedMoreInfo(_Answered):
    """Something required is missing: the outcome asks for it."""

    kind: Literal["need_more_info"] = "need_more_info"


@dataclass(frozen=True, kw_only=True)
class Reject(_Answered):
    """The plan may not run: the outcome says why (its `reason`)."""

    kind: Literal["reject"] = "reject"


@dataclass(frozen=True, kw_only=True)
class Reply(_Answered):
    """Nothing to run (a chitchat plan): the outcome is the reply."""

    kind: Literal["reply"] = "reply"


Verdict = Execute | Confirm | NeedMoreInfo | Reject | Reply
"""The validator's decision on a plan (confirm_gate's, for a confirmed pending action)."""


@dataclass(frozen=True, kw_only=True)
class AuditEvent:
    """One audit event of this turn; finalize adds trace, actor, version_set and usage."""

    event_type: AuditEventType
    """What happened (AGENT_ROUTE, PLAN_PROPOSED, TICKET_CREATED, ...)."""
    target: str | None = None
    """The object it happened to (a ticket, draft or document id)."""
    result: str | None = None
    """Its result (a route, a status, a refusal code)."""
    payload: Mapping[str, Any] = field(default_factory=dict)
    """Details of the event."""
    latency_ms: float = 0.0
    """How long the step took."""
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    """When it happened (planning events are flushed later by finalize, but happened first)."""

    def row(self, *, trace_id: str, thread_id: str, actor_id: str, version_set: str,
            usage: Mapping[str, Any]) -> Json:
        """This event as an audit_events row."""
        return {"event_type": self.event_type.value, "target": self.target,
                "payload": dict(self.payload), "result": self.result,
                "latency_ms": self.latency_ms, "created_at": self.created_at,
                "trace_id": trace_id, "thread_id": thread_id, "actor_id": actor_id,
                "version_set": version_set, "usage": dict(usage)}

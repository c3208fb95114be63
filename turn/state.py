"""Graph state: a narrow input schema and the full, bounded state the checkpointer keeps."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal, cast

from langchain_core.messages import AnyMessage
from langgraph.channels.untracked_value import UntrackedValue
from langgraph.graph.message import add_messages
from typing_extensions import TypedDict  # pydantic (the graph's JSON schemas) needs it on 3.11

from turn.contract import AuditEvent, Execute, Outcome, Plan, Resolved, Verdict

if TYPE_CHECKING:
    from collections.abc import Mapping

# Scratch of the turn in progress (UntrackedValue): needed while the turn runs, never
# checkpointed (each turn starts by resetting it), so it holds the typed objects of
# turn.contract as they are, and a checkpoint holds only memory, the transcript window, the
# chat messages and result — plain JSON for the checkpointer's serializer.
Scratch = Annotated[dict[str, Any] | None, UntrackedValue(dict)]
MESSAGES_WINDOW = 10  # LangChain messages kept for chat clients (agent-chat-ui, Studio)


def message_window(left: Any, right: Any) -> list[AnyMessage]:
    """add_messages, then keep only the last MESSAGES_WINDOW: the chat view stays bounded."""
    return cast(list[AnyMessage], add_messages(left or [], right))[-MESSAGES_WINDOW:]


class TurnInput(TypedDict, total=False):
    """One turn's input: what the person said and any explicit ids or confirmation."""

    message: str | None
    confirm_token: str | None
    ticket_id: str | None
    draft_id: str | None
    decision: Literal["confirm", "cancel"] | None
    messages: Annotated[list[AnyMessage], message_window]  # chat clients: the last human one is the turn


class Memory(TypedDict, total=False):
    """Short-term memory carried across turns (small and bounded)."""

    ticket_id: str | None
    draft_id: str | None
    pending_action_id: str | None
    pending_tool: str | None
    last_intent: str | None
    recent_ticket_ids: list[str]
    lang: str


class State(TurnInput, total=False):
    """Full state. Per-turn channels (resolved … usage) are reset at the start of every turn."""

    memory: Memory
    transcript: list[dict[str, str]]  # last few lines only; the full transcript is in Postgres
    resolved: Annotated[Resolved | None, UntrackedValue(Resolved)]  # context_restore's
    plan: Annotated[Plan | None, UntrackedValue(Plan)]  # the Plan proposed this turn
    verdict: Annotated[Verdict | None, UntrackedValue(object)]  # the validator's decision
    outcome: Annotated[Outcome | None, UntrackedValue(Outcome)]  # an executor's (or a gate's)
    events: Annotated[list[AuditEvent], UntrackedValue(list)]  # flushed by finalize
    usage: Scratch  # LLM usage of this turn (the LLM gateway adds to it in place)
    result: dict[str, Any] | None  # the unified result of the last turn


def empty_usage() -> dict[str, Any]:
    """Zero LLM usage."""
    return {"llm_calls": 0, "input_tokens": 0, "output_tokens": 0, "cost_usd": 0.0}


MAX_RECENT_TICKETS = 5


def resolved_of(state: Mapping[str, Any]) -> Resolved:
    """This turn's Resolved (an empty one before context_restore has run)."""
    return state.get("resolved") or Resolved()


def plan_of(state: Mapping[str, Any]) -> Plan:
    """This turn's Plan (the planners have run: the graph's order guarantees it)."""
    plan = state.get("plan")
    assert isinstance(plan, Plan), "no plan this turn"
    return plan


def execution_of(state: Mapping[str, Any]) -> Execute:
    """The verdict an executor carries out (the graph routes only an Execute to one)."""
    verdict = state.get("verdict")
    assert isinstance(verdict, Execute), f"not a verdict to execute: {verdict!r}"
    return verdict


def text_of(content: Any) -> str:
    """A message's text: a string, or the text blocks of a content list (agent-chat-ui)."""
    if isinstance(content, str):
        return content
    blocks = content if isinstance(content, list) else []
    return "".join(b if isinstance(b, str) else str(b.get("text") or "") for b in blocks
                   if isinstance(b, str) or (isinstance(b, dict) and b.get("type") == "text"))


def chat_message(state: Any) -> str | None:
    """The turn's message: `message`, else a trailing human message of the chat window."""
    if state.get("message"):
        return str(state["message"])
    messages = state.get("messages") or []
    if messages and getattr(messages[-1], "type", None) == "human":
        return text_of(messages[-1].content) or None
    return None

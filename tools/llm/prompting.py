"""The messages of each LLM call: a static versioned system prompt, then this turn's facts.

Static text first keeps a cacheable prefix; the dynamic part is compact on purpose (ids and
where they came from, memory, a few transcript lines), since every token here is paid per turn.
"""

from __future__ import annotations

import json
from typing import Any

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage

from tools.domain import CATEGORIES, PRIORITIES, Actor
from tools.llm.prompts import fill
from tools.planner.plan import ROUTES, PlanContext
from tools.registry import TICKET_TOOLS

TRANSCRIPT_LINES = 4
LINE_CHARS = 160
PASSAGE_CHARS = 700

_FIELDS = (f"title, description, category ({'|'.join(CATEGORIES)}), "
           f"priority ({'|'.join(PRIORITIES)}, default P3)")
CATALOGUE = "\n".join((
    '- kb_qa: a how-to / knowledge question (VPN, password, Wi-Fi, printer, e-mail…) — {"query"}',
    f"- create_ticket: report a new problem or ask for a ticket — ticket fields: {_FIELDS};"
    " title, description, category are required",
    "- resume_draft: more details for the active draft — only the new ticket fields",
    "- ticket_op: look up, list, comment on, update, escalate, cancel, close, reopen or resolve"
    ' an existing ticket — {"ticket_id"} if known (a sub-planner picks the tool)',
    "- chitchat: greetings, thanks, anything else — {}",
))


def _compact(value: Any, drop: frozenset[str] = frozenset({"title"})) -> Any:
    """Drop schema titles (the names say it) but keep property maps whole."""
    if isinstance(value, list):
        return [_compact(v) for v in value]
    if not isinstance(value, dict):
        return value
    return {k: ({p: _compact(s) for p, s in v.items()} if k == "properties" else _compact(v))
            for k, v in value.items() if not (k in drop and isinstance(v, str))}


def ticket_tool_schemas(actor: Actor) -> list[dict[str, Any]]:
    """OpenAI tool definitions of the ticket tools this actor's role may use, from the registry."""
    tools = []
    for tool in TICKET_TOOLS.values():
        if actor.role in tool.roles:
            schema = tool.json_schema()
            schema["function"]["parameters"] = _compact(
                schema["function"]["parameters"], frozenset({"title", "description"}))
            tools.append(schema)
    return tools


def context_line(context: PlanContext, actor: Actor) -> str:
    """Restored ids and where they came from, the active draft and the actor's role."""
    parts = [f"role={actor.role}"]
    if context.ticket_id:
        parts.append(f"ticket_id={context.ticket_id} (from {context.ticket_source or 'memory'})")
    if context.draft_id:
        parts.append(f"draft_id={context.draft_id} (from {context.draft_source or 'memory'})")
        if context.draft_fields:
            parts.append("draft_fields=" + _json(context.draft_fields))
    if context.last_intent:
        parts.append(f"last_intent={context.last_intent}")
    return "; ".join(parts)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def transcript_lines(transcript: list[dict[str, Any]]) -> str:
    """The last few transcript lines, each cut short."""
    lines = []
    for msg in transcript[-TRANSCRIPT_LINES:]:
        text = " ".join(str(msg.get("content", "")).split())
        lines.append(f"{msg.get('role', 'user')}: {text[:LINE_CHARS]}")
    return "\n".join(lines)


def global_messages(*, text: str, context: PlanContext, memory: dict[str, Any],
                    transcript: list[dict[str, Any]], actor: Actor) -> list[BaseMessage]:
    """System: policy + catalogue. Human: context, memory, recent turns, the message."""
    facts = [f"Context: {context_line(context, actor)}"]
    shown = {"ticket_id": context.ticket_id, "draft_id": context.draft_id,
             "last_intent": context.last_intent}
    if remembered := {k: v for k, v in memory.items()
                      if v not in (None, "", [], {}) and shown.get(k, object()) != v}:
        facts.append(f"Memory: {_json(remembered)}")
    if recent := transcript_lines(transcript):
        facts.append(f"Recent turns:\n{recent}")
    facts.append(f"User: {text}")
    return [SystemMessage(fill("global_planner", catalogue=CATALOGUE)),
            HumanMessage("\n".join(facts))]


def subplanner_messages(*, text: str, context: PlanContext, actor: Actor) -> list[BaseMessage]:
    """The ticket sub-planner sees the request and the ticket context, nothing else."""
    system = fill("ticket_subplanner", context=context_line(context, actor))
    return [SystemMessage(system), HumanMessage(text)]


def passages_block(passages: list[dict[str, Any]]) -> str:
    """Numbered-by-id passages, each cut to a bounded length."""
    blocks = []
    for p in passages:
        body = " ".join(str(p.get("text") or p.get("snippet") or "").split())[:PASSAGE_CHARS]
        blocks.append(f"[{p.get('doc_id')}] {p.get('title', '')}\n{body}")
    return "\n\n".join(blocks) or "(no passages)"


def answer_messages(*, question: str, passages: list[dict[str, Any]]) -> list[BaseMessage]:
    """Grounded answer: the passages in the system prompt, the question as the user turn."""
    return [SystemMessage(fill("kb_answer", passages=passages_block(passages))),
            HumanMessage(question)]


PLAN_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "route": {"type": "string", "enum": list(ROUTES)},
        "tool": {"type": ["string", "null"]},
        "args": {"type": "object"},
        "missing_fields": {"type": "array", "items": {"type": "string"}},
        "need_confirmation": {"type": "boolean"},
        "rationale": {"type": "string"},
    },
    "required": ["route", "args"],
}
PLAN_FORMAT = {"type": "json_schema", "json_schema": {"name": "plan", "schema": PLAN_SCHEMA}}

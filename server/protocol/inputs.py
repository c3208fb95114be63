"""From a protocol run body to the runner's TurnRequest, through the same doors as /agent.

Only what POST /agent accepts gets through (message, explicit ticket/draft ids, a confirm token,
confirm/cancel); state keys (memory, pending-action ids, results), `command.goto` and identity
fields of `context` are dropped and reported, so the caller audits them.
"""

from __future__ import annotations

from typing import Any

from graph.runner import TurnRequest
from server.protocol.schemas import RunCreate
from tools.errors import InvalidInput
from tools.settings import Mode
from turn.state import text_of

_PASSED = ("message", "ticket_id", "draft_id", "confirm_token")
_MODES: tuple[Mode, ...] = ("rules", "llm", "hybrid")
_DECISIONS = {"approve": "confirm", "reject": "cancel", "confirm": "confirm", "cancel": "cancel"}


def turn_request(body: RunCreate, thread_id: str, graph_modes: tuple[str, ...]) -> tuple[TurnRequest, list[str]]:
    """The turn this run asks for, and the names of the fields that were dropped."""
    dropped: list[str] = []
    fields: dict[str, Any] = {}
    if body.input:
        fields |= _values(body.input, "input", dropped)
    if body.command is not None:
        if body.command.update:
            fields |= _values(body.command.update, "command.update", dropped)
        if body.command.goto:
            dropped.append("command.goto")
        if body.command.resume is not None:
            fields |= _resume(body.command.resume)
    context = body.context or {}
    dropped += [f"context.{k}" for k in context if k != "mode"]
    mode = context.get("mode")
    if mode is not None and mode not in _MODES:
        raise InvalidInput("context.mode must be rules, llm or hybrid")
    decision = fields.pop("decision", None)
    req = TurnRequest(thread_id=thread_id, mode=mode, decision=decision, graph_modes=graph_modes,
                      interrupt_before=body.interrupt_before, interrupt_after=body.interrupt_after,
                      **fields)
    return req, dropped


def _values(values: Any, where: str, dropped: list[str]) -> dict[str, Any]:
    if not isinstance(values, dict):
        raise InvalidInput(f"{where} must be an object")
    fields = {k: values[k] for k in _PASSED if values.get(k) is not None}
    if "decision" in values and values["decision"] is not None:
        fields["decision"] = _decision(values["decision"])
    if "messages" in values:
        if (text := _human_text(values["messages"])) is not None:
            fields["message"] = text
    for key in fields.values():
        if not isinstance(key, str):
            raise InvalidInput(f"{where}: fields must be strings")
    dropped += [f"{where}.{k}" for k in values if k not in (*_PASSED, "decision", "messages")]
    return fields


def _human_text(messages: Any) -> str | None:
    items = messages if isinstance(messages, list) else [messages]
    for item in reversed(items):
        if isinstance(item, str):
            return item
        if isinstance(item, dict) and (item.get("type") == "human" or item.get("role") == "user"):
            return text_of(item.get("content"))
    return None


def _resume(resume: Any) -> dict[str, Any]:
    if isinstance(resume, str):
        return {"message": resume}
    if not isinstance(resume, dict):
        raise InvalidInput("command.resume must be an object or a string")
    fields: dict[str, Any] = {k: resume[k] for k in ("confirm_token", "message") if resume.get(k)}
    decisions = resume.get("decisions")
    if isinstance(decisions, list) and decisions and isinstance(decisions[0], dict):
        fields["decision"] = _decision(decisions[0].get("type"))
    elif resume.get("decision") is not None:
        fields["decision"] = _decision(resume["decision"])
    if not fields:
        raise InvalidInput('command.resume needs {"decisions": [{"type": "approve"|"reject"}]} '
                           'or {"decision": "confirm"|"cancel"}')
    return fields


def _decision(value: Any) -> str:
    if value not in _DECISIONS:
        raise InvalidInput("a decision must be approve/reject (or confirm/cancel)")
    return _DECISIONS[value]

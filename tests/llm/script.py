"""Steps the fake OpenAI server plays back: replies, tool calls and faults, one per request."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Step:
    """One scripted answer to one request.

    kind: content | tool_call | error | malformed | cut | delay.
    """

    kind: str
    text: str = ""
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    then: Step | None = None
    chunks_before_cut: int = 2
    usage: dict[str, int] | None = None


Responder = Callable[[dict[str, Any]], Step]


def content(text: str, *, usage: dict[str, int] | None = None) -> Step:
    """Assistant text (streamed in small chunks when the request streams)."""
    return Step("content", text=text, usage=usage)


def plan(obj: dict[str, Any], *, usage: dict[str, int] | None = None) -> Step:
    """A JSON object as the assistant's content (structured output)."""
    return content(json.dumps(obj, ensure_ascii=False), usage=usage)


def tool_call(name: str, args: dict[str, Any] | str, *,
              usage: dict[str, int] | None = None) -> Step:
    """One tool call; `args` as a string sends it verbatim (for broken JSON)."""
    raw = args if isinstance(args, str) else json.dumps(args, ensure_ascii=False)
    call = {"id": "call_1", "type": "function", "function": {"name": name, "arguments": raw}}
    return Step("tool_call", tool_calls=[call], usage=usage)


def http_error(status: int, *, retry_after: str | None = None,
               retry_after_ms: int | None = None) -> Step:
    """An HTTP error response with an OpenAI-style error body."""
    headers: dict[str, str] = {}
    if retry_after is not None:
        headers["retry-after"] = retry_after
    if retry_after_ms is not None:
        headers["retry-after-ms"] = str(retry_after_ms)
    return Step("error", status=status, headers=headers)


def malformed_body() -> Step:
    """A 200 whose body is not JSON at all."""
    return Step("malformed", text="{this is not json")


def cut_stream(text: str, *, after_chunks: int = 2) -> Step:
    """Stream a few chunks of `text`, then drop the connection without finishing."""
    return Step("cut", text=text, chunks_before_cut=after_chunks)


def delay(seconds: float, then: Step | None = None) -> Step:
    """Wait `seconds` before answering with `then` (default: a short text)."""
    return Step("delay", seconds=seconds, then=then or content("late"))

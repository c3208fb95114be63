"""Bytes on the wire as langgraph-api writes them: JSON (orjson), SSE frames, lenient bodies."""

from __future__ import annotations

from typing import Any, TypeVar

import orjson
from fastapi import Request
from pydantic import BaseModel, ValidationError
from starlette.responses import Response

from server.openapi import errors
from tools.errors import InvalidInput

M = TypeVar("M", bound=BaseModel)
HEARTBEAT = b": heartbeat\r\n\r\n"


def _default(value: Any) -> Any:
    if isinstance(value, BaseModel):  # LangChain messages among them
        return value.model_dump()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    return str(value)


def dumps(value: Any) -> bytes:
    """JSON of anything a graph state holds (messages, interrupts, datetimes)."""
    return orjson.dumps(value, default=_default, option=orjson.OPT_NON_STR_KEYS)


def plain(value: Any) -> Any:
    """`value` as plain JSON types (for JSON columns and responses)."""
    return orjson.loads(dumps(value))


def frame(event: str, data: Any, event_id: str | None = None) -> bytes:
    """One SSE frame: `event:`, `data:` and, for resumable streams, `id:` (CRLF, as langgraph-api)."""
    body = data if isinstance(data, bytes) else dumps(data)
    head = b"event: " + event.encode() + b"\r\ndata: " + body + b"\r\n"
    return head + (b"id: " + event_id.encode() + b"\r\n\r\n" if event_id is not None else b"\r\n")


def json_response(value: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """A JSON response serialised with `dumps`."""
    return Response(dumps(value), status_code=status, media_type="application/json", headers=headers)


async def body_of(request: Request, model: type[M]) -> M:
    """The request body as `model`, whatever its content type (Studio posts JSON as text/plain)."""
    raw = await request.body()
    try:
        data = orjson.loads(raw) if raw.strip() else {}
    except orjson.JSONDecodeError as exc:
        raise InvalidInput("the request body is not valid JSON") from exc
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "body"
        raise InvalidInput(f"{where}: {first.get('msg')}") from exc


def documented(*statuses: int, sse: bool = False) -> dict[int | str, dict[str, Any]]:
    """`responses=` of a protocol route: the error body of API.md, and the SSE stream if any."""
    why = ("Server-Sent Events as langgraph-api sends them: `metadata` first (run_id), then "
           "values/updates/messages/custom, `error`.")
    stream: dict[int | str, dict[str, Any]] = {
        200: {"description": why, "content": {"text/event-stream": {"schema": {"type": "string"}}}}}
    return {**(stream if sse else {}), **errors(401, 422, 500, 503, *statuses)}

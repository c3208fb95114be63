"""The SSE events of a streamed turn as typed models, and the one encoder that writes them."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic.json_schema import models_json_schema
from sse_starlette import ServerSentEvent

from graph.result import TurnResult
from server.errors import ErrorBody

_REF = "#/components/schemas/"


class MetadataData(BaseModel):
    """Always the first event: which thread, trace and run this stream is."""

    thread_id: str
    trace_id: str
    run_id: str


class StepData(BaseModel):
    """A graph node finished (node-specific fields may follow)."""

    model_config = ConfigDict(extra="allow")
    node: str


class TokenData(BaseModel):
    """A piece of the reply text."""

    text: str


class InterruptData(BaseModel):
    """The turn stopped for a person to confirm this pending action."""

    pending_action: dict[str, Any]


class EndData(BaseModel):
    """Always the last event."""


DATA_MODELS: dict[str, type[BaseModel]] = {
    "metadata": MetadataData, "step": StepData, "token": TokenData, "interrupt": InterruptData,
    "result": TurnResult, "error": ErrorBody, "end": EndData,
}


def encode(event: str, data: BaseModel | dict[str, Any]) -> ServerSentEvent:
    """The wire form of one event: `event: <name>` and its data model as one JSON line."""
    model = DATA_MODELS[event]
    checked = data if isinstance(data, model) else model.model_validate(data)
    return ServerSentEvent(data=checked.model_dump_json(), event=event)


def _envelope(name: str, model: type[BaseModel]) -> dict[str, Any]:
    # OpenAPI 3.2 style: `data` is a string carrying JSON described by `contentSchema`
    return {
        "type": "object", "title": f"{name.capitalize()}Event", "required": ["event", "data"],
        "description": f"`event: {name}`. {model.__doc__ or ''}".strip(),
        "properties": {
            "event": {"type": "string", "const": name},
            "data": {"type": "string", "contentMediaType": "application/json",
                     "contentSchema": {"$ref": f"{_REF}{model.__name__}"}},
        },
    }


def event_schemas() -> dict[str, Any]:
    """Schemas of every event, their data models, and their union `SseEvent`, for OpenAPI."""
    _, top = models_json_schema([(m, "serialization") for m in DATA_MODELS.values()],
                                ref_template=_REF + "{model}")
    defs: dict[str, Any] = dict(top.get("$defs", {}))
    events = {name: f"{name.capitalize()}Event" for name in DATA_MODELS}
    defs.update({events[n]: _envelope(n, m) for n, m in DATA_MODELS.items()})
    defs["SseEvent"] = {
        "oneOf": [{"$ref": _REF + e} for e in events.values()],
        "discriminator": {"propertyName": "event",
                          "mapping": {n: _REF + e for n, e in events.items()}},
    }
    return defs

"""The SSE events of a streamed turn as typed models, and the one encoder that writes them."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, create_model
from sse_starlette import ServerSentEvent

from graph.result import TurnResult
from server.errors import ErrorBody

EventName = Literal["metadata", "step", "token", "interrupt", "result", "error", "end"]


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


def _envelope(name: str, data: type[BaseModel]) -> type[BaseModel]:
    fields: dict[str, Any] = {"event": (Literal[name], ...), "data": (data, ...)}
    model: type[BaseModel] = create_model(f"{name.capitalize()}Event", **fields)
    model.__doc__ = f"`event: {name}` with its JSON `data`. {data.__doc__ or ''}".strip()
    return model


def event_schemas() -> dict[str, Any]:
    """JSON schemas of every event envelope plus their union `SseEvent`, for the OpenAPI doc."""
    envelopes = tuple(_envelope(name, model) for name, model in DATA_MODELS.items())
    union_type: Any = Annotated[Union[envelopes], Field(discriminator="event")]  # noqa: UP007
    union: TypeAdapter[Any] = TypeAdapter(union_type)
    schema = union.json_schema(ref_template="#/components/schemas/{model}", mode="serialization")
    defs: dict[str, Any] = schema.pop("$defs", {})
    defs["SseEvent"] = schema
    return defs

"""GET /info and the assistants routes: one system assistant, the helpdesk graph."""

from __future__ import annotations

import dataclasses
import logging
from typing import Annotated, Any

import langgraph.version
from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from server.deps import CurrentActor, RuntimeDep
from server.protocol.schemas import AssistantSearch
from server.protocol.shapes import GRAPH_ID, assistant, assistant_id_of
from server.protocol.wire import body_of, documented, json_response
from tools.errors import InvalidInput
from tools.settings import CODE_VERSION
from turn.context import Context

router = APIRouter(tags=["langgraph: assistants"])
log = logging.getLogger("helpdesk.protocol")
_SCHEMAS = {"input_schema": "get_input_jsonschema", "output_schema": "get_output_jsonschema",
            "state_schema": "get_output_jsonschema", "context_schema": "get_context_jsonschema"}


@router.get("/info")
async def info() -> Response:
    """What this server is (Studio and the SDK ask first)."""
    return json_response({"version": CODE_VERSION, "langgraph_py_version": langgraph.version.__version__,
                          "flags": {"assistants": True, "crons": False, "langsmith": False,
                                    "langsmith_tracing_replicas": False},
                          "host": {"kind": "helpdesk", "project_id": None, "host_revision_id": None,
                                   "revision_id": None, "tenant_id": None}})


@router.post("/assistants/search", responses=documented(404, 409))
async def search_assistants(request: Request, actor: CurrentActor) -> Response:
    """The system assistant, if it matches the filters."""
    found = _matching(await body_of(request, AssistantSearch))
    return json_response(found, headers={"X-Pagination-Total": str(len(found))})


def _matching(query: AssistantSearch) -> list[dict[str, Any]]:
    one = assistant()
    matches = (query.graph_id in (None, GRAPH_ID) and query.name in (None, GRAPH_ID)
               and all(one["metadata"].get(k) == v for k, v in query.metadata.items()))
    return [one] if matches and query.offset == 0 else []


@router.get("/ok")
async def ok() -> Response:
    """langgraph-api's liveness route."""
    return json_response({"ok": True})


@router.post("/assistants/count", responses=documented(404, 409))
async def count_assistants(request: Request, actor: CurrentActor) -> Response:
    """1 if the system assistant matches the filters."""
    return json_response(len(_matching(await body_of(request, AssistantSearch))))


@router.post("/assistants/{assistant_id}/versions", responses=documented(404, 409))
async def assistant_versions(assistant_id: str, actor: CurrentActor) -> Response:
    """The system assistant has one version."""
    assistant_id_of(assistant_id)
    return json_response([assistant()])


@router.get("/assistants/{assistant_id}", responses=documented(404))
async def get_assistant(assistant_id: str, actor: CurrentActor) -> Response:
    """The system assistant (by its uuid5 id or by the graph id)."""
    assistant_id_of(assistant_id)
    return json_response(assistant())


@router.get("/assistants/{assistant_id}/graph", responses=documented(404))
async def get_graph(assistant_id: str, actor: CurrentActor, runtime: RuntimeDep,
                    xray: Annotated[str | None, Query()] = None) -> Response:
    """The graph's drawable JSON (nodes and edges), as Studio draws it."""
    assistant_id_of(assistant_id)
    drawable = runtime.runner.graph.get_graph(xray=_xray(xray)).to_json()
    for node in drawable.get("nodes", []):
        if isinstance(data := node.get("data"), dict):
            data.pop("id", None)
    return json_response(drawable)


def _xray(value: str | None) -> bool | int:
    if value in (None, "", "false", "False"):
        return False
    if value in ("true", "True"):
        return True
    try:
        depth = int(value)
    except ValueError:
        depth = 0
    if depth <= 0:
        raise InvalidInput("xray must be true, false or a positive integer")
    return depth


@router.get("/assistants/{assistant_id}/schemas", responses=documented(404))
async def get_schemas(assistant_id: str, actor: CurrentActor, runtime: RuntimeDep) -> Response:
    """JSON schemas of the graph's input, output, state and context."""
    assistant_id_of(assistant_id)
    graph = runtime.runner.graph
    schemas: dict[str, Any] = {"graph_id": GRAPH_ID, "config_schema": None}
    for key, method in _SCHEMAS.items():
        try:
            schemas[key] = getattr(graph, method)()
        except Exception:  # a schema that cannot be drawn is absent, as in langgraph-api
            log.warning("no %s for the graph", key, exc_info=True)
            schemas[key] = None
    schemas["context_schema"] = schemas.get("context_schema") or context_schema()
    return json_response(schemas)


def context_schema() -> dict[str, Any]:
    """The run context a caller may set, from the Context dataclass: only `mode` is honoured
    (identity comes from authentication; services and the trace are the server's)."""
    mode = next(f for f in dataclasses.fields(Context) if f.name == "mode")
    return {"title": "Context", "type": "object", "properties": {
        "mode": {"anyOf": [{"type": "string", "enum": ["rules", "llm", "hybrid"]}, {"type": "null"}],
                 "default": None, "description": mode.metadata["description"]}}}


@router.get("/assistants/{assistant_id}/subgraphs", responses=documented(404))
async def get_subgraphs(assistant_id: str, actor: CurrentActor) -> Response:
    """The helpdesk graph has no subgraphs."""
    assistant_id_of(assistant_id)
    return json_response({})

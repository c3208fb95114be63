"""OpenAPI documentation helpers: error responses per route and the SSE event schemas."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from server.errors import ErrorBody
from server.events import event_schemas

_WHY = {
    400: "Malformed JSON body (INVALID_INPUT)",
    401: "Missing or invalid identity (UNAUTHENTICATED)",
    402: "Daily LLM budget spent (BUDGET_EXHAUSTED)",
    403: "Role not allowed (FORBIDDEN)",
    404: "No such resource, or not the caller's (NOT_FOUND)",
    409: "THREAD_BUSY (retryable) or IDEMPOTENCY_CONFLICT",
    413: "Request body too large (INVALID_INPUT)",
    422: "Invalid request (INVALID_INPUT)",
    429: "Too many requests (QUOTA_EXCEEDED, with Retry-After)",
    500: "Unexpected failure (INTERNAL)",
    503: "Database or model endpoint unreachable (UNAVAILABLE / UPSTREAM_UNAVAILABLE)",
    504: "Model endpoint timed out (UPSTREAM_TIMEOUT)",
}
BASE = (401, 422, 500, 503)
WRITE = (400, 401, 409, 413, 422, 500, 503)
TURN = (*WRITE, 402, 404, 429, 504)


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` entries documenting the error body for these statuses."""
    return {s: {"model": ErrorBody, "description": _WHY[s]} for s in sorted(set(statuses))}


SSE_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "Server-Sent Events: metadata first, then step/token/interrupt, then "
                       "result or error, then end. Each event's data is one JSON object.",
        "content": {"text/event-stream": {"schema": {"$ref": "#/components/schemas/SseEvent"}}},
    },
}


def install_openapi(app: FastAPI) -> None:
    """Generate the document once, adding the SSE event schemas to its components."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            doc = get_openapi(title=app.title, version=app.version, routes=app.routes,
                              description=app.description)
            schemas = doc.setdefault("components", {}).setdefault("schemas", {})
            for name, schema in event_schemas().items():
                schemas.setdefault(name, schema)
            app.openapi_schema = doc
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

"""OpenAPI documentation helpers: error responses per route and the SSE event schemas."""

from __future__ import annotations

from importlib.resources import files
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.staticfiles import StaticFiles
from starlette.responses import HTMLResponse

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


DOCS_ASSETS = "/static-docs"
# Everything from this server: ReDoc's sidebar logo (an image it loads from its CDN) is blocked,
# so the docs make no outside request at all.
DOCS_CSP = "default-src 'self' 'unsafe-inline' data: blob:"


def install_docs(app: FastAPI) -> None:
    """/docs (Swagger UI) and /redoc from the assets fastapi-offline ships: no CDN, no fonts."""
    app.mount(DOCS_ASSETS, StaticFiles(directory=str(files("fastapi_offline") / "static")),
              name="docs-assets")
    headers = {"Content-Security-Policy": DOCS_CSP}

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        page = get_swagger_ui_html(openapi_url="/openapi.json", title=f"{app.title} - Swagger UI",
                                   swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
                                   swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
                                   swagger_favicon_url="/static/icon.svg")
        return HTMLResponse(bytes(page.body), headers=headers)

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        page = get_redoc_html(openapi_url="/openapi.json", title=f"{app.title} - ReDoc",
                              redoc_js_url=f"{DOCS_ASSETS}/redoc.standalone.js",
                              redoc_favicon_url="/static/icon.svg", with_google_fonts=False)
        return HTMLResponse(bytes(page.body), headers=headers)


def install_openapi(app: FastAPI) -> None:
    """Generate the document once, adding the SSE event schemas to its components; serve docs."""
    install_docs(app)

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

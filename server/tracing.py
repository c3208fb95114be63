"""OpenTelemetry for the server (extra `otel`, HELPDESK_OTEL=1): the provider and a span per request.

The exporter is OTLP over HTTP, configured by the standard variables (OTEL_EXPORTER_OTLP_ENDPOINT,
OTEL_EXPORTER_OTLP_HEADERS, OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES, ...). Off, nothing here
runs and opentelemetry's SDK is never imported. Graph nodes, LLM calls and database statement
groups make their own spans through `tools.tracing`; the checkpointer's calls are wrapped here.
"""

from __future__ import annotations

import functools
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tools import tracing
from tools.settings import Settings

_SAVER_CALLS = ("aget_tuple", "aput", "aput_writes")


def setup(settings: Settings, provider: Any = None) -> bool:
    """Install the tracer when tracing is on (or a `provider` is given); True if installed."""
    if provider is None:
        if not settings.tracing or tracing.enabled():
            return tracing.enabled()
        provider = _otlp_provider()
    tracing.install(provider.get_tracer("helpdesk"))
    return True


def _otlp_provider() -> Any:
    from opentelemetry import trace
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    provider = TracerProvider(resource=Resource.create({"service.name": "helpdesk"}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    return provider


def instrument_saver(saver: Any) -> Any:
    """Wrap the checkpointer's load/save calls in spans (statement groups of their own)."""
    if not tracing.enabled():
        return saver
    for name in _SAVER_CALLS:
        method = getattr(saver, name)

        @functools.wraps(method)
        async def traced(*args: Any, _name: str = name, _method: Any = method, **kwargs: Any) -> Any:
            with tracing.span(f"db checkpoint.{_name}", **{"db.system": "postgresql"}):
                return await _method(*args, **kwargs)

        setattr(saver, name, traced)
    return saver


def _route(scope: Scope) -> str:
    path = getattr(scope.get("route"), "path", None)
    return path if isinstance(path, str) else "<unmatched>"


class TraceMiddleware:
    """A server span per HTTP request, continuing a caller's `traceparent`, with our trace id."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve the request inside its span."""
        if scope["type"] != "http" or not tracing.enabled():
            await self.app(scope, receive, send)
            return
        from opentelemetry import propagate, trace

        carrier = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers", ())}
        token = tracing.attach(propagate.extract(carrier))
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            with tracing.span(f"HTTP {scope['method']}", **{
                    "http.request.method": scope["method"], "url.path": scope.get("path"),
                    "helpdesk.trace_id": scope.get("state", {}).get("trace_id"),
            }) as span:
                tracing.bind(trace_id=scope.get("state", {}).get("trace_id"))
                await self.app(scope, receive, send_status)
                span.update_name(f"{scope['method']} {_route(scope)}")
                span.set_attributes({"http.route": _route(scope), "http.response.status_code": status})
                if status >= 500:
                    span.set_status(trace.Status(trace.StatusCode.ERROR))
        finally:
            tracing.detach(token)

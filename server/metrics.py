"""Prometheus metrics of the HTTP layer (process-wide, on the default registry)."""

from __future__ import annotations

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from starlette.responses import Response

_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

HTTP_REQUESTS = Counter(
    "helpdesk_http_requests_total", "HTTP requests served", ["method", "route", "status"])
HTTP_LATENCY = Histogram(
    "helpdesk_http_request_duration_seconds", "Time to serve a request (whole stream for SSE)",
    ["method", "route"], buckets=_BUCKETS)
HTTP_IN_FLIGHT = Gauge("helpdesk_http_requests_in_flight", "Requests being served")
TURNS = Counter("helpdesk_turns_total", "Agent turns by outcome", ["status", "mode_used"])
TURN_ERRORS = Counter("helpdesk_turn_errors_total", "Agent turns that failed", ["code"])
SSE_FIRST_EVENT = Histogram(
    "helpdesk_sse_first_event_seconds", "Time from request to the first SSE event",
    buckets=_BUCKETS)
IDEMPOTENT_REPLAYS = Counter("helpdesk_idempotent_replays_total", "Responses replayed by action_id")


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    """Count one finished request."""
    HTTP_REQUESTS.labels(method, route, str(status)).inc()
    HTTP_LATENCY.labels(method, route).observe(seconds)


def metrics_response() -> Response:
    """The Prometheus text exposition of the default registry."""
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)

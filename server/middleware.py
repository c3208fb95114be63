"""The outermost layer of every request: trace id, access log, metrics, last-resort errors."""

from __future__ import annotations

import logging
import re
import time
import uuid

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.errors import Failure, error_response, failure_of
from server.logs import TRACE_ID
from server.metrics import HTTP_IN_FLIGHT, observe_request
from tools.errors import ErrorCode

log = logging.getLogger("helpdesk.http")
_TRACE_RE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
MAX_BODY_BYTES = 1 << 20  # the largest legal body (a 100k-character article) fits well within
_TOO_LARGE = Failure(ErrorCode.INVALID_INPUT, f"request body over {MAX_BODY_BYTES} bytes", 413)


class BodyTooLarge(Exception):
    """A chunked body grew past the limit (FastAPI reports it as an unparsable body)."""


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None


def _limited(receive: Receive) -> Receive:
    seen = 0

    async def receive_limited() -> Message:
        nonlocal seen
        message = await receive()
        seen += len(message.get("body", b""))
        if seen > MAX_BODY_BYTES:
            raise BodyTooLarge
        return message

    return receive_limited


def _trace_id(scope: Scope) -> str:
    """A caller's well-formed X-Trace-Id is kept (correlation); otherwise a fresh one."""
    for name, value in scope.get("headers", ()):
        if name == b"x-trace-id" and _TRACE_RE.match(text := str(value.decode("latin-1"))):
            return text
    return uuid.uuid4().hex


def _route(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else "<unmatched>"


def _recover_after(scope: Scope, status: int) -> None:
    runtime = getattr(getattr(scope.get("app"), "state", None), "runtime", None)
    if status == 503 and runtime is not None:
        runtime.recover_soon()


class _Exchange:
    """The `send` of one request: stamps `X-Trace-Id`, remembers the status and the start."""

    def __init__(self, send: Send, trace_id: str) -> None:
        self.send, self.trace_id = send, trace_id
        self.status, self.started, self.began = 500, False, time.perf_counter()

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status, self.started = message["status"], True
            MutableHeaders(scope=message).append("X-Trace-Id", self.trace_id)
        await self.send(message)


class ObserveMiddleware:
    """Give each request a trace id (state + `X-Trace-Id` header), log it, count it.

    Exceptions no handler claimed end here as INTERNAL/UNAVAILABLE bodies, never tracebacks.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one request inside its trace."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        trace_id = _trace_id(scope)
        scope.setdefault("state", {})["trace_id"] = trace_id
        token, exchange = TRACE_ID.set(trace_id), _Exchange(send, trace_id)
        HTTP_IN_FLIGHT.inc()
        try:
            await self._serve(scope, receive, exchange)
        finally:
            HTTP_IN_FLIGHT.dec()
            _recover_after(scope, exchange.status)
            self._record(scope, exchange.status, time.perf_counter() - exchange.began)
            TRACE_ID.reset(token)

    async def _serve(self, scope: Scope, receive: Receive, exchange: _Exchange) -> None:
        try:
            if (_content_length(scope) or 0) > MAX_BODY_BYTES:
                await error_response(_TOO_LARGE, exchange.trace_id)(scope, receive, exchange)
            else:
                await self.app(scope, _limited(receive), exchange)
        except Exception as exc:
            log.error("unhandled error", exc_info=exc, extra={"route": _route(scope)})
            if not exchange.started:
                response = error_response(failure_of(exc), exchange.trace_id)
                await response(scope, receive, exchange)

    @staticmethod
    def _record(scope: Scope, status: int, seconds: float) -> None:
        route = _route(scope)
        observe_request(scope["method"], route, status, seconds)
        log.info("request", extra={
            "method": scope["method"], "route": route, "path": scope.get("path"),
            "status": status, "latency_ms": round(seconds * 1000, 2),
            "actor": scope["state"].get("actor"),
        })

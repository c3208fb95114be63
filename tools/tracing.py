"""Optional OpenTelemetry spans, at no cost when off (the default).

Nothing here imports opentelemetry: `server.tracing` installs a tracer when HELPDESK_OTEL is on,
and until then `span()` hands back one shared no-op context manager. Every span carries the ids
bound for the work in progress (`bind()`): our `helpdesk.trace_id` and `helpdesk.thread_id`.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from contextvars import ContextVar
from typing import Any

_NOOP: AbstractContextManager[Any] = nullcontext()
_IDS: ContextVar[dict[str, str]] = ContextVar("helpdesk_span_ids", default={})  # noqa: B039 - never mutated
_tracer: Any = None


def install(tracer: Any) -> None:
    """Start (a tracer) or stop (None) making spans."""
    global _tracer
    _tracer = tracer


def enabled() -> bool:
    """True when spans are being made."""
    return _tracer is not None


def bind(**ids: str | None) -> None:
    """Attach these ids (trace_id=, thread_id=) to every span from here on in this context,
    and to the span in progress (the request's)."""
    if _tracer is None:
        return
    fresh = {f"helpdesk.{k}": v for k, v in ids.items() if v}
    _IDS.set({**_IDS.get(), **fresh})
    from opentelemetry import trace

    trace.get_current_span().set_attributes(fresh)


def span(name: str, **attributes: Any) -> AbstractContextManager[Any]:
    """A span named `name` around a block (current for the block's own spans); a no-op when off."""
    if _tracer is None:
        return _NOOP
    merged = {**_IDS.get(), **{k: v for k, v in attributes.items() if v is not None}}
    return _tracer.start_as_current_span(name, attributes=merged)  # type: ignore[no-any-return]


def attach(context: Any) -> Any:
    """Make an extracted (remote parent) context current; the token for `detach`."""
    from opentelemetry import context as otel_context

    return otel_context.attach(context)


def detach(token: Any) -> None:
    """Undo `attach`."""
    from opentelemetry import context as otel_context

    otel_context.detach(token)

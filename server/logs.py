"""Structured JSON logs: one object a line, with the trace id of the request being served."""

from __future__ import annotations

import json
import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

TRACE_ID: ContextVar[str | None] = ContextVar("helpdesk_trace_id", default=None)
_FIELDS = ("trace_id", "actor", "method", "route", "path", "status", "latency_ms", "nodes",
           "thread_id", "event", "version_set", "host", "port", "mode")


class JsonFormatter(logging.Formatter):
    """Format a record as one JSON object with the known context fields it carries."""

    def format(self, record: logging.LogRecord) -> str:
        """The JSON line for `record`."""
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        if (trace := TRACE_ID.get()) is not None:
            entry["trace_id"] = trace
        entry.update({k: v for k in _FIELDS if (v := record.__dict__.get(k)) is not None})
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(level: str = "INFO") -> None:
    """Send every logger (ours, uvicorn's) to stderr as JSON lines."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").disabled = True  # our middleware logs each request

"""Structured JSON logs: one object a line, with the trace id of the request being served.

Every line passes through `mask()`: passwords in URLs and conninfo strings, bearer tokens, JWTs,
API keys and the configured secrets never reach a log, whatever logged them.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

TRACE_ID: ContextVar[str | None] = ContextVar("helpdesk_trace_id", default=None)
_FIELDS = ("trace_id", "actor", "method", "route", "path", "status", "latency_ms", "nodes",
           "thread_id", "event", "version_set", "host", "port", "mode", "fix")
MASK = "***"
_PATTERNS = (
    # scheme://user:password@host -> scheme://user:***@host
    (re.compile(r"(?P<keep>[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]*:)[^@\s/]+(?=@)"), rf"\g<keep>{MASK}"),
    # password=..., api_key: ..., "token": "..." (conninfo, query strings, reprs)
    (re.compile(r"(?P<keep>(?i:password|passwd|pwd|secret|api[_-]?key|token|access[_-]?key)"
                r"[\"']?\s*[=:]\s*[\"']?)[^\s\"'&,;}]+"), rf"\g<keep>{MASK}"),
    (re.compile(r"(?P<keep>(?i:bearer)\s+)[A-Za-z0-9._~+/=-]+"), rf"\g<keep>{MASK}"),
    (re.compile(r"\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*"), MASK),  # a JWT
    (re.compile(r"\bsk-[A-Za-z0-9_-]{8,}"), MASK),  # OpenAI-style keys
)
_secrets: list[str] = []


def add_secrets(*values: str | None) -> None:
    """Mask these exact values (configured keys and secrets) in every line from now on."""
    for value in values:
        if value and len(value) >= 4 and value not in _secrets:
            _secrets.append(value)


def mask(text: str) -> str:
    """`text` with secrets replaced by ***."""
    for secret in _secrets:
        text = text.replace(secret, MASK)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


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
        masked = {k: mask(v) if isinstance(v, str) else v for k, v in entry.items()}
        return json.dumps(masked, ensure_ascii=False, default=lambda v: mask(str(v)))


def configure_logging(level: str = "INFO") -> None:
    """Send every logger (ours, uvicorn's) to stderr as JSON lines."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper() if level.upper() in logging.getLevelNamesMapping() else "INFO")
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").disabled = True  # our middleware logs each request

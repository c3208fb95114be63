"""The error taxonomy of API.md as data: codes, and small exceptions that carry them.

Business outcomes (ticket not found, invalid transition…) are results, not these errors.
`server/` maps `HelpdeskError` to HTTP in one handler; nothing below it knows about HTTP.
"""

from __future__ import annotations

from enum import StrEnum

import psycopg
from sqlalchemy import exc as sa_exc


class ErrorCode(StrEnum):
    """Machine codes of API.md "Errors"."""

    INVALID_INPUT = "INVALID_INPUT"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    THREAD_BUSY = "THREAD_BUSY"
    IDEMPOTENCY_CONFLICT = "IDEMPOTENCY_CONFLICT"
    BUDGET_EXHAUSTED = "BUDGET_EXHAUSTED"
    QUOTA_EXCEEDED = "QUOTA_EXCEEDED"
    UPSTREAM_TIMEOUT = "UPSTREAM_TIMEOUT"
    UPSTREAM_UNAVAILABLE = "UPSTREAM_UNAVAILABLE"
    UNAVAILABLE = "UNAVAILABLE"
    INTERNAL = "INTERNAL"


# code -> (HTTP status, retryable)
HTTP_OF: dict[ErrorCode, tuple[int, bool]] = {
    ErrorCode.INVALID_INPUT: (422, False),
    ErrorCode.UNAUTHENTICATED: (401, False),
    ErrorCode.FORBIDDEN: (403, False),
    ErrorCode.NOT_FOUND: (404, False),
    ErrorCode.THREAD_BUSY: (409, True),
    ErrorCode.IDEMPOTENCY_CONFLICT: (409, False),
    ErrorCode.BUDGET_EXHAUSTED: (402, False),
    ErrorCode.QUOTA_EXCEEDED: (429, True),
    ErrorCode.UPSTREAM_TIMEOUT: (504, True),
    ErrorCode.UPSTREAM_UNAVAILABLE: (503, True),
    ErrorCode.UNAVAILABLE: (503, True),
    ErrorCode.INTERNAL: (500, True),
}


class HelpdeskError(Exception):
    """An error a client should see: a code from the taxonomy and a message for people."""

    code: ErrorCode = ErrorCode.INTERNAL
    default_retry_after: float | None = None
    """Seconds a client should wait before retrying, when the raiser does not say."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after if retry_after is not None else self.default_retry_after


class InvalidInput(HelpdeskError):
    """The request is malformed or its values are out of range."""

    code = ErrorCode.INVALID_INPUT


class NotFound(HelpdeskError):
    """No such resource, or not the caller's (ids never leak through 403)."""

    code = ErrorCode.NOT_FOUND


class Forbidden(HelpdeskError):
    """Authenticated, but the role may not do this."""

    code = ErrorCode.FORBIDDEN


class Unauthenticated(HelpdeskError):
    """No valid identity."""

    code = ErrorCode.UNAUTHENTICATED


class ThreadBusy(HelpdeskError):
    """Another run holds this thread; retry shortly."""

    code = ErrorCode.THREAD_BUSY
    default_retry_after = 1.0


class IdempotencyConflict(HelpdeskError):
    """The action_id was used before with a different request body."""

    code = ErrorCode.IDEMPOTENCY_CONFLICT


class BudgetExhausted(HelpdeskError):
    """The user's daily LLM token budget is spent (llm mode)."""

    code = ErrorCode.BUDGET_EXHAUSTED


class QuotaExceeded(HelpdeskError):
    """Too many requests; `retry_after` seconds says when to come back."""

    code = ErrorCode.QUOTA_EXCEEDED
    default_retry_after = 1.0


class UpstreamTimeout(HelpdeskError):
    """The model endpoint did not answer in time (llm mode)."""

    code = ErrorCode.UPSTREAM_TIMEOUT


class UpstreamUnavailable(HelpdeskError):
    """No model is configured, or the model endpoint is failing (llm mode)."""

    code = ErrorCode.UPSTREAM_UNAVAILABLE


class Unavailable(HelpdeskError):
    """The database is unreachable."""

    code = ErrorCode.UNAVAILABLE
    default_retry_after = 1.0


DATABASE_DOWN: tuple[type[Exception], ...] = (
    psycopg.OperationalError,  # also the pool's PoolTimeout and PoolClosed
    psycopg.InterfaceError,
    sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError,
    OSError, TimeoutError,  # the socket itself: refused, reset, timed out
)
"""What "the database is unreachable" looks like from below: the one list the runner and the
HTTP error handlers classify by (both answer `Unavailable`, 503, retryable)."""


def database_down(exc: BaseException) -> bool:
    """True when `exc` means the database cannot be reached (not a business or SQL error)."""
    return isinstance(exc, DATABASE_DOWN)


DATABASE_UNREACHABLE = "the database is unreachable; retry shortly"


class db_errors:
    """Turns a lost database connection into `Unavailable`; any other error passes through."""

    async def __aenter__(self) -> None:
        return None

    async def __aexit__(self, kind: object, exc: BaseException | None, tb: object) -> bool:
        if exc is not None and not isinstance(exc, HelpdeskError) and database_down(exc):
            raise Unavailable(DATABASE_UNREACHABLE, retry_after=1) from exc
        return False

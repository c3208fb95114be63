"""Every failure becomes the API.md error body: one classifier, one set of handlers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from tools.errors import DATABASE_DOWN, DATABASE_UNREACHABLE, HTTP_OF, ErrorCode, HelpdeskError, database_down

_CODE_OF_STATUS = {401: ErrorCode.UNAUTHENTICATED, 403: ErrorCode.FORBIDDEN,
                   404: ErrorCode.NOT_FOUND, 429: ErrorCode.QUOTA_EXCEEDED}


class ErrorDetail(BaseModel):
    """What went wrong, whether retrying may help, and the trace to quote."""

    code: ErrorCode = Field(description="machine code from the error taxonomy")
    message: str = Field(description="text for people")
    retryable: bool = Field(description="true when the same request may succeed later")
    trace_id: str = Field(description="trace id of the failed request")


class ErrorBody(BaseModel):
    """The body of every error response (and of the SSE `error` event)."""

    error: ErrorDetail


@dataclass(frozen=True, slots=True)
class Failure:
    """A classified failure: its code, message and HTTP status."""

    code: ErrorCode
    message: str
    status: int
    retry_after: float | None = None

    @property
    def retryable(self) -> bool:
        """Retryable per the taxonomy."""
        return HTTP_OF[self.code][1]

    def body(self, trace_id: str) -> dict[str, Any]:
        """The error body for this failure."""
        detail = ErrorDetail(code=self.code, message=self.message, retryable=self.retryable,
                             trace_id=trace_id)
        return ErrorBody(error=detail).model_dump(mode="json")


def failure_of(exc: BaseException) -> Failure:
    """Classify any exception; unknown ones are INTERNAL and never leak their text."""
    if isinstance(exc, HelpdeskError):
        return Failure(exc.code, exc.message, HTTP_OF[exc.code][0], exc.retry_after)
    if database_down(exc):
        return Failure(ErrorCode.UNAVAILABLE, DATABASE_UNREACHABLE, 503, 1)
    return Failure(ErrorCode.INTERNAL, "internal error; quote the trace_id when reporting it", 500)


def trace_id_of(request: Request) -> str:
    """The trace id the middleware gave this request."""
    return str(getattr(request.state, "trace_id", "") or "-")


def error_response(failure: Failure, trace_id: str) -> JSONResponse:
    """A JSON response carrying the failure (Retry-After / WWW-Authenticate when they apply)."""
    headers = {}
    if failure.retry_after is not None:
        headers["Retry-After"] = str(max(1, round(failure.retry_after)))
    if failure.code is ErrorCode.UNAUTHENTICATED:
        headers["WWW-Authenticate"] = "Bearer"
    return JSONResponse(failure.body(trace_id), status_code=failure.status, headers=headers)


def _validation_failure(exc: RequestValidationError) -> Failure:
    errors = list(exc.errors())
    if any(e.get("type") == "json_invalid" for e in errors):
        return Failure(ErrorCode.INVALID_INPUT, "the request body is not valid JSON", 400)
    parts = [_describe(e) for e in errors[:3]]
    return Failure(ErrorCode.INVALID_INPUT, "; ".join(parts) or "invalid request", 422)


def _describe(error: Any) -> str:
    where = ".".join(str(p) for p in error.get("loc", ()) if p != "body") or "body"
    message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
    return f"{where}: {message}"


def _http_failure(exc: StarletteHTTPException) -> Failure:
    if exc.status_code >= 500:
        return Failure(ErrorCode.INTERNAL, "internal error", exc.status_code)
    code = _CODE_OF_STATUS.get(exc.status_code, ErrorCode.INVALID_INPUT)
    return Failure(code, str(exc.detail), exc.status_code)


async def _on_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return error_response(_validation_failure(exc), trace_id_of(request))


async def _on_http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    return error_response(_http_failure(exc), trace_id_of(request))


async def _on_known(request: Request, exc: Exception) -> JSONResponse:
    return error_response(failure_of(exc), trace_id_of(request))


def install_error_handlers(app: FastAPI) -> None:
    """Map validation, HTTP, domain and database errors; the middleware catches the rest."""
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    known: tuple[type[Exception], ...] = (HelpdeskError, *DATABASE_DOWN)
    for exc_type in known:
        app.add_exception_handler(exc_type, _on_known)

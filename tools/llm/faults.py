"""Map what the OpenAI client raised to an `LlmFailure`, and how long to wait before a retry."""

from __future__ import annotations

import json
import random
import time
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
import openai

from tools.llm.failure import LlmFailure


def classify(exc: BaseException) -> LlmFailure:
    """The failure kind of an exception raised by a ChatOpenAI call."""
    if isinstance(exc, LlmFailure):
        return exc
    if isinstance(exc, openai.APITimeoutError | httpx.TimeoutException | TimeoutError):
        return LlmFailure("timeout", "the model endpoint did not answer in time")
    if isinstance(exc, openai.RateLimitError):
        return LlmFailure("rate_limited", "429 from the model endpoint",
                          retry_after=retry_after_s(exc.response))
    if isinstance(exc, openai.APIStatusError):
        status = exc.status_code
        return LlmFailure("upstream", f"HTTP {status} from the model endpoint",
                          retryable=status >= 500)
    if isinstance(exc, openai.APIConnectionError | httpx.TransportError | ConnectionError):
        return LlmFailure("connection", "cannot reach the model endpoint")
    if isinstance(exc, json.JSONDecodeError | openai.APIResponseValidationError
                  | openai.LengthFinishReasonError | ValueError):
        return LlmFailure("malformed", f"unusable response: {type(exc).__name__}")
    return LlmFailure("upstream", f"{type(exc).__name__}: {exc}", retryable=False)


def retry_after_s(response: Any) -> float | None:
    """Seconds the server asked us to wait (`retry-after-ms`, then `retry-after`), if any."""
    headers = getattr(response, "headers", None) or {}
    if (ms := headers.get("retry-after-ms")) is not None:
        try:
            return max(0.0, float(ms) / 1000)
        except ValueError:
            pass
    raw = headers.get("retry-after")
    if raw is None:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(raw).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def backoff_s(attempt: int, *, base: float, cap: float) -> float:
    """Exponential backoff with jitter: base·2^attempt, scaled by a random 50–100 %."""
    return float(min(cap, base * 2**attempt) * (0.5 + random.random() / 2))

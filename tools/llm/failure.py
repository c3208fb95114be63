"""`LlmFailure`: why an LLM call gave no usable answer, as data the caller can branch on."""

from __future__ import annotations

from typing import Literal

FailureKind = Literal[
    "timeout",
    "rate_limited",
    "upstream",
    "connection",
    "malformed",
    "hallucinated_tool",
    "breaker_open",
    "over_cap",
    "budget",
]

# The endpoint itself misbehaved: these are retried and they count towards the breaker.
TRANSPORT_KINDS: frozenset[str] = frozenset({"timeout", "rate_limited", "upstream", "connection"})


class LlmFailure(Exception):
    """An LLM call failed; `kind` says how, `retryable` whether trying again may help."""

    def __init__(self, kind: FailureKind, message: str = "", *, retryable: bool | None = None,
                 retry_after: float | None = None) -> None:
        super().__init__(f"{kind}: {message}" if message else kind)
        self.kind: FailureKind = kind
        self.message = message or kind
        self.retryable = kind in TRANSPORT_KINDS if retryable is None else retryable
        self.retry_after = retry_after

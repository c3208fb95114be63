"""`LlmFailure`: why an LLM call gave no usable answer, as data the caller can branch on."""

from __future__ import annotations

from typing import Literal

from tools.errors import BudgetExhausted, HelpdeskError, UpstreamTimeout, UpstreamUnavailable

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
                 retry_after: float | None = None, tool: str | None = None) -> None:
        super().__init__(f"{kind}: {message}" if message else kind)
        self.kind: FailureKind = kind
        self.message = message or kind
        self.retryable = kind in TRANSPORT_KINDS if retryable is None else retryable
        self.retry_after = retry_after
        self.tool = tool  # the unknown tool name of a hallucinated_tool failure


def as_error(failure: LlmFailure) -> HelpdeskError | None:
    """In llm mode (no rules fallback): the taxonomy error a failure becomes, or None when the
    failure is about the plan itself (the turn is then a REJECTED result, not an HTTP error)."""
    if failure.kind == "budget":
        return BudgetExhausted("the daily LLM token budget is spent; try again tomorrow or use "
                               "mode=rules / hybrid")
    if failure.kind == "timeout":
        return UpstreamTimeout("the model endpoint did not answer in time; retry shortly")
    if failure.kind in ("connection", "upstream", "rate_limited", "breaker_open"):
        return UpstreamUnavailable(f"the model endpoint is failing ({failure.kind}); retry "
                                   "shortly or use mode=hybrid", retry_after=failure.retry_after)
    return None

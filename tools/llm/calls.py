"""One guarded LLM call: caps → breaker → budget → request with bounded retries → accounting."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from langchain_core.messages import AIMessage

from tools.domain import Actor
from tools.llm import metrics
from tools.llm.breaker import CircuitBreaker
from tools.llm.budget import DailyBudget, Reservation
from tools.llm.failure import TRANSPORT_KINDS, LlmFailure
from tools.llm.faults import backoff_s, classify
from tools.llm.tokens import estimate_tokens
from tools.llm.usage import add_tokens, check_caps, cost_usd
from tools.settings import Settings

Attempt = Callable[[], Awaitable[AIMessage]]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how long to retry a failed request."""

    retries: int
    backoff_s: float = 0.5
    max_backoff_s: float = 8.0
    max_wait_s: float = 10.0  # a Retry-After longer than this fails fast: a person is waiting

    def wait_s(self, failure: LlmFailure, attempt: int) -> float | None:
        """Seconds before the next try, or None when we should not wait that long."""
        if failure.retry_after is not None:
            return failure.retry_after if failure.retry_after <= self.max_wait_s else None
        return backoff_s(attempt, base=self.backoff_s, cap=self.max_backoff_s)


class Caller:
    """Applies the cost guards, the breaker and the retry policy around one request."""

    def __init__(self, settings: Settings, budget: DailyBudget, breaker: CircuitBreaker,
                 policy: RetryPolicy, sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep):
        self.settings = settings
        self.budget = budget
        self.breaker = breaker
        self.policy = policy
        self.sleep = sleep

    async def call(self, attempt: Attempt, *, actor: Actor, usage: dict[str, Any],
                   estimate: int, max_out: int) -> AIMessage:
        """Run `attempt` under every guard; update `usage` in place; raise `LlmFailure`."""
        s = self.settings
        check_caps(usage, max_calls=s.llm_max_calls_per_request,
                   max_tokens=s.llm_max_tokens_per_request, estimate=estimate)
        self.breaker.before_call()
        try:
            held = await self.budget.reserve(actor.user_id, estimate + max_out)
        except BaseException:
            self.breaker.release()
            raise
        usage["llm_calls"] += 1
        return await self._settled(attempt, held, usage, estimate)

    async def _settled(self, attempt: Attempt, held: Reservation, usage: dict[str, Any],
                       estimate: int) -> AIMessage:
        try:
            message = await self.with_retries(attempt)
        except LlmFailure as failure:
            self._judge(failure)
            await self.budget.settle(held, used=0, cost=0.0)
            raise
        except BaseException:  # cancelled: neither a success nor an endpoint failure
            self.breaker.release()
            raise
        self.breaker.success()
        inp, out = tokens_of(message, estimate)
        cost = cost_usd(self.settings.model_prices, self.settings.openai_model or "", inp, out)
        add_tokens(usage, inp=inp, out=out, cost=cost)
        metrics.LLM_TOKENS.labels("input").inc(inp)
        metrics.LLM_TOKENS.labels("output").inc(out)
        metrics.LLM_COST.inc(cost)
        await self.budget.settle(held, used=inp + out, cost=cost)
        return message

    def _judge(self, failure: LlmFailure) -> None:
        if failure.kind in TRANSPORT_KINDS:
            self.breaker.failure()
        else:
            self.breaker.success()  # the endpoint answered; the answer was unusable

    async def with_retries(self, attempt: Attempt) -> AIMessage:
        """Try, and on a retryable failure wait (Retry-After or backoff) and try again."""
        for n in range(self.policy.retries + 1):
            try:
                return await attempt()
            except Exception as exc:  # every client error becomes an LlmFailure
                failure = classify(exc)
                wait = self.policy.wait_s(failure, n) if failure.retryable else None
                if wait is None or n == self.policy.retries:
                    raise failure from exc
                metrics.LLM_RETRIES.labels(failure.kind).inc()
                await self.sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover


def tokens_of(message: AIMessage, estimate: int) -> tuple[int, int]:
    """(input, output) tokens from the response's usage, estimated when the endpoint sent none."""
    meta = message.usage_metadata
    if meta:
        return int(meta.get("input_tokens", 0)), int(meta.get("output_tokens", 0))
    text = message.content if isinstance(message.content, str) else str(message.content)
    return estimate, estimate_tokens(text) + estimate_tokens(str(message.tool_calls or ""))

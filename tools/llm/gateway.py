"""`LlmGateway`: the three LLM calls of the graph (global plan, ticket tool, grounded answer)."""

from __future__ import annotations

import inspect
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_openai import ChatOpenAI

from tools import tracing
from tools.db.engine import Database
from tools.domain import Actor
from tools.llm import metrics, prompting
from tools.llm.breaker import CircuitBreaker
from tools.llm.budget import DailyBudget
from tools.llm.calls import Caller, RetryPolicy
from tools.llm.failure import LlmFailure
from tools.llm.faults import classify
from tools.llm.parsing import plan_from_json, plan_from_tool_call, text_of
from tools.llm.tokens import estimate_messages
from tools.planner.plan import Plan, PlanContext
from tools.settings import Settings

OnToken = Callable[[str], Awaitable[None] | None]
MAX_OUT = {"plan_global": 400, "plan_ticket_tool": 300, "answer_grounded": 700}


class LlmGateway:
    """One per process: the chat model, the cost guards and the circuit breaker."""

    def __init__(self, settings: Settings, db: Database, *, policy: RetryPolicy | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.settings = settings
        self.model = settings.openai_model or ""
        self.chat = ChatOpenAI(
            model=self.model, base_url=settings.openai_base_url,
            api_key=settings.openai_api_key or "unused",  # type: ignore[arg-type]
            timeout=settings.llm_timeout_s, max_retries=0,  # retries are ours (RetryPolicy)
            stream_usage=True, temperature=0,
        )
        self.breaker = CircuitBreaker(failures=settings.breaker_failures,
                                      cooldown_s=settings.breaker_cooldown_s, clock=clock)
        self.caller = Caller(settings, DailyBudget(db, daily_tokens=settings.daily_token_budget),
                             self.breaker, policy or RetryPolicy(retries=settings.llm_max_retries))
        metrics.BREAKER_STATE.labels(self.model).set_function(
            lambda: metrics.STATE_VALUE[self.breaker.state])

    async def plan_global(self, *, text: str, context: PlanContext, memory: dict[str, Any],
                          transcript: list[dict[str, Any]], actor: Actor,
                          usage: dict[str, Any]) -> Plan:
        """One structured-output call (json_schema response format) → a Plan, source="llm"."""
        messages = prompting.global_messages(text=text, context=context, memory=memory,
                                             transcript=transcript, actor=actor)
        fmt = prompting.PLAN_FORMAT
        async with _outcome("plan_global"):
            reply = await self._invoke("plan_global", messages, actor, usage, [json.dumps(fmt)],
                                       response_format=fmt)
            return plan_from_json(reply)

    async def plan_ticket_tool(self, *, text: str, context: PlanContext, actor: Actor,
                               usage: dict[str, Any]) -> Plan:
        """Tool calling over the registry's ticket tools only → Plan(route="ticket_op")."""
        messages = prompting.subplanner_messages(text=text, context=context, actor=actor)
        tools = prompting.ticket_tool_schemas(actor)
        async with _outcome("plan_ticket_tool"):
            reply = await self._invoke("plan_ticket_tool", messages, actor, usage,
                                       [json.dumps(tools)], tools=tools, tool_choice="required")
            return plan_from_tool_call(reply)

    async def answer_grounded(self, *, question: str, passages: list[dict[str, Any]],
                              actor: Actor | None = None, usage: dict[str, Any],
                              on_token: OnToken) -> str:
        """Stream an answer written from `passages` only, calling `on_token` per chunk."""
        messages = prompting.answer_messages(question=question, passages=passages)
        who = actor or Actor("anonymous")

        async def attempt() -> AIMessage:
            return await _streamed(self.chat.astream(messages, max_tokens=MAX_OUT[
                "answer_grounded"]), on_token)

        async with _outcome("answer_grounded"):
            reply = await self.caller.call(attempt, actor=who, usage=usage,
                                           estimate=_estimate(messages),
                                           max_out=MAX_OUT["answer_grounded"])
            if not (answer := text_of(reply).strip()):
                raise LlmFailure("malformed", "the model returned an empty answer")
            return answer

    async def _invoke(self, op: str, messages: list[BaseMessage], actor: Actor,
                      usage: dict[str, Any], extra: list[str], **kwargs: Any) -> AIMessage:
        async def attempt() -> AIMessage:
            return await self.chat.ainvoke(messages, max_tokens=MAX_OUT[op], **kwargs)

        return await self.caller.call(attempt, actor=actor, usage=usage,
                                      estimate=_estimate(messages, extra), max_out=MAX_OUT[op])

    def status(self) -> dict[str, Any]:
        """Breaker state and model, for /readyz detail and /metrics."""
        return {"model": self.model, "breaker": self.breaker.state,
                "failures": self.breaker.failures, "cooldown_s": self.breaker.cooldown_s}


def _estimate(messages: list[BaseMessage], extra: list[str] | None = None) -> int:
    return estimate_messages([str(m.content) for m in messages] + (extra or []))


async def _streamed(chunks: AsyncIterator[AIMessageChunk], on_token: OnToken) -> AIMessage:
    """Collect a stream, passing text on; a break after the first token is not retried."""
    total: AIMessageChunk | None = None
    try:
        async for chunk in chunks:
            total = chunk if total is None else total + chunk
            if piece := text_of(chunk):
                if inspect.isawaitable(sent := on_token(piece)):
                    await sent
    except Exception as exc:
        failure = classify(exc)
        if total is not None and text_of(total):
            raise LlmFailure(failure.kind, "the stream broke half-way", retryable=False) from exc
        raise
    return AIMessage(content=text_of(total) if total else "",
                     usage_metadata=total.usage_metadata if total else None)


@asynccontextmanager
async def _outcome(op: str) -> AsyncIterator[None]:
    """Count the call by outcome: ok, or the failure kind (and trace it, when tracing is on)."""
    try:
        with tracing.span(f"llm {op}", **{"gen_ai.operation.name": op}):
            yield
    except LlmFailure as failure:
        metrics.LLM_CALLS.labels(op, failure.kind).inc()
        raise
    metrics.LLM_CALLS.labels(op, "ok").inc()

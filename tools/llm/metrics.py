"""Prometheus metrics of the LLM layer (default registry, served by the server at /metrics)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

LLM_CALLS = Counter(
    "helpdesk_llm_calls", "LLM calls by operation and outcome (ok or the failure kind)",
    ["op", "outcome"],
)
LLM_RETRIES = Counter("helpdesk_llm_retries", "LLM request retries by failure kind", ["kind"])
LLM_TOKENS = Counter("helpdesk_llm_tokens", "LLM tokens by direction", ["direction"])
LLM_COST = Counter("helpdesk_llm_cost_usd", "Estimated LLM cost in USD")
BREAKER_STATE = Gauge(
    "helpdesk_llm_breaker_state", "LLM circuit breaker: 0 closed, 1 half-open, 2 open", ["model"],
)
STATE_VALUE = {"closed": 0, "half_open": 1, "open": 2}

"""Per-turn usage ({"llm_calls","input_tokens","output_tokens","cost_usd"}), caps and cost."""

from __future__ import annotations

from typing import Any

from tools.llm.failure import LlmFailure


def new_usage() -> dict[str, Any]:
    """An empty usage record for one turn."""
    return {"llm_calls": 0, "input_tokens": 0, "output_tokens": 0, "cost_usd": 0.0}


def _ensure(usage: dict[str, Any]) -> None:
    for key, zero in new_usage().items():
        usage.setdefault(key, zero)


def check_caps(usage: dict[str, Any], *, max_calls: int, max_tokens: int, estimate: int) -> None:
    """Raise `over_cap` if one more call of about `estimate` tokens would pass a per-turn cap."""
    _ensure(usage)
    if usage["llm_calls"] >= max_calls:
        raise LlmFailure("over_cap", f"at most {max_calls} LLM calls per request")
    used = usage["input_tokens"] + usage["output_tokens"]
    if used + estimate > max_tokens:
        raise LlmFailure("over_cap", f"at most {max_tokens} LLM tokens per request")


def cost_usd(prices: dict[str, tuple[float, float]], model: str, inp: int, out: int) -> float:
    """Estimated cost from the per-model price table (USD per 1M tokens; unknown model: 0)."""
    price_in, price_out = prices.get(model, (0.0, 0.0))
    return (inp * price_in + out * price_out) / 1_000_000


def add_tokens(usage: dict[str, Any], *, inp: int, out: int, cost: float) -> None:
    """Add one call's tokens and cost to the turn's usage (in place)."""
    _ensure(usage)
    usage["input_tokens"] += inp
    usage["output_tokens"] += out
    usage["cost_usd"] = round(usage["cost_usd"] + cost, 8)

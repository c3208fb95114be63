"""The per-user daily token budget, kept in Postgres (llm_usage_daily).

Tokens are reserved before a call with one conditional upsert (so concurrent requests cannot
all pass the check and overspend together), then settled to what the call really used.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from tools.db.engine import Database
from tools.llm.failure import LlmFailure

_RESERVE = """
    INSERT INTO llm_usage_daily AS u (user_id, day, tokens, cost_usd, calls)
    VALUES (%(user_id)s, %(day)s, %(tokens)s, 0, 0)
    ON CONFLICT (user_id, day) DO UPDATE SET tokens = u.tokens + EXCLUDED.tokens
    WHERE u.tokens < %(budget)s
    RETURNING u.tokens
"""
_SETTLE = """
    UPDATE llm_usage_daily SET tokens = GREATEST(tokens + %(delta)s, 0),
        cost_usd = cost_usd + %(cost)s, calls = calls + %(calls)s
    WHERE user_id = %(user_id)s AND day = %(day)s
"""
_SPENT = "SELECT tokens FROM llm_usage_daily WHERE user_id = %(user_id)s AND day = %(day)s"


@dataclass(frozen=True, slots=True)
class Reservation:
    """Tokens held for one call on one UTC day."""

    user_id: str
    day: date
    tokens: int


def utc_today() -> date:
    """The budget day (UTC)."""
    return datetime.now(UTC).date()


class DailyBudget:
    """Check-and-reserve before a call, settle after it."""

    def __init__(self, db: Database, *, daily_tokens: int) -> None:
        self.db = db
        self.daily_tokens = daily_tokens

    async def reserve(self, user_id: str, tokens: int) -> Reservation:
        """Hold `tokens` for a call, or raise `budget` when today's budget is spent."""
        day = utc_today()
        if self.daily_tokens <= 0:
            raise LlmFailure("budget", "no daily LLM token budget")
        params = {"user_id": user_id, "day": day, "tokens": tokens, "budget": self.daily_tokens}
        async with self.db.connection() as conn:
            row = await (await conn.execute(_RESERVE, params)).fetchone()
        if row is None:
            raise LlmFailure("budget", f"daily LLM token budget of {self.daily_tokens} is spent")
        return Reservation(user_id, day, tokens)

    async def settle(self, held: Reservation, *, used: int, cost: float, calls: int = 1) -> None:
        """Replace the held tokens by the tokens really used, and add the cost."""
        params = {"user_id": held.user_id, "day": held.day, "delta": used - held.tokens,
                  "cost": cost, "calls": calls}
        async with self.db.connection() as conn:
            await conn.execute(_SETTLE, params)

    async def spent(self, user_id: str, day: date | None = None) -> int:
        """Tokens counted against `user_id` on `day` (default today)."""
        params = {"user_id": user_id, "day": day or utc_today()}
        async with self.db.connection() as conn:
            row = await (await conn.execute(_SPENT, params)).fetchone()
        return int(row["tokens"] if row else 0)

"""A circuit breaker: after N consecutive endpoint failures, skip the LLM for a cool-down.

closed → (N failures) → open → (cool-down elapsed) → half_open: one probe call goes through;
its success closes the breaker, its failure opens it again for another cool-down.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Literal

from tools.llm.failure import LlmFailure

BreakerState = Literal["closed", "open", "half_open"]


class CircuitBreaker:
    """Per-process breaker state (one per gateway)."""

    def __init__(self, *, failures: int, cooldown_s: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.threshold = max(1, failures)
        self.cooldown_s = cooldown_s
        self.clock = clock
        self.failures = 0
        self.opened_at: float | None = None
        self.probing = False

    @property
    def state(self) -> BreakerState:
        """closed, open, or half_open once the cool-down has elapsed."""
        if self.opened_at is None:
            return "closed"
        if self.clock() - self.opened_at >= self.cooldown_s:
            return "half_open"
        return "open"

    def before_call(self) -> None:
        """Let a call through, or raise `breaker_open` (a half-open breaker admits one probe)."""
        state = self.state
        if state == "closed":
            return
        if state == "half_open" and not self.probing:
            self.probing = True
            return
        raise LlmFailure("breaker_open", "the LLM is skipped for a cool-down after failures")

    def release(self) -> None:
        """A call admitted by `before_call` did not reach the endpoint after all."""
        self.probing = False

    def success(self) -> None:
        """The endpoint answered: close."""
        self.failures, self.opened_at, self.probing = 0, None, False

    def failure(self) -> None:
        """The endpoint failed (after our retries): count, and open at the threshold."""
        self.failures += 1
        if self.probing or self.failures >= self.threshold:
            self.opened_at = self.clock()
        self.probing = False

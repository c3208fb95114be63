"""Fixtures of the LLM tests: one fake OpenAI server per module, gateways built against it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.llm.fake_openai import FakeOpenAI
from tools.db.engine import Database
from tools.llm import LlmGateway
from tools.llm.calls import RetryPolicy
from tools.settings import Settings

MODEL = "gpt-4o-mini"


@pytest.fixture(scope="module")
def fake_server() -> Iterator[FakeOpenAI]:
    """The module's server (started once)."""
    server = FakeOpenAI().start()
    yield server
    server.stop()


@pytest.fixture
def fake(fake_server: FakeOpenAI) -> Iterator[FakeOpenAI]:
    """The server with an empty script and no recorded requests (restarted if a test stopped it)."""
    fake_server.reset()
    if fake_server._server is None:
        fake_server.start()
    yield fake_server
    fake_server.reset()


def llm_settings(base_url: str, **overrides: Any) -> Settings:
    """Settings for a fast test: short timeout, few retries, no .env."""
    values: dict[str, Any] = {
        "openai_base_url": base_url, "openai_api_key": "test-key", "openai_model": MODEL,
        "llm_timeout_s": 0.5, "llm_max_retries": 2, "breaker_failures": 3,
        "breaker_cooldown_s": 30.0, "daily_token_budget": 1_000_000,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


class Clock:
    """A clock the breaker reads; tests move it forward instead of sleeping."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


GatewayFactory = Callable[..., LlmGateway]


@pytest.fixture
def make_gateway(fake: FakeOpenAI, database: Database) -> GatewayFactory:
    """Build a gateway on the fake server; keyword overrides go to Settings."""

    def build(*, clock: Callable[[], float] | None = None, backoff_s: float = 0.01,
              **overrides: Any) -> LlmGateway:
        settings = llm_settings(fake.base_url, **overrides)
        policy = RetryPolicy(retries=settings.llm_max_retries, backoff_s=backoff_s,
                             max_wait_s=3.0)
        kwargs = {"clock": clock} if clock else {}
        return LlmGateway(settings, database, policy=policy, **kwargs)

    return build

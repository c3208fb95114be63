"""Builders for tests: settings, services + checkpointer + graph + runner on a real database."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from checkpoints.saver import open_checkpointer
from graph.graph import build_graph
from graph.runner import Runner, TurnRequest
from graph.views import ThreadViews
from tools.domain import Actor
from tools.settings import Settings
from turn.services import Services, open_services


def make_settings(**overrides: Any) -> Settings:
    """Settings isolated from the environment and any .env file."""
    values: dict[str, Any] = {"mode": "rules", "openai_model": None, "auth_jwt_secret": None}
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def actor(role: str = "requester", department: str = "IT", user_id: str | None = None) -> Actor:
    """A fresh user (unique id unless given)."""
    return Actor(user_id or f"u-{uuid.uuid4().hex[:8]}", department, role)  # type: ignore[arg-type]


@dataclass
class Stack:
    """A whole in-process helpdesk: services, graph with the Postgres saver, runner."""

    services: Services
    graph: Any
    runner: Runner
    views: ThreadViews

    async def turn(self, who: Actor, message: str | None = None, **fields: Any) -> Any:
        """Run one turn and return the TurnResult."""
        req = TurnRequest(message=message, **fields)
        return await self.runner.run(req, who, trace_id=uuid.uuid4().hex)


@asynccontextmanager
async def open_stack(db_url: str, **overrides: Any) -> AsyncIterator[Stack]:
    """Open a Stack on `db_url` and close it afterwards."""
    services = open_services(make_settings(**overrides), db_url, pool_size=5)
    try:
        saver = await open_checkpointer(services.db)
        graph = build_graph(checkpointer=saver)
        yield Stack(services, graph, Runner(services, graph), ThreadViews(services, graph))
    finally:
        await services.close()

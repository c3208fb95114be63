"""The `langgraph dev` entry (langgraph.json): the helpdesk graph and a lifespan for its services.

Nodes of a run without injected services use `default_services()`. The lifespan opens them once,
at start-up and off the event loop (the embedded Postgres when there is no DATABASE_URL, the
migrations, the sample KB), and closes them when the server stops: the Postgres it started stops
with it. Nothing blocks inside a node, so runs need no `--allow-blocking`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette

from graph.graph import build_graph
from turn.services import close_default_services, default_services

graph = build_graph()


@asynccontextmanager
async def lifespan(_app: Starlette) -> AsyncIterator[None]:
    """Open the default services before the first run; close them (and Postgres) at shutdown."""
    await default_services()
    try:
        yield
    finally:
        await close_default_services()


app = Starlette(lifespan=lifespan)

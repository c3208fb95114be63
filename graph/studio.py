"""The `langgraph dev` entry (langgraph.json): the helpdesk graph and a lifespan for its services.

Studio runs bring no run context, so no services: the lifespan opens the process's own once,
at start-up and off the event loop (the embedded Postgres when there is no DATABASE_URL, the
migrations, the sample KB), installs them for runs without services (turn.services.install),
and closes them when the server stops: the Postgres it started stops with it. Nodes never open
infrastructure, so nothing blocks inside a node and runs need no `--allow-blocking`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette

from graph.graph import build_graph
from tools.settings import Settings, get_settings
from turn import services as process
from turn.services import Services, open_services

graph = build_graph()

_default: Services | None = None
_default_lock = asyncio.Lock()
_embedded: Any = None  # the embedded Postgres default_services() started, if any


async def default_services() -> Services:
    """Services from the environment, for runs with no injected services (Studio, scripts).

    Opened once per process, off the event loop (`langgraph dev` forbids blocking calls in a
    node): the embedded Postgres if no DATABASE_URL (stopped when the process exits), the
    migrations, and the sample KB if the KB is empty. Installed as the process's services.
    """
    global _default
    async with _default_lock:
        if _default is None:
            from tools.db.migrations import migrate

            settings = await asyncio.to_thread(get_settings)
            url = settings.database_url or await asyncio.to_thread(_embedded_url, settings)
            services = await asyncio.to_thread(open_services, settings, str(url))
            await migrate(services.db.engine)
            if services.kb is not None:
                await services.kb.load_sample_if_empty()
            _default = services
            process.install(services)
    return _default


def _embedded_url(settings: Settings) -> str:
    global _embedded
    from checkpoints import embedded

    _embedded = embedded.start(settings.data_dir)
    return embedded.uri(_embedded)


async def close_default_services() -> None:
    """Close the default services and stop the embedded Postgres they started (off the loop)."""
    global _default, _embedded
    async with _default_lock:
        services, server, _default, _embedded = _default, _embedded, None, None
        process.install(None)
        if services is not None:
            await services.close()
        if server is not None:
            await asyncio.to_thread(server.cleanup)


@asynccontextmanager
async def lifespan(_app: Starlette) -> AsyncIterator[None]:
    """Open the default services before the first run; close them (and Postgres) at shutdown."""
    await default_services()
    try:
        yield
    finally:
        await close_default_services()


app = Starlette(lifespan=lifespan)

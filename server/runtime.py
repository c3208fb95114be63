"""What a serving process holds open: database, checkpointer pool, services and the runner."""

from __future__ import annotations

import asyncio
import logging
import time
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from checkpoints import embedded
from tools import retention
from tools.crud import idempotency
from tools.db.engine import Database
from tools.db.migrations import migrate
from tools.settings import Settings

if TYPE_CHECKING:  # the graph stack is imported when a runtime opens, not by every server import
    from graph.runner import Runner
    from graph.views import ThreadViews
    from turn.services import Services

log = logging.getLogger("helpdesk.runtime")


@dataclass
class Runtime:
    """The open resources of one server process; `close()` releases all of them."""

    settings: Settings
    services: Services
    runner: Runner
    views: ThreadViews
    stack: AsyncExitStack
    background: set[asyncio.Task[Any]] = field(default_factory=set)
    chores: asyncio.Task[None] | None = None
    _last_recovery: float = 0.0

    @property
    def db(self) -> Database:
        """The services' database."""
        return self.services.db

    def spawn(self, coro: Any) -> asyncio.Task[Any]:
        """Run `coro` past the request that started it (kept referenced until done)."""
        task = asyncio.create_task(coro)
        self.background.add(task)
        task.add_done_callback(self.background.discard)
        return task

    def recover_soon(self) -> None:
        """After a database failure, drop the pooled connections that died with it (once a second).

        The psycopg pool (the domain's and the checkpointer's) keeps dead connections until
        checked, so a turn after an outage would fail once per connection.
        """
        if time.monotonic() - self._last_recovery >= 1.0:
            self._last_recovery = time.monotonic()
            self.spawn(self._check_pool())

    async def _check_pool(self) -> None:
        try:
            await self.db.check()
        except Exception:
            log.warning("pool check failed", exc_info=True)

    async def purge_idempotency_keys(self) -> None:
        """Forget idempotency keys past their retention (API.md keeps them at least 24 h)."""
        try:
            async with self.db.connection() as conn:
                await idempotency.purge_expired(conn, self.settings.idempotency_retention_s)
        except Exception:
            log.warning("could not purge idempotency keys", exc_info=True)

    async def sweep(self) -> None:
        """One retention sweep (tools.retention), unless another replica is sweeping."""
        try:
            await retention.sweep(self.db, self.settings)
        except Exception:
            log.warning("retention sweep failed", exc_info=True)

    async def housekeeping(self) -> None:
        """Periodic chores until cancelled (on close): the retention sweep, or (retention off)
        only the idempotency keys API.md lets go."""
        while True:
            await (self.sweep() if self.settings.retention else self.purge_idempotency_keys())
            await asyncio.sleep(self.settings.sweep_every_s)

    async def close(self, grace_s: float = 10.0) -> None:
        """Let background runs finish (bounded), then close everything in reverse order."""
        if self.chores is not None:
            self.chores.cancel()
            await asyncio.gather(self.chores, return_exceptions=True)
        if self.background:
            await asyncio.wait(set(self.background), timeout=grace_s)
        await self.stack.aclose()


def database_url(settings: Settings, stack: AsyncExitStack) -> str:
    """DATABASE_URL, or the embedded Postgres under the data directory (stopped on close)."""
    if settings.database_url:
        return settings.database_url
    server = embedded.start(settings.data_dir)
    stack.callback(server.cleanup)
    log.info("using the embedded Postgres", extra={"path": str(settings.data_dir)})
    return embedded.uri(server)


async def migrate_url(url: str) -> None:
    """Apply pending migrations on `url`."""
    db = Database.connect(url, pool_size=1)
    try:
        await migrate(db.engine)
    finally:
        await db.close()


async def load_sample_kb(services: Services) -> None:
    """Load the sample KB into an empty knowledge base; a failure is logged, not fatal."""
    if services.kb is None:
        return
    try:
        await services.kb.load_sample_if_empty()
    except Exception:
        log.exception("could not load the sample knowledge base")


async def open_runtime(settings: Settings) -> Runtime:
    """Open everything a server process needs, in order; nothing is left open on failure."""
    from checkpoints.saver import open_checkpointer
    from graph.graph import build_graph
    from graph.runner import Runner
    from graph.views import ThreadViews
    from server.tracing import instrument_saver
    from turn.services import open_services

    async with AsyncExitStack() as stack:
        url = await asyncio.to_thread(database_url, settings, stack)
        await migrate_url(url)
        services = open_services(settings, url)
        stack.push_async_callback(services.close)
        saver = instrument_saver(await open_checkpointer(services.db,
                                                         memory=settings.checkpoint_memory))
        await load_sample_kb(services)
        await retention.publish_limits(services.db, settings)
        graph = build_graph(checkpointer=saver)
        runner, views = Runner(services, graph), ThreadViews(services, graph)
        runtime = Runtime(settings, services, runner, views, stack.pop_all())
        runtime.chores = asyncio.create_task(runtime.housekeeping())
        return runtime
    raise AssertionError("unreachable")  # pragma: no cover

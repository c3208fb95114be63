"""The database: one psycopg pool for the domain and the checkpointer alike.

Every statement of a turn, of a route and of the checkpointer runs on psycopg through
`Database.pool` (a round trip costs ~0.1 ms there against ~0.5 ms through SQLAlchemy's async
layer). SQLAlchemy stays where a library needs it: the migrations run through an engine, and the
knowledge base's vector store (langchain_postgres.PGVector) takes nothing else (`Database.engine`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from psycopg import AsyncConnection as PgConnection
from psycopg import sql
from psycopg.rows import DictRow, dict_row
from psycopg_pool import AsyncConnectionPool
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from tools import tracing


def sqlalchemy_url(url: str) -> str:
    """`postgresql://…` → `postgresql+psycopg://…` (psycopg 3, async-capable)."""
    for prefix in ("postgresql+psycopg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    raise ValueError(f"not a Postgres URL: {url!r} (expected postgresql://…)")


def libpq_url(url: str) -> str:
    """The plain libpq form of a URL, for psycopg."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


POOL_WAIT_S = 0.5
"""How long a statement waits for a pooled psycopg connection before failing (a retryable
503 UNAVAILABLE). With psycopg_pool's default (30 s) a request hangs during an outage; at 2 s
a request still hung 2-6 s. Statements hold a connection for milliseconds, so a healthy pool
hands one out far sooner than this."""

POOL_OPTIONS: dict[str, Any] = {
    "timeout": POOL_WAIT_S, "reconnect_timeout": 0,
    "kwargs": {"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row},
}
"""psycopg_pool settings of the pool: autocommit with dict rows (what the checkpointer, which
shares the pool, requires), statements prepared on first use. A failed connect is given up at
once (`reconnect_timeout` 0) and the next request that needs a connection tries afresh: the
pool's own retries back off from 1 s, and a request just after an outage waited behind them."""

Query = str | sql.SQL | sql.Composed
"""SQL text with %(name)s placeholders, or a query composed with psycopg.sql."""

Conn = PgConnection[DictRow]
"""A psycopg connection from `Database.connection()` or `.transaction()`: rows as dicts."""


async def fetch_one(conn: Conn, query: Query, params: Mapping[str, Any] | None = None) -> dict[str, Any] | None:
    """The first row of `query` as a dict, or None."""
    async with conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(query, params)
        return await cur.fetchone()


async def fetch_all(conn: Conn, query: Query, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """Every row of `query` as dicts."""
    async with conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(query, params)
        return await cur.fetchall()


async def execute(conn: Conn, query: Query, params: Mapping[str, Any] | None = None) -> int:
    """Run a statement that returns no rows; the number of rows it touched."""
    async with conn.cursor() as cur:
        await cur.execute(query, params)
        return cur.rowcount


@dataclass
class Database:
    """The process's one pool of psycopg connections, for the domain and the checkpointer.

    `connection()`: a connection in autocommit mode, each statement its own commit (reads, and
    single statements). `transaction()`: a unit of work, committed if the block succeeds, rolled
    back if it raises. Hold one at a time: the checkpointer draws from the same pool, so a block
    that waited for a second connection while holding one could starve it.
    """

    url: str
    pool: AsyncConnectionPool[Conn]
    engine_size: int = 1
    _engine: AsyncEngine | None = field(default=None, repr=False)
    _opened: bool = field(default=False, repr=False)

    @classmethod
    def connect(cls, url: str, *, pool_size: int = 10) -> Database:
        """Create the pool (connections open lazily): `2 * pool_size` connections at most, the
        domain's `pool_size` and the checkpointer's `pool_size` of when each had its own."""
        pool: AsyncConnectionPool[Conn] = AsyncConnectionPool(
            libpq_url(url), min_size=1, max_size=2 * pool_size, open=False, **POOL_OPTIONS)
        return cls(libpq_url(url), pool, engine_size=max(1, pool_size // 2))

    async def open(self) -> None:
        """Open the pool now (it opens on first use otherwise)."""
        if not self._opened:
            await self.pool.open()  # idempotent: two first users may both get here
            self._opened = True

    @property
    def engine(self) -> AsyncEngine:
        """An SQLAlchemy engine on the same database, created on first use: for the migrations
        and the knowledge base's PGVector, which need one. Nothing else runs on it."""
        if self._engine is None:
            self._engine = create_async_engine(
                sqlalchemy_url(self.url), pool_size=self.engine_size,
                max_overflow=self.engine_size, pool_pre_ping=False)
        return self._engine

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[Conn]:
        """A pooled connection in autocommit mode: each statement commits by itself."""
        await self.open()
        with tracing.span("db connection", **{"db.system": "postgresql"}):
            async with self.pool.connection() as conn:
                yield conn

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Conn]:
        """One unit of work on a pooled connection: commit if the block succeeds, roll back if
        it raises."""
        await self.open()
        with tracing.span("db transaction", **{"db.system": "postgresql"}):
            async with self.pool.connection() as conn, conn.transaction():
                yield conn

    async def check(self) -> None:
        """Drop pooled connections that died (after the database was unreachable)."""
        if self._opened:
            await self.pool.check()

    async def close(self) -> None:
        """Close every pooled connection."""
        if self._engine is not None:
            await self._engine.dispose()
        if self._opened:
            await self.pool.close()

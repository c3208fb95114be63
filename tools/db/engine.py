"""The async SQLAlchemy engine and session factory for one database URL."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, cast

from psycopg import AsyncConnection as PgConnection
from psycopg import sql
from psycopg.rows import DictRow, dict_row
from psycopg_pool import AsyncConnectionPool
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from tools import tracing


def sqlalchemy_url(url: str) -> str:
    """`postgresql://…` → `postgresql+psycopg://…` (psycopg 3, async-capable)."""
    for prefix in ("postgresql+psycopg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    raise ValueError(f"not a Postgres URL: {url!r} (expected postgresql://…)")


def libpq_url(url: str) -> str:
    """The plain libpq form of a URL, for psycopg and the checkpointer pool."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


POOL_WAIT_S = 0.5
"""How long a statement waits for a pooled psycopg connection before failing (a retryable
503 UNAVAILABLE), and how long the pool keeps retrying a failed connect before it gives up
and lets the next request start afresh. With psycopg_pool's defaults (30 s and 5 min, with
backoff) a request hangs during an outage and the pool stays down for a minute after it; at
2 s a request still hung 2-6 s (one wait per pool it touched). Statements hold a connection for
milliseconds, so a healthy pool hands one out far sooner than this."""

POOL_OPTIONS: dict[str, Any] = {
    "timeout": POOL_WAIT_S, "reconnect_timeout": POOL_WAIT_S,
    "kwargs": {"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row},
}
"""psycopg_pool settings both pools share (this one and the checkpointer's, which the
library requires autocommit with dict rows): statements prepared on first use."""

Query = str | sql.SQL | sql.Composed
"""SQL text with %(name)s placeholders, or a query composed with psycopg.sql."""

Conn = PgConnection[DictRow]
"""A psycopg connection from `Database.connection()`: autocommit, rows as dicts."""

Db = AsyncSession | PgConnection[Any]
"""Where a hot-path CRUD function runs: a psycopg connection, or an ORM session's transaction."""


async def pg(db: Db) -> PgConnection[Any]:
    """The psycopg connection to run SQL on: `db` itself, or the one under an ORM session.

    Statements on a session's driver connection join the session's transaction, so a hot-path
    write and the ORM writes around it still commit or roll back together.
    """
    if isinstance(db, AsyncSession):
        raw = await (await db.connection()).get_raw_connection()
        return cast(PgConnection[Any], raw.driver_connection)
    return db


async def fetch_one(db: Db, query: Query, params: Mapping[str, Any] | None = None) -> dict[str, Any] | None:
    """The first row of `query` as a dict, or None."""
    async with (await pg(db)).cursor(row_factory=dict_row) as cur:
        await cur.execute(query, params)
        return await cur.fetchone()


async def fetch_all(db: Db, query: Query, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """Every row of `query` as dicts."""
    async with (await pg(db)).cursor(row_factory=dict_row) as cur:
        await cur.execute(query, params)
        return await cur.fetchall()


async def execute(db: Db, query: Query, params: Mapping[str, Any] | None = None) -> int:
    """Run a statement that returns no rows; the number of rows it touched."""
    async with (await pg(db)).cursor() as cur:
        await cur.execute(query, params)
        return cur.rowcount


@dataclass
class Database:
    """The ORM engine and session factory, plus a psycopg pool for the per-turn statements.

    `session()` is a unit of work through the ORM. `connection()` is the hot path: the handful
    of statements every turn runs (thread lease, ticket read, the turn's record) go straight to
    psycopg — a round trip costs ~0.1 ms there against ~0.5 ms through SQLAlchemy's async layer,
    and a turn runs five of them.
    """

    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    url: str
    pool: AsyncConnectionPool[Any]
    _opened: bool = field(default=False, repr=False)

    @classmethod
    def connect(cls, url: str, *, pool_size: int = 10) -> Database:
        """Create the engine and the pool (connections open lazily)."""
        # The psycopg pool carries the per-turn statements, the ORM the rest: `pool_size` connections
        # each at most, the same total as before the hot path moved (Postgres allows 100).
        orm = max(1, pool_size // 2)
        engine = create_async_engine(
            sqlalchemy_url(url), pool_size=orm, max_overflow=orm, pool_pre_ping=False
        )
        pool: AsyncConnectionPool[Any] = AsyncConnectionPool(
            libpq_url(url), min_size=1, max_size=pool_size, open=False, **POOL_OPTIONS)
        return cls(engine, async_sessionmaker(engine, expire_on_commit=False), libpq_url(url), pool)

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[Conn]:
        """A pooled psycopg connection in autocommit mode: each statement commits by itself.

        Wrap several statements in `conn.transaction()` to make them one unit.
        """
        if not self._opened:
            await self.pool.open()
            self._opened = True
        with tracing.span("db connection", **{"db.system": "postgresql"}):
            async with self.pool.connection() as conn:
                yield conn

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """One unit of work: commit if the block succeeds, roll back if it raises."""
        with tracing.span("db transaction", **{"db.system": "postgresql"}):
            async with self.sessions() as session, session.begin():
                yield session

    @asynccontextmanager
    async def reader(self) -> AsyncIterator[AsyncSession]:
        """A session for reads only, on an autocommit connection: no BEGIN/COMMIT round trips."""
        with tracing.span("db read", **{"db.system": "postgresql"}):
            async with self.engine.connect() as conn:
                conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
                async with AsyncSession(bind=conn, expire_on_commit=False) as session:
                    yield session

    async def check(self) -> None:
        """Drop pooled psycopg connections that died (after the database was unreachable)."""
        if self._opened:
            await self.pool.check()

    async def close(self) -> None:
        """Dispose of every pooled connection."""
        await self.engine.dispose()
        if self._opened:
            await self.pool.close()

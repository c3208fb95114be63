"""The async SQLAlchemy engine and session factory for one database URL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)


def sqlalchemy_url(url: str) -> str:
    """`postgresql://…` → `postgresql+psycopg://…` (psycopg 3, async-capable)."""
    for prefix in ("postgresql+psycopg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    raise ValueError(f"not a Postgres URL: {url!r} (expected postgresql://…)")


def libpq_url(url: str) -> str:
    """The plain libpq form of a URL, for psycopg and the checkpointer pool."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


@dataclass
class Database:
    """An engine plus its session factory; `session()` yields a session that commits on success."""

    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    url: str

    @classmethod
    def connect(cls, url: str, *, pool_size: int = 10) -> Database:
        """Create the engine (connections open lazily)."""
        engine = create_async_engine(
            sqlalchemy_url(url), pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=False
        )
        return cls(engine, async_sessionmaker(engine, expire_on_commit=False), libpq_url(url))

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """One unit of work: commit if the block succeeds, roll back if it raises."""
        async with self.sessions() as session, session.begin():
            yield session

    @asynccontextmanager
    async def autocommit(self) -> AsyncIterator[AsyncConnection]:
        """A connection where each statement commits by itself: one round trip, no BEGIN/COMMIT.

        Only for single statements that are atomic on their own (the thread lease).
        """
        async with self.engine.connect() as conn:
            yield await conn.execution_options(isolation_level="AUTOCOMMIT")

    @asynccontextmanager
    async def reader(self) -> AsyncIterator[AsyncSession]:
        """A session for reads only, on an autocommit connection: no BEGIN/COMMIT round trips."""
        async with self.autocommit() as conn, AsyncSession(bind=conn, expire_on_commit=False) as session:
            yield session

    async def close(self) -> None:
        """Dispose of every pooled connection."""
        await self.engine.dispose()

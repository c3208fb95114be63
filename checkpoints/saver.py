"""The Postgres checkpointer (langgraph-checkpoint-postgres) on its own psycopg pool."""

from __future__ import annotations

from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from tools.db.engine import libpq_url


async def open_checkpointer(url: str, *, max_size: int = 10) -> tuple[AsyncConnectionPool, AsyncPostgresSaver]:
    """Open a pool, create the checkpoint tables if needed, and return (pool, saver).

    The saver's own `setup()` is its migration list (versioned in `checkpoint_migrations`).
    """
    pool: AsyncConnectionPool = AsyncConnectionPool(
        libpq_url(url), min_size=1, max_size=max_size, open=False,
        kwargs={"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row},
    )
    await pool.open(wait=True)
    saver = AsyncPostgresSaver(pool)  # type: ignore[arg-type]
    await saver.setup()
    return pool, saver

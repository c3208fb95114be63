"""The Postgres checkpointer (langgraph-checkpoint-postgres) on its own psycopg pool."""

from __future__ import annotations

from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from tools.db.engine import libpq_url

# The library's query joins a checkpoint's channel versions to checkpoint_blobs with a plain
# join; Postgres guesses 100 versions and hash-joins against a sequential scan of the blobs,
# so loading a thread's latest checkpoint grew with every blob ever written (1.8 → 6 ms over
# 1,000 turns on one thread, and worse with many threads). A LATERAL lookup per version makes
# it a primary-key probe per channel: constant time. Same columns, same order.
SELECT_SQL = """
select
    thread_id,
    checkpoint,
    checkpoint_ns,
    checkpoint_id,
    parent_checkpoint_id,
    metadata,
    (
        select array_agg(array[bl.channel::bytea, bl.type::bytea, bl.blob])
        from jsonb_each_text(checkpoint -> 'channel_versions') as cv
        cross join lateral (
            select b.channel, b.type, b.blob from checkpoint_blobs b
            where b.thread_id = checkpoints.thread_id
              and b.checkpoint_ns = checkpoints.checkpoint_ns
              and b.channel = cv.key
              and b.version = cv.value
            limit 1  -- unique by primary key; the limit keeps the planner from flattening this
        ) as bl
    ) as channel_values,
    (
        select
        array_agg(array[cw.task_id::text::bytea, cw.channel::bytea, cw.type::bytea, cw.blob, convert_to(cw.task_path, 'UTF8'), cw.idx::text::bytea])
        from checkpoint_writes cw
        where cw.thread_id = checkpoints.thread_id
            and cw.checkpoint_ns = checkpoints.checkpoint_ns
            and cw.checkpoint_id = checkpoints.checkpoint_id
    ) as pending_writes
from checkpoints """  # noqa: E501 - kept line-for-line comparable with the library's


class HelpdeskSaver(AsyncPostgresSaver):
    """AsyncPostgresSaver whose checkpoint load stays constant-time as threads grow."""

    SELECT_SQL = SELECT_SQL


async def open_checkpointer(url: str, *, max_size: int = 10) -> tuple[AsyncConnectionPool, AsyncPostgresSaver]:
    """Open a pool, create the checkpoint tables if needed, and return (pool, saver).

    The saver's own `setup()` is its migration list (versioned in `checkpoint_migrations`).
    """
    pool: AsyncConnectionPool = AsyncConnectionPool(
        libpq_url(url), min_size=1, max_size=max_size, open=False,
        kwargs={"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row},
    )
    await pool.open(wait=True)
    saver = HelpdeskSaver(pool)  # type: ignore[arg-type]
    await saver.setup()
    return pool, saver

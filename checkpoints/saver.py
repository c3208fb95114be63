"""The Postgres checkpointer (langgraph-checkpoint-postgres) on the database's psycopg pool.

The end of a turn is one transaction, committed here with the turn's checkpoint (`aput`):
  1. the runner (graph/runner.py `_drive`) opens the run's TurnWrites with the lease fence
     (tools/crud/threads.py `hold_statement`: fails the commit if the lease was taken over),
     the closing release (`release_statement`, settled=False: for a run that stops early) and,
     for a request with an action_id, the statement storing its response
     (graph/recovery.py `responder` -> tools/crud/idempotency.py `done_statement`);
  2. finalize (nodes/finalize.py) sets the result and queues the turn's audit rows and
     transcript lines (`record_statement`) and the settled release, which replaces the closing;
  3. `aput` runs fence, queued statements, response, closing after the checkpoint's own rows,
     in one pipeline transaction: all of the turn, or none of it;
  4. if that commit never happened, the runner's `_settle` writes what is pending without the
     checkpoint (the thread then is not settled), or at least gives the lease back.
A domain write (ticket, comment, draft, executed action) commits earlier in its node's own
transaction, with its effect recorded for a retry (nodes/create_ticket.py `remember_effect`).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import ChannelVersions, Checkpoint, CheckpointMetadata, CheckpointTuple
from langgraph.checkpoint.base import get_serializable_checkpoint_metadata as _serializable_metadata
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from psycopg import AsyncConnection, AsyncCursor
from psycopg.rows import DictRow, dict_row
from psycopg.types.json import Jsonb
from psycopg_pool import AsyncConnectionPool

from tools import failpoints
from tools.db.engine import Database
from tools.failpoints import Point
from turn.writes import turn_writes

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


_SETUP_LOCK = 72_616_002  # any constant: serialises checkpointer setup across processes


class HelpdeskSaver(AsyncPostgresSaver):
    """AsyncPostgresSaver tuned for many short turns on a pool. Same tables, same data.

    What it changes, and the library method that does it:
    - loading a checkpoint stays constant-time as threads grow (SELECT_SQL above);
    - no saver-wide lock: the library serializes every statement of the process behind one
      asyncio.Lock, which a single shared connection needs; on a pool each call has its own
      connection, and the lock only queued every concurrent run behind the others (`_cursor`);
    - a checkpoint's blobs and row are written in one transaction (one commit, one WAL flush,
      one round trip in pipeline mode) instead of one autocommit per statement (`aput`);
    - (de)serialising a few KB happens inline, not in a worker thread: the hop cost more than
      the work (`aput`, `_load_checkpoint_tuple`);
    - the end of a turn: the statements the run queued in its TurnWrites commit in the
      checkpoint's transaction (`aput`), so a turn's record, its stored response, the lease's
      release and its checkpoint are one commit or none.
    """

    SELECT_SQL = SELECT_SQL

    @asynccontextmanager
    async def _cursor(self, *, pipeline: bool = False) -> AsyncIterator[AsyncCursor[DictRow]]:
        if not isinstance(self.conn, AsyncConnectionPool) or self.pipe is not None:
            async with super()._cursor(pipeline=pipeline) as cur:
                yield cur
            return
        async with self.conn.connection() as conn:
            if pipeline:
                # One transaction without BEGIN/COMMIT: on an autocommit connection, what a
                # pipeline sends before its Sync (sent on exit) commits or fails as one, as in
                # the library's own _cursor.
                async with conn.pipeline(), conn.cursor(binary=True, row_factory=dict_row) as cur:
                    yield cur
            else:
                async with conn.cursor(binary=True, row_factory=dict_row) as cur:
                    yield cur

    async def _load_checkpoint_tuple(self, value: DictRow) -> CheckpointTuple:
        # the library's, with pending writes decoded inline
        thread_id, ns = value["thread_id"], value["checkpoint_ns"]
        parent = value["parent_checkpoint_id"]
        return CheckpointTuple(
            {"configurable": {"thread_id": thread_id, "checkpoint_ns": ns,
                              "checkpoint_id": value["checkpoint_id"]}},
            {**value["checkpoint"],  # type: ignore[typeddict-item]  # the row holds a whole Checkpoint
             "channel_values": {**(value["checkpoint"].get("channel_values") or {}),
                                **self._load_blobs(value["channel_values"])}},
            value["metadata"],
            {"configurable": {"thread_id": thread_id, "checkpoint_ns": ns, "checkpoint_id": parent}}
            if parent else None,
            self._load_writes(value["pending_writes"]),
        )

    async def aput(self, config: RunnableConfig, checkpoint: Checkpoint, metadata: CheckpointMetadata,
                   new_versions: ChannelVersions) -> RunnableConfig:
        """The library's, with blobs serialised inline and written in the same transaction,
        together with the run's queued TurnWrites."""
        configurable = config["configurable"].copy()
        thread_id = configurable.pop("thread_id")
        checkpoint_ns = configurable.pop("checkpoint_ns")
        parent_id = configurable.pop("checkpoint_id", None)
        copy: dict[str, Any] = {**checkpoint, "channel_values": checkpoint["channel_values"].copy()}
        blob_values = {}
        # Primitives stay inline; everything else goes to the blobs, a DeltaChannel's snapshot
        # too. (The library also leaves an inline `true` marker for a snapshot, through a private
        # type; its readers probe the blobs as well, so the marker is not needed to load it.)
        for k, v in checkpoint["channel_values"].items():
            if not (v is None or isinstance(v, (str, int, float, bool))):
                blob_values[k] = copy["channel_values"].pop(k)
        blob_versions = {k: v for k, v in new_versions.items() if k in blob_values}
        dumped = self._dump_blobs(thread_id, checkpoint_ns, blob_values, blob_versions)
        riders = turn_writes(config)
        if riders:
            failpoints.hit(Point.BEFORE_CHECKPOINT)
        async with self._cursor(pipeline=True) as cur:
            if dumped:
                await cur.executemany(self.UPSERT_CHECKPOINT_BLOBS_SQL, dumped)
            await cur.execute(self.UPSERT_CHECKPOINTS_SQL, (
                thread_id, checkpoint_ns, checkpoint["id"], parent_id,
                Jsonb(copy), Jsonb(_serializable_metadata(config, metadata))))
            for query, params in riders.pending() if riders else []:
                await cur.execute(query, params)
        if riders:
            riders.done()
            failpoints.hit(Point.AFTER_CHECKPOINT)
        return {"configurable": {"thread_id": thread_id, "checkpoint_ns": checkpoint_ns,
                                 "checkpoint_id": checkpoint["id"]}}


async def _poll_lock(conn: AsyncConnection[Any], key: int) -> None:
    """Take session advisory lock `key`, asking every 50 ms instead of waiting in a statement."""
    while True:
        row = await (await conn.execute("SELECT pg_try_advisory_lock(%s) AS ok", (key,))).fetchone()
        if row is not None and row["ok"]:  # the pool's rows are dicts
            return
        await asyncio.sleep(0.05)


async def open_checkpointer(db: Database) -> HelpdeskSaver:
    """The checkpointer on the database's pool, its tables created if needed.

    The saver's own `setup()` is its migration list (versioned in `checkpoint_migrations`).
    """
    await db.open()
    saver = HelpdeskSaver(db.pool)
    # The library's setup() is not safe to run twice at once: two workers starting on a new
    # database both try CREATE TABLE checkpoints, and one of them dies. Take turns. Poll for the
    # lock rather than wait in a statement: setup() runs CREATE INDEX CONCURRENTLY, which waits
    # for every open transaction, a blocked pg_advisory_lock() included (a deadlock).
    async with db.connection() as conn:
        await _poll_lock(conn, _SETUP_LOCK)
        try:
            await saver.setup()
        finally:
            await conn.execute("SELECT pg_advisory_unlock(%s)", (_SETUP_LOCK,))
    return saver

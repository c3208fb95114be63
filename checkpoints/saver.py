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
transaction, with its effect recorded for a retry (turn/effects.py `remember_effect`).
"""

from __future__ import annotations

import asyncio
import json
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import ChannelVersions, Checkpoint, CheckpointMetadata, CheckpointTuple
from langgraph.checkpoint.base import get_serializable_checkpoint_metadata as _serializable_metadata
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from prometheus_client import Counter
from psycopg import AsyncConnection
from psycopg.rows import DictRow
from psycopg.types.json import Jsonb

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

RUN_LOADS = Counter("helpdesk_checkpoint_loads", "A run's load of its thread's latest checkpoint, "
                    "by where it came from (memory: the one this process wrote last)", ["source"])

LATEST_CHECKPOINT = "__helpdesk_latest_checkpoint"
"""The `configurable` key under which a run tells the saver the id of its thread's latest
checkpoint, as read from the database when the run took its lease, if that checkpoint has no
pending writes. A checkpoint this process wrote with that id can be served from memory.
(LangGraph copies `configurable` strings into every checkpoint's metadata, but not "__" keys.)"""


@dataclass(frozen=True, slots=True)
class _Written:
    """A checkpoint this process committed, as the database holds it: its row's JSON texts and
    the serialised blob of every channel value kept outside the row. Loading it back
    deserialises these, so each run gets fresh objects, as from the database."""

    checkpoint_id: str
    parent_id: str | None
    checkpoint: str
    metadata: str
    blobs: dict[str, tuple[str, bytes]]


def _as_is(text: str) -> str:
    return text  # a Jsonb dumps() for JSON already serialised


class HelpdeskSaver(AsyncPostgresSaver):
    """AsyncPostgresSaver tuned for many short turns on a pool. Same tables, same data.

    - loading a checkpoint stays constant-time as threads grow (SELECT_SQL above);
    - (not changed: the library's `_cursor`, with its process-wide lock. An override without
      the lock was measured and did not pay: `bench/http_load.py`, 16 clients, 235 and 244
      turns/s without the lock against 268 and 267 with it; 1 client 5.19 / 5.16 against
      5.30 / 5.30 ms p50;)
    - a checkpoint's blobs and row are written in one transaction (one commit, one WAL flush,
      one round trip in pipeline mode) instead of one autocommit per statement;
    - (de)serialising a few KB happens inline, not in a worker thread: the hop cost more than
      the work;
    - statements the run queued in its TurnWrites commit in the checkpoint's transaction;
    - the latest checkpoint this process wrote for a thread is kept (serialised, in a bounded
      LRU) and served to the thread's next run without a query when that run's lease saw the
      same id as the thread's latest checkpoint, with no pending writes (LATEST_CHECKPOINT).
      That read, taken with the lease, is the only check: a turn run by another process, an
      interrupt's writes, anything else written to the thread is never missed, because the
      lease then names another checkpoint, or none, and it is loaded as usual.
    """

    SELECT_SQL = SELECT_SQL

    def __init__(self, conn: Any, *, memory: int = 1024, **kwargs: Any) -> None:
        super().__init__(conn, **kwargs)
        self._written: OrderedDict[str, _Written] = OrderedDict()  # thread id -> its checkpoint
        self._memory = memory  # threads kept; 0 keeps none

    async def aget_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        """The library's, or the checkpoint this process wrote last if the run's lease saw that
        one as the thread's latest."""
        configurable = config["configurable"]
        if LATEST_CHECKPOINT not in configurable:  # not a run of ours: a view, Studio
            return await super().aget_tuple(config)
        latest = configurable[LATEST_CHECKPOINT]
        if latest and not configurable.get("checkpoint_id") and not configurable.get("checkpoint_ns"):
            written = self._written.get(configurable["thread_id"])
            if written is not None and written.checkpoint_id == latest:
                self._written.move_to_end(configurable["thread_id"])
                RUN_LOADS.labels("memory").inc()
                return await self._load_checkpoint_tuple(
                    self._row(configurable["thread_id"], written))
        RUN_LOADS.labels("database").inc()
        return await super().aget_tuple(config)

    @staticmethod
    def _row(thread_id: str, written: _Written) -> dict[str, Any]:
        """The row SELECT_SQL would return for `written` (it has no pending writes)."""
        return {"thread_id": thread_id, "checkpoint_ns": "", "checkpoint_id": written.checkpoint_id,
                "parent_checkpoint_id": written.parent_id,
                "checkpoint": json.loads(written.checkpoint),
                "metadata": json.loads(written.metadata),
                "channel_values": [(k.encode(), t.encode(), blob)
                                   for k, (t, blob) in written.blobs.items()],
                "pending_writes": None}

    def _remember(self, thread_id: str, checkpoint_id: str, parent_id: str | None,
                  checkpoint_json: str, metadata_json: str, blob_values: dict[str, Any],
                  dumped: Sequence[tuple[Any, ...]]) -> None:
        if not self._memory:
            return
        blobs: dict[str, tuple[str, bytes]] = {row[2]: (row[4], row[5]) for row in dumped}
        parent = self._written.get(thread_id)
        for k, v in blob_values.items():  # values this run did not change
            if k not in blobs:
                kept = parent.blobs.get(k) if parent and parent.checkpoint_id == parent_id else None
                blobs[k] = kept or self.serde.dumps_typed(v)
        self._written[thread_id] = _Written(checkpoint_id, parent_id, checkpoint_json,
                                            metadata_json, blobs)
        self._written.move_to_end(thread_id)
        while len(self._written) > self._memory:
            self._written.popitem(last=False)

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
        # serialised here, as psycopg would (json.dumps), so the texts can be kept
        checkpoint_json = json.dumps(copy)
        metadata_json = json.dumps(_serializable_metadata(config, metadata))
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
                Jsonb(checkpoint_json, dumps=_as_is), Jsonb(metadata_json, dumps=_as_is)))
            for query, params in riders.pending() if riders else []:
                await cur.execute(query, params)
        if riders:
            riders.done()
            failpoints.hit(Point.AFTER_CHECKPOINT)
        if checkpoint_ns == "":
            self._remember(thread_id, checkpoint["id"], parent_id, checkpoint_json, metadata_json,
                           blob_values, dumped)
        return {"configurable": {"thread_id": thread_id, "checkpoint_ns": checkpoint_ns,
                                 "checkpoint_id": checkpoint["id"]}}


async def _poll_lock(conn: AsyncConnection[Any], key: int) -> None:
    """Take session advisory lock `key`, asking every 50 ms instead of waiting in a statement."""
    while True:
        row = await (await conn.execute("SELECT pg_try_advisory_lock(%s) AS ok", (key,))).fetchone()
        if row is not None and row["ok"]:  # the pool's rows are dicts
            return
        await asyncio.sleep(0.05)


async def open_checkpointer(db: Database, *, memory: int = 1024) -> HelpdeskSaver:
    """The checkpointer on the database's pool, its tables created if needed.

    `memory`: how many threads' latest checkpoints the saver keeps to serve their next turn.

    The saver's own `setup()` is its migration list (versioned in `checkpoint_migrations`).
    """
    await db.open()
    saver = HelpdeskSaver(db.pool, memory=memory)
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

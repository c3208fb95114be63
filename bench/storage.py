"""Bytes on disk per turn, with the retention policy on and off.

    .venv/bin/python bench/storage.py [--turns 10000] [--threads 1000] [--per-thread 10]

Starts its own embedded Postgres in a temp dir. Four runs, each on a fresh database, in rules
mode through the Runner (as served):
  one thread   --turns turns on a single thread
  many threads --threads threads of --per-thread turns each (plus the turn that opens each one)
each with retention off (nothing is ever deleted) and on (tools.retention.sweep every
--sweep-every turns and at the end, then a plain VACUUM, as autovacuum would, so freed space
is reused). Prints, per run, the growth of the database's tables on disk per turn, split into
checkpoints (rows + blobs + writes), transcript, audit and the rest.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg

from bench.turns import new_thread, run, scratch_dir, script
from checkpoints import embedded
from tests.factories import Stack, actor, open_stack
from tools import retention
from tools.db.engine import Database
from tools.db.migrations import migrate

GROUPS = {
    "checkpoints": ("checkpoints", "checkpoint_blobs", "checkpoint_writes"),
    "transcript": ("thread_messages",),
    "audit": ("audit_events",),
    "rest": ("threads", "tickets", "ticket_comments", "ticket_drafts", "pending_actions",
             "idempotency_keys", "rate_buckets"),
}


def sizes(url: str) -> dict[str, int]:
    """Bytes on disk (heap + indexes + TOAST) per group of tables."""
    with psycopg.connect(url) as conn:
        return {group: sum(int(conn.execute("SELECT pg_total_relation_size(%s)",  # type: ignore[index]
                                            (t,)).fetchone()[0]) for t in tables)
                for group, tables in GROUPS.items()}


def vacuum(url: str) -> None:
    """Make the space of deleted rows reusable (what autovacuum does, on demand)."""
    with psycopg.connect(url, autocommit=True) as conn:
        for tables in GROUPS.values():
            for table in tables:
                conn.execute(f"VACUUM {table}")  # type: ignore[arg-type]


def fresh_database(admin: str) -> str:
    """A new database on the embedded server; its URL."""
    name = f"storage_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")  # type: ignore[arg-type]
    return admin.replace("/postgres?", f"/{name}?")


async def sweep(stack: Stack, url: str) -> None:
    """One retention sweep, then VACUUM."""
    await retention.sweep(stack.services.db, stack.services.settings)
    await asyncio.to_thread(vacuum, url)


async def play(url: str, *, threads: int, per_thread: int, keep: bool,
               sweep_every: int) -> dict[str, Any]:
    """Open `threads` threads, play `per_thread` turns on each (round robin); bytes per turn."""
    db = Database.connect(url, pool_size=1)
    await migrate(db.engine)
    await db.close()
    async with open_stack(url, turn_rate=0, tickets_per_day=0, drafts_per_day=0) as stack:
        who = actor()
        before = sizes(url)
        opened = [await new_thread(stack, who) for _ in range(threads)]
        turns, started = threads * per_thread, time.perf_counter()
        for i in range(turns):
            thread, ticket = opened[i % threads]
            result = await stack.turn(who, script(ticket, i // threads), thread_id=thread)
            assert result.status == "OK", result
            if keep and (i + 1) % sweep_every == 0:
                await sweep(stack, url)
        if keep:
            await sweep(stack, url)
        else:
            await asyncio.to_thread(vacuum, url)
        after = sizes(url)
        seconds = time.perf_counter() - started
    total = turns + threads  # each thread's opening turn counts too
    return {"total": sum(after.values()) - sum(before.values()), "turns": total,
            "groups": {g: after[g] - before[g] for g in GROUPS}, "seconds": seconds}


def report(name: str, data: dict[str, Any]) -> None:
    """One line per run."""
    per = {g: b / data["turns"] for g, b in data["groups"].items()}
    split = "  ".join(f"{g} {v:7.0f}" for g, v in per.items())
    print(f"{name:28s} {data['total'] / data['turns']:8.0f} B/turn  ({split})  "
          f"{data['total'] / 1e6:7.1f} MB in {data['turns']} turns, {data['seconds']:.0f} s")


async def main() -> None:
    """All four runs on one embedded Postgres."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=10_000, help="turns of the one-thread run")
    parser.add_argument("--threads", type=int, default=1000, help="threads of the many-thread run")
    parser.add_argument("--per-thread", type=int, default=10, help="turns per thread there")
    parser.add_argument("--sweep-every", type=int, default=1000, help="turns between sweeps")
    args = parser.parse_args()
    server = embedded.start(scratch_dir(), cleanup="delete")
    admin = embedded.uri(server)
    print(f"bytes on disk per turn (heap+indexes+TOAST growth), rules mode, sweep every "
          f"{args.sweep_every} turns + VACUUM when retention is on")
    for threads, per_thread, label in ((1, args.turns, "one thread"),
                                       (args.threads, args.per_thread, f"{args.threads} threads")):
        for keep in (False, True):
            data = await play(fresh_database(admin), threads=threads, per_thread=per_thread,
                              keep=keep, sweep_every=args.sweep_every)
            report(f"{label}, retention {'on' if keep else 'off'}", data)


if __name__ == "__main__":
    run(main())

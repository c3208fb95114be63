"""CRUD against real Postgres: optimistic locking, bounded comment loading, leases."""

from __future__ import annotations

import uuid

from tests.factories import actor
from tools.crud import threads
from tools.crud import tickets as crud
from tools.db.engine import Database

FIELDS = {"title": "VPN down", "description": "cannot connect", "category": "network"}


async def test_ticket_carries_latest_comments_only(database: Database) -> None:
    async with database.transaction() as s:
        ticket = await crud.create_ticket(s, fields=FIELDS, actor=actor())
        for i in range(crud.RECENT_COMMENTS + 5):
            await crud.add_comment(s, ticket_id=ticket.ticket_id, author_id="x", body=f"c{i}")
    async with database.transaction() as s:
        recent = await crud.get_ticket(s, ticket_id=ticket.ticket_id)
        assert recent is not None
        bodies = [c.body for c in recent.comments]
        assert len(bodies) == crud.RECENT_COMMENTS and bodies[-1] == f"c{crud.RECENT_COMMENTS + 4}"
    async with database.transaction() as s:
        full = await crud.get_ticket(s, ticket_id=ticket.ticket_id, comments=None)
        assert full is not None and len(full.comments) == crud.RECENT_COMMENTS + 5


async def test_stale_version_updates_nothing(database: Database) -> None:
    async with database.transaction() as s:
        ticket = await crud.create_ticket(s, fields=FIELDS, actor=actor())
    async with database.transaction() as s:
        moved = await crud.update_ticket(s, ticket_id=ticket.ticket_id, version=1,
                                         values={"status": "IN_PROGRESS"})
        assert moved is not None and moved.version == 2
    async with database.transaction() as s:
        stale = await crud.update_ticket(s, ticket_id=ticket.ticket_id, version=1,
                                         values={"status": "CANCELLED"})
        assert stale is None
        row = await crud.get_ticket(s, ticket_id=ticket.ticket_id)
        assert row is not None and row.status == "IN_PROGRESS"


async def test_lease_is_exclusive_and_owned(database: Database) -> None:
    tid, owner = str(uuid.uuid4()), actor()

    async def take(user: str, run: str) -> threads.Lease | None:
        async with database.connection() as c:
            return await threads.acquire_lease(c, thread_id=tid, owner_id=user, department="IT",
                                               title="t", run_id=run, trace_id="t", lease_s=60)

    assert await take(owner.user_id, "r1") == ("idle", False, None)  # new: nothing settled yet
    assert await take(owner.user_id, "r2") is None  # busy
    async with database.connection() as c:
        await threads.release_lease(c, thread_id=tid, run_id="r1", status="interrupted", settled=True)
        await threads.release_lease(c, thread_id=tid, run_id="r1", status="idle", settled=False)
    assert await take("someone-else", "r3") is None  # not the owner
    assert await take(owner.user_id, "r4") == ("interrupted", True, None)  # 2nd release: no-op

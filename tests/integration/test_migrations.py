from sqlalchemy import text

from tools.db.engine import Database
from tools.db.migrations import MIGRATIONS, migrate


async def test_migrate_is_idempotent_and_versioned(database: Database) -> None:
    assert await migrate(database.engine) == len(MIGRATIONS)
    async with database.session() as s:
        versions = (await s.execute(text("SELECT v FROM helpdesk_migrations ORDER BY v"))).scalars().all()
    assert versions == list(range(1, len(MIGRATIONS) + 1))


async def test_ticket_id_format_is_enforced_by_the_schema(database: Database) -> None:
    import pytest
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError):
        async with database.session() as s:
            await s.execute(text(
                "INSERT INTO tickets (ticket_id, title, category, requester_id, department) "
                "VALUES ('TCK-26-x', 't', 'network', 'u', 'IT')"))


async def test_checkpointer_setup_is_safe_when_workers_start_together() -> None:
    """Several server workers starting on a new database each set the checkpointer up."""
    import asyncio

    from checkpoints.saver import open_checkpointer
    from tests import pg

    url = await asyncio.to_thread(pg.create_database, "ckpt", checkpoint_tables=False)
    try:
        opened = await asyncio.gather(*(open_checkpointer(url, max_size=2) for _ in range(4)),
                                      return_exceptions=True)
        for got in opened:
            if not isinstance(got, BaseException):
                await got[0].close()
        assert not [got for got in opened if isinstance(got, BaseException)]
    finally:
        await asyncio.to_thread(pg.drop_database, url)

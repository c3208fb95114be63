from tools.db.engine import Database
from tools.db.migrations import MIGRATIONS, migrate


async def test_migrate_is_idempotent_and_versioned(database: Database) -> None:
    assert await migrate(database.engine) == len(MIGRATIONS)
    async with database.transaction() as s:
        rows = await (await s.execute("SELECT v FROM helpdesk_migrations ORDER BY v")).fetchall()
        versions = [row["v"] for row in rows]
    assert versions == list(range(1, len(MIGRATIONS) + 1))


async def test_ticket_id_format_is_enforced_by_the_schema(database: Database) -> None:
    import pytest
    from psycopg.errors import IntegrityError

    with pytest.raises(IntegrityError):
        async with database.transaction() as s:
            await s.execute(
                "INSERT INTO tickets (ticket_id, title, category, requester_id, department) "
                "VALUES ('TCK-26-x', 't', 'network', 'u', 'IT')")


async def test_checkpointer_setup_is_safe_when_workers_start_together() -> None:
    """Several server workers starting on a new database each set the checkpointer up."""
    import asyncio

    from checkpoints.saver import open_checkpointer
    from tests import pg

    url = await asyncio.to_thread(pg.create_database, "ckpt", checkpoint_tables=False)
    try:
        dbs = [Database.connect(url, pool_size=1) for _ in range(4)]
        opened = await asyncio.gather(*(open_checkpointer(db) for db in dbs),
                                      return_exceptions=True)
        for db in dbs:
            await db.close()
        assert not [got for got in opened if isinstance(got, BaseException)]
    finally:
        await asyncio.to_thread(pg.drop_database, url)

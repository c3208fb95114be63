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

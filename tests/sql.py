"""Rows read straight from the database in tests, as objects with one attribute per column."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from tools.db.engine import Database


async def rows(db: Database, query: str, params: dict[str, Any] | None = None) -> list[Any]:
    """Every row of `query`."""
    async with db.connection() as conn:
        found = await (await conn.execute(query, params)).fetchall()  # type: ignore[arg-type]
    return [SimpleNamespace(**row) for row in found]


async def row(db: Database, query: str, params: dict[str, Any] | None = None) -> Any:
    """The first row of `query`, or None."""
    found = await rows(db, query, params)
    return found[0] if found else None


async def execute(db: Database, query: str, params: dict[str, Any] | None = None) -> None:
    """Run one statement (it commits by itself)."""
    async with db.connection() as conn:
        await conn.execute(query, params)  # type: ignore[arg-type]

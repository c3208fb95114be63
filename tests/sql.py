"""Rows read straight from the database in tests, as objects with one attribute per column."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from tools.db import engine
from tools.db.engine import Database


async def rows(db: Database, query: str, params: dict[str, Any] | None = None) -> list[Any]:
    """Every row of `query` (tools.db.engine.fetch_all, with attributes for the columns)."""
    async with db.connection() as conn:
        return [SimpleNamespace(**r) for r in await engine.fetch_all(conn, query, params)]


async def row(db: Database, query: str, params: dict[str, Any] | None = None) -> Any:
    """The first row of `query`, or None."""
    found = await rows(db, query, params)
    return found[0] if found else None


async def execute(db: Database, query: str, params: dict[str, Any] | None = None) -> None:
    """Run one statement (it commits by itself)."""
    async with db.connection() as conn:
        await engine.execute(conn, query, params)

"""`helpdesk kb ingest PATH…`: load markdown articles into the knowledge base."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from server.runtime import migrate_url
from server.serve import owned_database
from tools.db.engine import Database
from tools.settings import Settings, get_settings


async def _ingest(url: str, settings: Settings, paths: list[Path]) -> Any:
    from tools.kb import KnowledgeBase

    await migrate_url(url)
    db = Database.connect(url, pool_size=2)
    try:
        return await KnowledgeBase(db, settings).ingest_paths(paths)
    finally:
        await db.close()


def ingest(paths: list[Path], *, data_dir: Path | None = None) -> int:
    """Ingest files or directories of markdown; prints what was stored."""
    missing = [p for p in paths if not p.exists()]
    if missing:
        print(f"no such file or directory: {', '.join(map(str, missing))}")
        return 2
    settings = get_settings() if data_dir is None else Settings(HELPDESK_DATA_DIR=data_dir)
    with owned_database(settings) as owned:
        url = owned or settings.database_url
        assert url is not None
        result = asyncio.run(_ingest(url, settings, paths))
    print(f"ingested: {result}")
    return 0

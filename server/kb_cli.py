"""`helpdesk kb ingest PATH…`: load markdown articles into the knowledge base."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from server.runtime import migrate_url
from server.serve import owned_database
from tools.db.engine import Database
from tools.kb import KbIngestError, KnowledgeBase
from tools.settings import Settings, get_settings


async def _ingest(url: str, settings: Settings, paths: list[Path]) -> list[str]:
    await migrate_url(url)
    db = Database.connect(url, pool_size=2)
    try:
        return await KnowledgeBase(db, settings).ingest_paths(paths)
    finally:
        await db.close()


def ingest(paths: list[Path], *, data_dir: Path | None = None) -> int:
    """Ingest markdown files or directories (all or nothing); prints the stored article ids."""
    if missing := [str(p) for p in paths if not p.exists()]:
        print(f"no such file or directory: {', '.join(missing)}", file=sys.stderr)
        return 2
    settings = get_settings()
    if data_dir is not None:
        settings = settings.model_copy(update={"data_dir": data_dir})
    with owned_database(settings) as owned:
        try:
            doc_ids = asyncio.run(_ingest(owned or str(settings.database_url), settings, paths))
        except KbIngestError as exc:
            print(f"nothing ingested: {exc}", file=sys.stderr)
            return 1
    print(f"ingested {len(doc_ids)} article(s): {', '.join(doc_ids)}")
    return 0

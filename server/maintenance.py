"""`helpdesk maintenance`: one retention sweep now (what the server's sweeper does periodically)."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from server.runtime import migrate_url
from server.serve import owned_database
from tools import retention
from tools.db.engine import Database
from tools.settings import Settings, get_settings


async def _sweep(url: str, settings: Settings) -> dict[str, int] | None:
    await migrate_url(url)
    db = Database.connect(url, pool_size=1)
    try:
        await retention.publish_limits(db, settings)
        return await retention.sweep(db, settings)
    finally:
        await db.close()


def maintenance(*, data_dir: Path | None = None) -> int:
    """Sweep once and print the rows touched per kind as JSON; 3 if another sweep was running."""
    settings = get_settings()
    if data_dir is not None:
        settings = settings.model_copy(update={"data_dir": data_dir})
    with owned_database(settings) as owned:
        try:
            done = asyncio.run(_sweep(owned or str(settings.database_url), settings))
        except OSError as exc:  # the database is unreachable
            print(f"maintenance failed: {exc}", file=sys.stderr)
            return 1
    if done is None:
        print("another process is sweeping right now; nothing done", file=sys.stderr)
        return 3
    print(json.dumps(done, sort_keys=True))
    return 0

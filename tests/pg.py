"""Test databases: one embedded Postgres per test run, one throw-away database per module.

With `TEST_DATABASE_URL` set, that server is used instead of the embedded one (it needs the
`vector` extension available and a role allowed to CREATE DATABASE).
"""

from __future__ import annotations

import asyncio
import atexit
import os
import shutil
import tempfile
import uuid
from pathlib import Path
from typing import Any

import psycopg

from checkpoints import embedded
from checkpoints.saver import open_checkpointer
from tools.db.engine import Database
from tools.db.migrations import migrate

TEMPLATE = "helpdesk_template"  # our migrations and LangGraph's checkpoint tables
BARE_TEMPLATE = "helpdesk_template_bare"  # our migrations only
_server: Any = None
_admin_url: str | None = None


def admin_url() -> str:
    """URL of the maintenance database of the test server (started on first use)."""
    global _server, _admin_url
    if _admin_url is None:
        if url := os.environ.get("TEST_DATABASE_URL"):
            _admin_url = url
        else:
            root = Path(tempfile.mkdtemp(prefix="helpdesk-test-"))
            root.chmod(0o755)  # the pgserver system user must reach it when we run as root
            atexit.register(shutil.rmtree, root, True)  # runs after pgserver's own clean-up
            _server = embedded.start(root, cleanup="delete")
            _admin_url = embedded.uri(_server)
        _make_template(_admin_url)
    return _admin_url


def _swap_db(url: str, name: str) -> str:
    info = psycopg.conninfo.conninfo_to_dict(url)
    info["dbname"] = name
    return psycopg.conninfo.make_conninfo(**info)


def url_for(name: str) -> str:
    """A psycopg conninfo for database `name` on the test server."""
    return _swap_db(admin_url(), name)


def _sql(sql: str) -> None:
    with psycopg.connect(_admin_url or admin_url(), autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


def _make_template(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        for name in (TEMPLATE, BARE_TEMPLATE):
            conn.execute(f"DROP DATABASE IF EXISTS {name}")  # type: ignore[arg-type]
        conn.execute(f"CREATE DATABASE {BARE_TEMPLATE}")  # type: ignore[arg-type]

    async def migrated() -> None:
        db = Database.connect(pg_url(BARE_TEMPLATE), pool_size=1)
        await migrate(db.engine)
        await db.close()

    async def checkpoint_tables() -> None:
        db = Database.connect(pg_url(TEMPLATE), pool_size=1)
        await open_checkpointer(db)
        await db.close()

    asyncio.run(migrated())
    _sql(f"CREATE DATABASE {TEMPLATE} TEMPLATE {BARE_TEMPLATE}")
    asyncio.run(checkpoint_tables())


def pg_url(name: str) -> str:
    """`postgresql://` URL (the form DATABASE_URL takes) for database `name`."""
    info = psycopg.conninfo.conninfo_to_dict(url_for(name))
    host = info.get("host", "")
    user = info.get("user", "postgres")
    pw = info.get("password") or ""
    port = info.get("port")
    if host.startswith("/"):
        return f"postgresql://{user}:{pw}@/{name}?host={host}" + (f"&port={port}" if port else "")
    return f"postgresql://{user}:{pw}@{host}:{port or 5432}/{name}"


def create_database(prefix: str = "t", *, checkpoint_tables: bool = True) -> str:
    """A fresh database cloned from a template, as a server leaves it (migrated, with
    LangGraph's checkpoint tables, unless `checkpoint_tables` is false); returns its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}".lower()
    admin_url()
    _sql(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE if checkpoint_tables else BARE_TEMPLATE}")
    return pg_url(name)


def drop_database(url: str) -> None:
    """Drop a database made by `create_database` (terminating stray connections)."""
    name = psycopg.conninfo.conninfo_to_dict(url.replace("postgresql+psycopg", "postgresql"))
    dbname = name.get("dbname") or url.rsplit("/", 1)[-1].split("?")[0]
    _sql(f"DROP DATABASE IF EXISTS {dbname} WITH (FORCE)")

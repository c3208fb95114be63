"""`helpdesk serve`: uvicorn, plus the embedded Postgres it owns when no DATABASE_URL is set."""

from __future__ import annotations

import logging
import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

import uvicorn

from checkpoints import embedded
from server.auth import check_dev_mode
from server.logs import add_secrets, configure_logging
from server.startup import StartupError, check_database_reachable, check_port_free, load_settings, report
from tools.settings import Settings, get_settings

log = logging.getLogger("helpdesk.serve")


def _stop(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


@contextmanager
def _signals_stop_cleanly() -> Iterator[None]:
    """SIGTERM unwinds the stack (so the embedded Postgres is stopped) instead of killing us.

    uvicorn restores this handler after its own graceful shutdown and re-raises the signal.
    """
    previous = signal.signal(signal.SIGTERM, _stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def owned_database(settings: Settings) -> Iterator[str | None]:
    """Start the embedded Postgres when no DATABASE_URL is set; stop it on the way out.

    Workers inherit its URL through the environment, so one Postgres serves them all.
    """
    if settings.database_url:
        yield None
        return
    try:
        server = embedded.start(settings.data_dir)
    except embedded.EmbeddedPostgresError as exc:
        problem, _, fix = " ".join(str(exc).split()).partition(". ")
        raise StartupError(problem, fix or "check --data-dir, or set DATABASE_URL") from None
    url = embedded.uri(server)
    os.environ["DATABASE_URL"] = url
    get_settings.cache_clear()
    try:
        yield url
    finally:
        log.info("stopping the embedded Postgres")
        server.cleanup()


def _checked_settings(host: str, port: int, data_dir: Path) -> Settings:
    """The settings, after every check that can fail before uvicorn starts."""
    os.environ.update(HOST=host, PORT=str(port), HELPDESK_DATA_DIR=str(data_dir))
    settings = load_settings()
    add_secrets(settings.auth_jwt_secret, settings.openai_api_key)
    check_dev_mode(settings, host, warn=False)  # the app warns when it starts
    check_port_free(host, port)
    if settings.database_url:
        check_database_reachable(settings.database_url)
    return settings


def serve(*, host: str, port: int, data_dir: Path, workers: int) -> int:
    """Run the server until Ctrl-C / SIGTERM; returns the exit code (2: it could not start)."""
    configure_logging(os.environ.get("HELPDESK_LOG_LEVEL", "INFO"))
    try:
        settings = _checked_settings(host, port, data_dir)
        configure_logging(settings.log_level)
        with _signals_stop_cleanly(), owned_database(settings):
            log.info("starting", extra={"host": host, "port": port, "mode": settings.mode})
            uvicorn.run("server.app:app_from_env", factory=True, host=host, port=port,
                        workers=workers, log_config=None, access_log=False, lifespan="on",
                        timeout_graceful_shutdown=10)
    except StartupError as exc:
        return report(exc)
    return 0


def migrate_only() -> int:
    """`helpdesk migrate`: our migrations and the checkpointer's tables on DATABASE_URL."""
    import asyncio

    from checkpoints.saver import open_checkpointer
    from server.runtime import migrate_url
    from tools.db.engine import Database

    async def run(url: str) -> None:
        await migrate_url(url)
        db = Database.connect(url, pool_size=1)
        try:
            await open_checkpointer(db)
        finally:
            await db.close()

    configure_logging(os.environ.get("HELPDESK_LOG_LEVEL", "INFO"))
    try:
        settings = load_settings()
        if not settings.database_url:
            raise StartupError("DATABASE_URL is not set", "migrate needs the database to migrate")
        check_database_reachable(settings.database_url)
        asyncio.run(run(settings.database_url))
    except StartupError as exc:
        return report(exc)
    log.info("migrations applied")
    return 0

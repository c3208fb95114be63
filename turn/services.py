"""The long-lived dependencies nodes use: database, knowledge base, LLM gateway, version_set."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from tools.db.engine import Database
from tools.settings import CODE_VERSION, Settings, get_settings


@dataclass
class Services:
    """What a process opens once and every run shares."""

    settings: Settings
    db: Database
    kb: Any = None  # tools.kb.KnowledgeBase
    llm: Any = None  # tools.llm.LlmGateway | None
    version_set: str = field(default="")

    async def close(self) -> None:
        """Release pooled connections."""
        await self.db.close()


def _version_set(settings: Settings) -> str:
    try:
        from tools.llm import prompt_versions

        prompts = ",".join(f"{k}@{v}" for k, v in sorted(prompt_versions().items()))
    except ImportError:
        prompts = "none"
    model = settings.openai_model or "none"
    return f"code={CODE_VERSION};model={model};prompts={prompts};cfg={settings.config_hash()}"


def _kb(db: Database, settings: Settings) -> Any:
    try:
        from tools.kb import KnowledgeBase
    except ImportError:
        return None
    return KnowledgeBase(db, settings)


def _llm(db: Database, settings: Settings) -> Any:
    try:
        from tools.llm import build_gateway
    except ImportError:
        return None
    return build_gateway(settings, db)


def open_services(settings: Settings, url: str, *, pool_size: int = 10) -> Services:
    """Build the services for one database URL (connections open lazily)."""
    db = Database.connect(url, pool_size=pool_size)
    return Services(settings=settings, db=db, kb=_kb(db, settings), llm=_llm(db, settings),
                    version_set=_version_set(settings))


_default: Services | None = None
_default_lock = asyncio.Lock()
_embedded: Any = None  # the embedded Postgres default_services() started, if any


async def default_services() -> Services:
    """Services from the environment, for runs with no injected services (Studio, scripts).

    Opened once per process, off the event loop (`langgraph dev` forbids blocking calls in a
    node): the embedded Postgres if no DATABASE_URL (stopped when the process exits), the
    migrations, and the sample KB if the KB is empty.
    """
    global _default
    async with _default_lock:
        if _default is None:
            from tools.db.migrations import migrate

            settings = await asyncio.to_thread(get_settings)
            url = settings.database_url or await asyncio.to_thread(_embedded_url, settings)
            services = await asyncio.to_thread(open_services, settings, str(url))
            await migrate(services.db.engine)
            if services.kb is not None:
                await services.kb.load_sample_if_empty()
            _default = services
    return _default


def _embedded_url(settings: Settings) -> str:
    global _embedded
    from checkpoints import embedded

    _embedded = embedded.start(settings.data_dir)
    return embedded.uri(_embedded)


async def close_default_services() -> None:
    """Close the default services and stop the embedded Postgres they started (off the loop)."""
    global _default, _embedded
    async with _default_lock:
        services, server, _default, _embedded = _default, _embedded, None, None
        if services is not None:
            await services.close()
        if server is not None:
            await asyncio.to_thread(server.cleanup)

"""The long-lived dependencies nodes use: database, knowledge base, LLM gateway, version_set."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tools.db.engine import Database
from tools.settings import CODE_VERSION, Settings

if TYPE_CHECKING:
    from tools.kb import KnowledgeBase
    from tools.llm import LlmGateway


@dataclass
class Services:
    """What a process opens once and every run shares."""

    settings: Settings
    db: Database
    kb: KnowledgeBase | None = None
    llm: LlmGateway | None = None  # None: no chat model configured
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


def _kb(db: Database, settings: Settings) -> KnowledgeBase | None:
    try:
        from tools.kb import KnowledgeBase
    except ImportError:
        return None
    return KnowledgeBase(db, settings)


def _llm(db: Database, settings: Settings) -> LlmGateway | None:
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


_process: Services | None = None


def install(services: Services | None) -> None:
    """Make `services` the process's own, for runs whose context brings none (Studio: the
    `langgraph dev` lifespan in graph.studio installs them; None uninstalls)."""
    global _process
    _process = services


def installed() -> Services | None:
    """The services installed for the process, if any."""
    return _process

"""The LLM layer: planner and answer calls through ChatOpenAI, with cost guards and a breaker."""

from __future__ import annotations

from tools.db.engine import Database
from tools.llm.failure import FailureKind, LlmFailure, as_error
from tools.llm.gateway import LlmGateway
from tools.llm.prompts import prompt_versions
from tools.llm.usage import new_usage
from tools.settings import Settings

__all__ = ["FailureKind", "LlmFailure", "LlmGateway", "as_error", "build_gateway", "new_usage",
           "prompt_versions"]


def build_gateway(settings: Settings, db: Database) -> LlmGateway | None:
    """The process's gateway, or None when no chat model is configured."""
    if not settings.llm_configured:
        return None
    return LlmGateway(settings, db)

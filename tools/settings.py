"""Process-wide settings, read once from the environment and `.env`."""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

Mode = Literal["rules", "llm", "hybrid"]

CODE_VERSION = "0.1.0"


class Settings(BaseSettings):
    """Every knob of the helpdesk backend; names match API.md "Running"."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    database_url: str | None = Field(default=None, alias="DATABASE_URL")
    data_dir: Path = Field(default=Path(".helpdesk"), alias="HELPDESK_DATA_DIR")
    mode: Mode = Field(default="hybrid", alias="HELPDESK_MODE")
    host: str = Field(default="127.0.0.1", alias="HOST")
    port: int = Field(default=8000, alias="PORT")

    openai_base_url: str | None = Field(default=None, alias="OPENAI_BASE_URL")
    openai_api_key: str | None = Field(default=None, alias="OPENAI_API_KEY")
    openai_model: str | None = Field(default=None, alias="OPENAI_MODEL")
    llm_timeout_s: float = Field(default=20.0, alias="HELPDESK_LLM_TIMEOUT_S")
    llm_max_retries: int = Field(default=2, alias="HELPDESK_LLM_MAX_RETRIES")
    llm_max_calls_per_request: int = Field(default=4, alias="HELPDESK_LLM_MAX_CALLS")
    llm_max_tokens_per_request: int = Field(default=8000, alias="HELPDESK_LLM_MAX_TOKENS")
    daily_token_budget: int = Field(default=200_000, alias="HELPDESK_DAILY_TOKEN_BUDGET")
    breaker_failures: int = Field(default=3, alias="HELPDESK_BREAKER_FAILURES")
    breaker_cooldown_s: float = Field(default=30.0, alias="HELPDESK_BREAKER_COOLDOWN_S")
    # USD per 1M tokens: {"model": [input, output]}
    model_prices: dict[str, tuple[float, float]] = Field(
        default_factory=lambda: {
            "gpt-4o-mini": (0.15, 0.60),
            "gpt-4o": (2.50, 10.0),
            "gpt-4.1-mini": (0.40, 1.60),
        },
        alias="HELPDESK_MODEL_PRICES",
    )

    embeddings_base_url: str | None = Field(default=None, alias="HELPDESK_EMBEDDINGS_BASE_URL")
    embeddings_model: str | None = Field(default=None, alias="HELPDESK_EMBEDDINGS_MODEL")

    auth_jwt_secret: str | None = Field(default=None, alias="AUTH_JWT_SECRET")
    auth_allow_dev_on_public: bool = Field(default=False, alias="AUTH_ALLOW_DEV_ON_PUBLIC")

    pending_ttl_s: int = Field(default=600, alias="HELPDESK_PENDING_TTL_S")
    draft_ttl_s: int = Field(default=7 * 24 * 3600, alias="HELPDESK_DRAFT_TTL_S")
    # a run's thread lease (and an idempotency claim) lapses this long after its process last
    # renewed it (every lease/4 s): a crashed or cut-off holder frees its threads this fast
    thread_lease_s: float = Field(default=4.0, gt=0, alias="HELPDESK_THREAD_LEASE_S")
    transcript_window: int = Field(default=6, alias="HELPDESK_TRANSCRIPT_WINDOW")
    # threads whose latest checkpoint this process keeps to skip loading it on their next turn
    checkpoint_memory: int = Field(default=1024, ge=0, alias="HELPDESK_CHECKPOINT_MEMORY")
    log_level: str = Field(default="INFO", alias="HELPDESK_LOG_LEVEL")

    # OIDC sign-in (#17): tokens signed by the provider's keys (RS256/ES256), fetched from its JWKS
    oidc_issuer: str | None = Field(default=None, alias="AUTH_OIDC_ISSUER")
    oidc_audience: str | None = Field(default=None, alias="AUTH_OIDC_AUDIENCE")
    oidc_jwks_url: str | None = Field(default=None, alias="AUTH_OIDC_JWKS_URL")
    oidc_algorithms: list[str] = Field(default_factory=lambda: ["RS256", "ES256"],
                                       alias="AUTH_OIDC_ALGORITHMS")
    oidc_jwks_cache_s: int = Field(default=300, ge=0, alias="AUTH_OIDC_JWKS_CACHE_S")
    # least seconds between two refetches forced by unknown kids (a rotation waits at most this)
    oidc_jwks_cooldown_s: float = Field(default=10.0, ge=0, alias="AUTH_OIDC_JWKS_COOLDOWN_S")
    auth_clock_skew_s: int = Field(default=30, ge=0, alias="AUTH_CLOCK_SKEW_S")  # the IdP's clock
    # claim names (dotted paths for nested claims); a list claim gives its first usable value
    claim_user: str = Field(default="sub", alias="AUTH_CLAIM_USER")
    claim_department: str = Field(default="department", alias="AUTH_CLAIM_DEPARTMENT")
    claim_role: str = Field(default="role", alias="AUTH_CLAIM_ROLE")
    # OpenTelemetry (#17): off by default; the exporter reads the standard OTEL_* variables
    tracing: bool = Field(default=False, alias="HELPDESK_OTEL")

    # --- #13 abuse limits and retention (README "Limits, retention and maintenance") ---
    # per-user turn rate: a token bucket in Postgres shared by every replica (0 = unlimited)
    turn_rate: float = Field(default=10.0, ge=0, alias="HELPDESK_TURN_RATE")
    turn_burst: int = Field(default=60, ge=1, alias="HELPDESK_TURN_BURST")
    # tickets / drafts one user may create in any 24 h (0 = unlimited)
    tickets_per_day: int = Field(default=100, ge=0, alias="HELPDESK_TICKETS_PER_DAY")
    drafts_per_day: int = Field(default=100, ge=0, alias="HELPDESK_DRAFTS_PER_DAY")
    retention: bool = Field(default=True, alias="HELPDESK_RETENTION")
    keep_checkpoints: int = Field(default=5, ge=1, alias="HELPDESK_KEEP_CHECKPOINTS")
    keep_messages: int = Field(default=200, ge=1, alias="HELPDESK_KEEP_MESSAGES")
    thread_ttl_s: float = Field(default=90 * 24 * 3600, gt=0, alias="HELPDESK_THREAD_TTL_S")
    audit_retention_s: float = Field(default=180 * 24 * 3600, gt=0,
                                     alias="HELPDESK_AUDIT_RETENTION_S")
    idempotency_retention_s: float = Field(default=48 * 3600, ge=24 * 3600,
                                           alias="HELPDESK_IDEMPOTENCY_RETENTION_S")
    sweep_every_s: float = Field(default=300.0, gt=0, alias="HELPDESK_SWEEP_EVERY_S")

    @property
    def llm_configured(self) -> bool:
        """True when a chat model endpoint is set (a model name is the minimum)."""
        return bool(self.openai_model)

    def config_hash(self) -> str:
        """Short hash of the settings that change behaviour (not secrets, not addresses)."""
        relevant = {
            "mode": self.mode,
            "model": self.openai_model,
            "caps": [self.llm_max_calls_per_request, self.llm_max_tokens_per_request],
            "ttl": self.pending_ttl_s,
            "window": self.transcript_window,
            "emb": self.embeddings_model,
        }
        raw = json.dumps(relevant, sort_keys=True).encode()
        return hashlib.sha256(raw).hexdigest()[:8]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings (cached; tests build their own `Settings`)."""
    return Settings()

"""Factories for the LLM tests: actors, contexts, plans the fake model returns, KB passages."""

from __future__ import annotations

import uuid
from typing import Any

from tools.domain import Actor, Role
from tools.planner.plan import PlanContext


def actor(role: Role = "requester", department: str = "IT") -> Actor:
    """A fresh user (its own daily budget row)."""
    return Actor(f"u-{uuid.uuid4().hex[:8]}", department, role)


def context(**fields: Any) -> PlanContext:
    """A restored context."""
    return PlanContext(**fields)


def plan_json(route: str = "kb_qa", **fields: Any) -> dict[str, Any]:
    """What a model returns for the global planner."""
    body: dict[str, Any] = {"route": route, "tool": None, "args": {}, "missing_fields": [],
                            "need_confirmation": False, "rationale": "test"}
    body.update(fields)
    return body


def passages() -> list[dict[str, Any]]:
    """Two KB passages."""
    return [
        {"doc_id": "kb-vpn-001", "title": "VPN 连接失败",
         "text": "Restart the VPN client, then sign in again with MFA."},
        {"doc_id": "kb-pwd-002", "title": "Password reset",
         "text": "Reset your password at the self-service portal."},
    ]

"""Versioned prompt files (`<name>.v<N>.txt` beside this module) and their version_set entries.

The files sit in the package directory itself so the package-data glob `*.txt` ships them.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

PROMPT_DIR = Path(__file__).parent
# The version in use of each prompt. Bump by adding a new file, never by editing a shipped one.
ACTIVE: dict[str, str] = {"global_planner": "v1", "ticket_subplanner": "v1", "kb_answer": "v1"}


@cache
def load(name: str) -> str:
    """The active text of prompt `name`."""
    return (PROMPT_DIR / f"{name}.{ACTIVE[name]}.txt").read_text(encoding="utf-8").strip()


def fill(name: str, **slots: str) -> str:
    """Prompt `name` with `{slot}` placeholders replaced (the texts keep literal JSON braces)."""
    out = load(name)
    for key, value in slots.items():
        out = out.replace("{" + key + "}", value)
    return out


def prompt_versions() -> dict[str, str]:
    """name → "v1#<sha256[:6]>": the content hash catches an edit made without a version bump."""
    return {
        name: f"{ver}#{hashlib.sha256(load(name).encode()).hexdigest()[:6]}"
        for name, ver in ACTIVE.items()
    }

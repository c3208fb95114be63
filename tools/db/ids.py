"""Domain identifiers: `TCK-YYYY-XXXXXX`, `DRF-YYYY-XXXXXX`, pending actions and tokens.

The one place their shapes are written: the API schemas and the registry take the anchored
patterns, the planner the search patterns (SQL CHECK constraints in migrations are history).
"""

from __future__ import annotations

import re
import secrets
import string
from datetime import UTC, datetime

_ALPHABET = string.ascii_uppercase + string.digits
_TICKET = r"TCK-\d{4}-[A-Z0-9]{6}"
_DRAFT = r"DRF-\d{4}-[A-Z0-9]{6}"
TICKET_ID = f"^{_TICKET}$"  # a whole value (request fields, path parameters, tool args)
DRAFT_ID = f"^{_DRAFT}$"


def _in_text(shape: str) -> re.Pattern[str]:
    # ASCII-only edges: `\b` treats Chinese characters as word characters ("查一下TCK-2026-AB12CD").
    return re.compile(f"(?<![A-Za-z0-9]){shape}(?![A-Za-z0-9])", re.IGNORECASE)


TICKET_ID_RE = _in_text(_TICKET)  # an id inside a message, any case
DRAFT_ID_RE = _in_text(_DRAFT)


def _suffix() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(6))


def new_ticket_id() -> str:
    """A fresh ticket id for the current UTC year."""
    return f"TCK-{datetime.now(UTC).year}-{_suffix()}"


def new_draft_id() -> str:
    """A fresh draft id for the current UTC year."""
    return f"DRF-{datetime.now(UTC).year}-{_suffix()}"


def new_pending_id() -> str:
    """A fresh pending-action id."""
    return f"PA-{secrets.token_hex(6).upper()}"


def new_confirm_token() -> str:
    """An unguessable confirmation token."""
    return secrets.token_urlsafe(16)

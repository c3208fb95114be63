"""Domain identifiers: `TCK-YYYY-XXXXXX`, `DRF-YYYY-XXXXXX`, pending actions and tokens."""

from __future__ import annotations

import re
import secrets
import string
from datetime import UTC, datetime

_ALPHABET = string.ascii_uppercase + string.digits
# ASCII-only edges: `\b` treats Chinese characters as word characters ("查一下TCK-2026-AB12CD").
TICKET_ID_RE = re.compile(r"(?<![A-Za-z0-9])TCK-\d{4}-[A-Z0-9]{6}(?![A-Za-z0-9])", re.IGNORECASE)
DRAFT_ID_RE = re.compile(r"(?<![A-Za-z0-9])DRF-\d{4}-[A-Z0-9]{6}(?![A-Za-z0-9])", re.IGNORECASE)


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


def is_ticket_id(value: str) -> bool:
    """True for a well-formed ticket id (upper case, exact)."""
    return bool(re.fullmatch(r"TCK-\d{4}-[A-Z0-9]{6}", value))


def is_draft_id(value: str) -> bool:
    """True for a well-formed draft id (upper case, exact)."""
    return bool(re.fullmatch(r"DRF-\d{4}-[A-Z0-9]{6}", value))

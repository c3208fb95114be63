"""A cheap, offline token estimate, used only for caps and budget reservations before a call.

Real counts come from the endpoint's `usage`; this never downloads a tokenizer.
"""

from __future__ import annotations

from collections.abc import Iterable


def estimate_tokens(text: str) -> int:
    """About one token per CJK character and per 4 bytes of other text."""
    cjk = sum(1 for ch in text if "\u3000" <= ch <= "\u9fff" or "\uac00" <= ch <= "\ud7af")
    other = len(text.encode()) - 3 * cjk
    return cjk + max(0, other) // 4 + 1


def estimate_messages(parts: Iterable[str]) -> int:
    """Estimate for a whole prompt (messages, tool schemas…), with per-message overhead."""
    return sum(estimate_tokens(p) + 4 for p in parts)

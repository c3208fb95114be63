"""Loads vocab.yaml once and checks it against the tool registry and the domain."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import Any

import yaml

from tools.domain import CATEGORIES, PRIORITIES, TicketStatus
from tools.registry import TICKET_TOOLS

VOCAB_FILE = "vocab.yaml"
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class VocabError(ValueError):
    """vocab.yaml is malformed or disagrees with the registry; the message says what to fix."""


@cache
def vocab() -> dict[str, Any]:
    """The parsed, validated vocabulary (read from disk once per process)."""
    text = resources.files("tools.planner").joinpath(VOCAB_FILE).read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.load(text, Loader=_LOADER)  # a SafeLoader (libyaml's if present)
    validate(data)
    return data


def validate(data: Any) -> None:
    """Raise VocabError unless `data` is a well-formed vocabulary that matches the registry."""
    if not isinstance(data, dict):
        raise VocabError(f"{VOCAB_FILE}: expected a mapping at the top level")
    _check_terms(data, VOCAB_FILE)
    _check_tools(data)
    _check_domain(data)


def terms(*path: str) -> list[str]:
    """The term list at `path` (e.g. terms("confirmation", "confirm"))."""
    node: Any = vocab()
    for key in path:
        node = node[key]
    return list(node)


def tool_terms(tool: str) -> list[str]:
    """Every word (strong and weak) that names the ticket tool `tool`."""
    entry = vocab()["tools"][tool]
    return [*(entry.get("strong") or []), *(entry.get("weak") or [])]


def small_talk_terms() -> list[str]:
    """The chitchat words and every greeting, thanks and goodbye ("谢了", "回见")."""
    return [*terms("intents", "chitchat"),
            *(w for kind in ("greeting", "thanks", "bye") for w in terms("intents", "small_talk", kind))]


def _check_terms(node: Any, where: str) -> None:
    """Every list item must be a non-empty string; every "re:" term must compile."""
    if isinstance(node, dict):
        for key, value in node.items():
            _check_terms(value, f"{where}.{key}")
    elif isinstance(node, list):
        for item in node:
            if not isinstance(item, str) or not item.strip():
                raise VocabError(f"{where}: term {item!r} must be a non-empty string "
                                 "(quote yes/no/y/n/on/off, YAML reads them as booleans)")
            if item.startswith("re:"):
                _check_regex(item, where)


def _check_regex(term: str, where: str) -> None:
    """A "re:" term compiles and is lower-case: it is matched against lower-cased text."""
    try:
        re.compile(term[3:])
    except re.error as exc:
        raise VocabError(f"{where}: bad regex {term!r}: {exc}") from exc
    if re.search("[A-Z]", re.sub(r"\\.|\(\?P|A-Z", "", term[3:])):
        raise VocabError(f"{where}: write regex {term!r} in lower case (text is lower-cased)")


def _check_tools(data: dict[str, Any]) -> None:
    """The vocabulary names exactly the registered ticket tools, each with some words."""
    named = set(data.get("tools") or {})
    if unknown := named - set(TICKET_TOOLS):
        raise VocabError(f"{VOCAB_FILE}: tools {sorted(unknown)} are not in tools/registry.py")
    if missing := set(TICKET_TOOLS) - named:
        raise VocabError(f"{VOCAB_FILE}: registered tools {sorted(missing)} have no vocabulary")
    for name, entry in data["tools"].items():
        if not entry.get("strong") and not entry.get("weak"):
            raise VocabError(f"{VOCAB_FILE}: tool {name} needs strong or weak words")


def _check_domain(data: dict[str, Any]) -> None:
    """Categories, priorities and list filters use the domain's own values."""
    if set(data["categories"]) != set(CATEGORIES):
        raise VocabError(f"{VOCAB_FILE}: categories must be exactly {CATEGORIES}")
    levels = set(data["priorities"]["levels"].values())
    if not set(data["priorities"]) - {"levels"} <= set(PRIORITIES) or not levels <= set(PRIORITIES):
        raise VocabError(f"{VOCAB_FILE}: priorities must be among {PRIORITIES}")
    if bad := set(data["list_filters"]) - {s.value for s in TicketStatus}:
        raise VocabError(f"{VOCAB_FILE}: list_filters {sorted(bad)} are not ticket statuses")

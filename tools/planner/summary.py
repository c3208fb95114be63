"""Title and description from a problem message, with request boilerplate and labels removed."""

from __future__ import annotations

import re

from tools.planner.lexicon import alternation, compile_terms, fold
from tools.planner.references import FOLDED_DRAFT_ID, FOLDED_TICKET_ID
from tools.planner.vocab import terms, vocab

TITLE_MAX = 60
DESCRIPTION_MAX = 2000
_PREFIX = alternation(terms("fields", "request_prefix"))
_SUFFIX = alternation(terms("fields", "request_suffix"))
_CREATE = alternation(terms("intents", "create_ticket"))
_PRIORITY = [w for p, ws in vocab()["priorities"].items() if p != "levels" for w in ws
             if w not in terms("fields", "priority_content")]
# Removed from the text before a title is cut: "帮我提个工单：", greetings, priority words, "P1".
_NOISE = re.compile(
    f"(?:(?:{_PREFIX})\\s*)*(?:{_CREATE})(?:\\s*(?:{_SUFFIX}))*"
    f"|{alternation([*terms('intents', 'chitchat'), *_PRIORITY])}"
    r"|(?<![a-z0-9])p\s?[1-4](?![0-9])"
    f"|{FOLDED_TICKET_ID}|{FOLDED_DRAFT_ID}",
)
# A piece made only of these says nothing about the problem ("it's", "就这些", "网络类的").
_TRIVIAL = compile_terms([
    *terms("fields", "trivial"), *terms("intents", "chitchat"), *_PRIORITY,
    *terms("confirmation", "confirm"), *terms("confirmation", "cancel"),
    *terms("confirmation", "filler"), *terms("fillers"),
    *(w for c in vocab()["categories"].values() for w in c["labels"]),
    *(w for ws in vocab()["fields"]["labels"].values() for w in ws),
    *terms("references", "draft"), *terms("draft", "continue"),
    # "先别升级，帮我新建一个邮件的工单": an action said not to be wanted is no problem text
    *terms("negation", "zh"), *terms("negation", "en"),
    *(w for name in vocab()["tools"] for kind in ("strong", "weak")
      for w in terms("tools", name, kind) if not w.startswith("re:")),
])
_PIECES = re.compile(r"([,，、;；:：。!！?？\n]|\.(?=\s|$))")
_SENTENCE_END = re.compile(r"[;；。!！?？\n]|\.(?=\s|$)")
_EDGES = re.compile(r"^[\s\W_]+|[\s,，、;；:：.。!！~\-]+$")
_SPACES = re.compile(r"\s+")
_DANGLING = re.compile(r"\s+(?:and|or|but|the|a|an|with|to|of|on|in|for|at|my|your|our|their|its|his|her|is|are|was|"
                       r"were|be|as|from|by|into|onto|about|when|while|since|after|before|because|so|if|that|which)$",
                       re.IGNORECASE)
_LOOSE_SPACE = re.compile(r"\s+([,，、;；:：.。!！?？])")


def summarize(text: str, skip: list[tuple[int, int]]) -> tuple[str | None, str | None]:
    """(title, description) of `text` leaving out the `skip` spans; (None, None) if nothing left."""
    body = _strip(text, skip)
    if not body:
        return None, None
    return _title(body), body[:DESCRIPTION_MAX]


def is_trivial(piece: str) -> bool:
    """True when `piece` holds nothing but filler, labels and yes/no words."""
    return re.search(r"\w", _TRIVIAL.sub(" ", fold(piece))) is None


def _strip(text: str, skip: list[tuple[int, int]]) -> str:
    """The problem text: skipped spans and noise removed, trivial pieces dropped, edges trimmed."""
    noise = [m.span() for m in _NOISE.finditer(fold(text))]
    for start, end in sorted([*skip, *noise], reverse=True):
        text = f"{text[:start]} {text[end:]}"
    parts = _PIECES.split(text)
    kept = "".join(
        parts[i] + (parts[i + 1] if i + 1 < len(parts) else "")
        for i in range(0, len(parts), 2)
        if not is_trivial(parts[i])
    )
    return _EDGES.sub("", _LOOSE_SPACE.sub(r"\1", _SPACES.sub(" ", kept)))


def _title(body: str) -> str:
    """The first sentence of `body`, cut to TITLE_MAX at a comma when one is close enough."""
    title = _EDGES.sub("", _SENTENCE_END.split(body, maxsplit=1)[0]) or body
    if len(title) <= TITLE_MAX:
        return title
    cut = max(title.rfind(c, 0, TITLE_MAX) for c in ",，、 ")
    title = title[:cut if cut >= TITLE_MAX // 2 else TITLE_MAX]
    return _DANGLING.sub("", title).rstrip(" ,，、")

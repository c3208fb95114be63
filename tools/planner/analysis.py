"""One pass over a message: intent keywords with how they are used, references, anchors."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from tools.planner.fields import PRIORITY_WORDS
from tools.planner.lexicon import Hit, Lexicon, blank, compile_terms, fold, mask
from tools.planner.modifiers import Modifier, modifier
from tools.planner.plan import References
from tools.planner.references import DRAFT_ID, TICKET_ID, extract_references
from tools.planner.vocab import small_talk_terms, terms, vocab

TOOL_NAMES: tuple[str, ...] = tuple(vocab()["tools"])  # registry tools, in precedence order
_GROUPS: dict[str, list[str]] = {"create": terms("intents", "create_ticket")}
_GROUPS |= {f"filter:{s}": list(w) for s, w in vocab()["list_filters"].items()}
for _name in TOOL_NAMES:
    _GROUPS[f"strong:{_name}"] = terms("tools", _name, "strong")
    _GROUPS[f"weak:{_name}"] = terms("tools", _name, "weak")
_GROUPS["continue"] = terms("draft", "continue")
_INTENTS = Lexicon(_GROUPS)
_NOUNS = compile_terms(terms("ticket_nouns"))
_KB = compile_terms(terms("intents", "kb_question"))
_CHITCHAT = compile_terms(small_talk_terms())
# What may surround a keyword in a message that says nothing else ("好的，升级一下吧").
_NOISE = compile_terms([
    *terms("fillers"), *terms("negation", "zh"), *terms("negation", "en"),
    *terms("confirmation", "confirm"), *terms("confirmation", "filler"), *terms("ticket_nouns"),
    *terms("references", "ticket"), *terms("intents", "chitchat"),
    *(p.replace("(?P<n>", "(?:") for p in terms("references", "ordinal", "patterns")),
    *terms("status_question", "zh_before"),
    *terms("status_question", "en_before"),
])
_WORD = re.compile(r"\w")
_PRONOUNS = re.compile(r"(?<![a-z])(?:it|this|that|this one|that one)(?![a-z])"
                       r"|(?:这个|那个)(?![^，,。.?？!！]{0,12}?单)|它")  # not 那个网络的单: a ticket named


@dataclass(frozen=True)
class Keyword:
    """An intent keyword in the message and how it is used there."""

    hit: Hit
    use: Modifier

    @property
    def kind(self) -> str:
        """"create", "strong", "weak", "filter" or "continue"."""
        return self.hit.label.split(":")[0]

    @property
    def target(self) -> str:
        """The tool (or list status) after the colon of the label, "" for other kinds."""
        return self.hit.label.partition(":")[2]


@dataclass(frozen=True)
class Analysis:
    """Everything the planner reads from one normalised message."""

    text: str
    folded: str  # `text` lower-cased, same offsets: what term patterns are matched against
    keywords: list[Keyword]
    refs: References
    anchored: bool  # an explicit id, a ticket reference, an ordinal or a ticket noun
    kb_question: bool
    chitchat: bool

    @cached_property
    def bare(self) -> bool:
        """Nothing but keywords, references, negations, yes-words and fillers ("升级一下吧")."""
        return _bare(self.folded, [k.hit for k in self.keywords])

    @cached_property
    def only_pronoun(self) -> bool:
        """The ticket is named by nothing but "it" / "this" ("can you look at this"): no id, no
        ordinal, no "my last ticket", no ticket noun."""
        refs = self.refs
        if not refs.ticket_ref or refs.ticket_ids or refs.latest or refs.ordinal is not None \
                or _NOUNS.search(self.folded) is not None:
            return False
        return not extract_references(_PRONOUNS.sub(" ", self.folded)).ticket_ref  # "我报修的显示器" names one

    def used(self, *kinds: str, use: Modifier = "plain") -> list[Keyword]:
        """The keywords of these kinds used this way."""
        return [k for k in self.keywords if k.kind in kinds and k.use == use]


def analyse(text: str) -> Analysis:
    """Read keywords, references and anchors from an already normalised message."""
    folded = fold(text)
    hits = _INTENTS.hits(text)
    if any(h.label.startswith(("strong:", "weak:")) for h in hits):
        calm = PRIORITY_WORDS.hits(text)  # "no hurry", "not urgent": how urgent, not "hurry" / "urgent" asked for
        hits = [h for h in hits if not (
            h.label.startswith(("strong:", "weak:")) and any(p.start <= h.start and h.end <= p.end for p in calm))]
    keywords = [Keyword(h, modifier(folded, h)) for h in hits]
    refs = extract_references(text)
    creates = [k.hit for k in keywords if k.kind == "create"]
    return Analysis(
        text=text, folded=folded, keywords=keywords, refs=refs,
        anchored=_anchored(folded, refs, creates),
        kb_question=_KB.search(folded) is not None,
        chitchat=_CHITCHAT.search(folded) is not None,
    )


def _anchored(text: str, refs: References, creates: list[Hit]) -> bool:
    """True when the text itself names a ticket (a noun inside "提个工单" does not count)."""
    if refs.ticket_ids or refs.ticket_ref or refs.ordinal is not None:
        return True
    return _NOUNS.search(blank(text, creates)) is not None


def _bare(text: str, hits: list[Hit]) -> bool:
    """True when nothing but keywords and filler remain ("升级一下吧" yes, "升级Office" no)."""
    rest = mask(mask(mask(blank(text, hits), TICKET_ID), DRAFT_ID), _NOISE)
    return _WORD.search(rest) is None

"""Is a message about IT at all? Out-of-scope questions are told what the helpdesk can do.

A message is about IT when it has a symptom or label word of a category, a ticket
word or id, a tool word (a weak verb alone does not count: "查一下航班"), a product
name, or a word of vocab.yaml's `domain` lists (IT terms and problem words; everyday
typo targets such as "weather" or "hello" and the pronoun "it" do not count). A how-to
question with none of these ("怎么请年假", "what's the weather tomorrow?") is out of
scope; one with nothing but question words ("为什么", "why") is asked about instead.
"""

from __future__ import annotations

import re

from tools.planner.analysis import Analysis
from tools.planner.fields import category_of
from tools.planner.labels import CATEGORY_LABELS
from tools.planner.lexicon import Lexicon, blank, compile_terms, fold, mask
from tools.planner.vocab import terms, vocab
from tools.registry import TICKET_TOOLS

_GENERAL = frozenset(fold(w) for w in terms("domain", "not_it"))  # typo targets of everyday words
# "request" names a ticket ("my request") but is an everyday verb too ("request parental leave")
_IT_TERMS = [*terms("domain", "it"), *(w for w in terms("ticket_nouns") if w not in ("request", "requests")),
             *(w for w in terms("typos", "targets") if fold(w) not in _GENERAL)]
_DOMAIN = compile_terms([*_IT_TERMS, *terms("domain", "problem")])
_IT_WORDS = compile_terms(_IT_TERMS)  # without the problem words: a blocked toilet is a problem too
_FACILITY = compile_terms(terms("domain", "facilities"))
_ASKS = compile_terms(terms("confirmation", "asking"))
_GENERAL_Q = compile_terms(terms("domain", "general"))
_PERSONAL = compile_terms(terms("domain", "personal"))
_EVERYDAY = compile_terms(terms("domain", "everyday"))
_COMPOSE = compile_terms(terms("domain", "compose"))
_PROBLEM = compile_terms(terms("domain", "problem"))
_QUESTION_ONLY = compile_terms([*terms("intents", "kb_question"), *terms("fillers"),
                                *terms("intents", "chitchat"), *terms("domain", "vague")])
_WORD = re.compile(r"\w")
# weak verbs that say IT on their own (结单, 撤回, 升级): not those of reading or editing a ticket,
# which have everyday senses ("查一下快递", "climate change")
_CHANGE_VERBS = frozenset(n for n, t in TICKET_TOOLS.items() if not t.reads_only and "title" not in t.args.model_fields)


def _names_one(a: Analysis) -> bool:
    """A ticket or a draft is named: an id or a reference."""
    return bool(a.refs.ticket_ids or a.refs.draft_ids or a.refs.ticket_ref or a.refs.draft_ref)


def about_it(a: Analysis) -> bool:
    """True when the message says anything about IT, a ticket or a problem (a train ticket or a
    cinema ticket is no ticket; a blocked toilet is a problem of the building's)."""
    if about_facilities(a):
        return False
    named = _names_one(a)
    spans = [m.span() for m in _EVERYDAY.finditer(a.folded)]  # "near the Bangalore office", "the canteen closes"
    tool_words = any((k.kind in ("strong", "create", "filter") or k.target in _CHANGE_VERBS)
                     and not any(s <= k.hit.start < e for s, e in spans) for k in a.keywords)
    everyday = mask(a.folded, _EVERYDAY)
    return bool(named or tool_words or _DOMAIN.search(everyday) or category_of(everyday)
                or CATEGORY_LABELS.hits(everyday))


def about_facilities(a: Analysis) -> bool:
    """The building, its kit or HR with nothing of IT beside them ("the lift is stuck on 4",
    "茶水间的微波炉坏了", "what's the dress code for the party"): a problem word alone is no IT."""
    if _FACILITY.search(a.folded) is None:
        return False
    rest = mask(mask(a.folded, _FACILITY), _EVERYDAY)
    return not (_names_one(a) or _IT_WORDS.search(rest) or category_of(rest) or CATEGORY_LABELS.hits(rest)
                or any(k.kind in ("create", "filter") for k in a.keywords))


def general_question(a: Analysis) -> bool:
    """A how-to question about tickets in general: a question word, a word of "in general"
    (一般, 多久, 以后, how long, usually), nothing personal (我的, 帮我, my, please), no ticket named, and
    about IT at all ("请假流程怎么走" is out of scope)."""
    named = a.refs.ticket_ids or a.refs.ticket_ref or a.refs.ordinal is not None or a.refs.latest
    asks = a.kb_question or _ASKS.search(a.folded) is not None
    return bool(asks and not named and _GENERAL_Q.search(a.folded) and not _PERSONAL.search(a.folded)
                and about_it(a))


def names_a_problem(a: Analysis) -> bool:
    """A problem or a plea for help is in the message ("出问题了", "帮个忙", "not working")."""
    return _PROBLEM.search(_ASKING_A_QUESTION.sub(" ", a.folded)) is not None  # "来问问题" asks, it reports nothing


def composing(a: Analysis) -> bool:
    """Asks for text to be written, translated or summed up, with no problem word in it
    ("帮我 translate 一下这封邮件到日语", "rewrite this email to my landlord")."""
    return _COMPOSE.search(a.folded) is not None and not names_a_problem(a)


def plainly_it(a: Analysis) -> bool:
    """True when the message names a ticket, a tool, a symptom or a category: more than a word
    of the domain lists, which have everyday senses too ("help", "code", "tickets", "会议室")."""
    tool_words = any(k.kind in ("strong", "create") for k in a.keywords)
    return bool(_names_one(a) or tool_words or category_of(a.text) or CATEGORY_LABELS.hits(a.text))


def only_question_words(a: Analysis) -> bool:
    """True when nothing but question words, fillers and vague words is left ("为什么", "怎么搞的")."""
    return _WORD.search(_QUESTION_ONLY.sub(" ", a.folded)) is None


def little_else(a: Analysis) -> bool:
    """At most two other words (or three Chinese characters) besides question words, fillers and
    small talk: "yo, you up?", "你好，小助手在吗" greet; "how do you say hello in german" asks."""
    latin, chinese = other_words(a.folded)
    return latin <= 2 and chinese <= 3


def other_words(folded: str) -> tuple[int, int]:
    """(Latin words, Chinese characters) in folded text besides question words, fillers, vague
    words and small talk."""
    return word_counts(_QUESTION_ONLY.sub(" ", folded))


def word_counts(folded: str) -> tuple[int, int]:
    """(Latin words, Chinese characters) in folded text."""
    return len(_LATIN.findall(folded)), len(_CJK.findall(folded))


_LATIN = re.compile(r"[a-z0-9']+")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def just_a_noun(a: Analysis) -> bool:
    """True when the message is one device or product word and nothing else ("打印机", "computer")."""
    hits = _SYMPTOM_WORDS.hits(a.text)
    rest = _QUESTION_ONLY.sub(" ", fold(blank(a.text, hits)))
    return len(hits) == 1 and _WORD.search(rest) is None and _NOUN.fullmatch(fold(hits[0].term)) is not None


def just_a_verb(a: Analysis) -> bool:
    """True when the message is a symptom with nothing it happens to ("打不开", "连不上"): which
    thing does not open is the first question."""
    hits = _SYMPTOM_WORDS.hits(a.text)
    rest = _QUESTION_ONLY.sub(" ", fold(blank(a.text, hits)))
    return bool(hits) and _WORD.search(rest) is None and all(
        _PROBLEM.fullmatch(fold(h.term)) or CANNOT.fullmatch(fold(h.term)) for h in hits)


# a verb and its result negated: it cannot be done (连不上, 打不开, 用不了, 等不了): a symptom or a
# reason, never a "don't"
CANNOT = re.compile("[连登打开关进上用修装找收发播看听加载启等受忍扛拖撑耗]不[上开动进到出起住了来]")
_ASKING_A_QUESTION = re.compile("问问题|问个问题|问一个问题|问几个问题|请教个?问题")
_SYMPTOM_WORDS = Lexicon({"symptom": [w for c in vocab()["categories"].values()
                                      for w in [*(c.get("strong") or []), *(c.get("weak") or [])]]})
_NOUN = compile_terms(terms("domain", "nouns"))

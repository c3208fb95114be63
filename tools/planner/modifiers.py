"""How a keyword is used: plainly, negated ("不取消"), asked about ("怎么取消"), asked of
("关了吗"), or describing a ticket ("关掉的那个单帮我重开": the closed one, no request to close)."""

from __future__ import annotations

import re
from typing import Literal

from tools.planner.lexicon import Hit, alternation, fold
from tools.planner.vocab import terms

Modifier = Literal["plain", "negated", "asked", "status", "described"]

_WINDOW = 40  # characters before a keyword that can still modify it


def _zh_before(heads: list[str], *, questions: bool = False) -> re.Pattern[str]:
    """`heads` (then up to two bridge words such as 要/帮我) right before the keyword.

    With `questions`, a 不 inside an A-not-A question ("能不能", "要不", "可不可以") is no head.
    """
    bridge = alternation(terms("negation", "zh_bridge"))
    guard = "(?<![能可是行好会要])" if questions else ""
    return re.compile(f"{guard}(?:{alternation(heads)})(?:{bridge}){{0,2}}\\s*$")


def _en_before(heads: list[str], *, reach: int) -> re.Pattern[str]:
    """`heads`, then at most `reach` words (none of them a breaker), right before the keyword."""
    breakers = alternation(terms("negation", "en_breakers"))
    word = f"(?!(?:{breakers}))[A-Za-z']+\\s+"
    return re.compile(f"(?:{alternation(heads)})\\s+(?:{word}){{0,{reach}}}$")


_NEGATED = (_zh_before(terms("negation", "zh"), questions=True), _en_before(terms("negation", "en"), reach=3))
_NEGATED_AFTER = re.compile(f"\\s*(?:{alternation(terms('negation', 'zh_after'))})")
_ASKED = (_zh_before(terms("asked", "zh")), _en_before(terms("asked", "en"), reach=2))
_STATUS_BEFORE = (
    re.compile(f"(?:{alternation(terms('status_question', 'zh_before'))})\\s*$"),
    _en_before(terms("status_question", "en_before"), reach=1),
)
_STATUS_AFTER = re.compile(f"\\s*(?:{alternation(terms('status_question', 'zh_after'))})")


def modifier(folded: str, hit: Hit) -> Modifier:
    """How `hit` is used in the folded message; negation beats a question, a question a request."""
    before = folded[max(0, hit.start - _WINDOW):hit.start]
    if any(p.search(before) for p in _NEGATED) or _NEGATED_AFTER.match(folded, hit.end):
        return "negated"
    if any(p.search(before) for p in _ASKED):
        return "asked"
    if any(p.search(before) for p in _STATUS_BEFORE) or _STATUS_AFTER.match(folded, hit.end):
        return "status"
    if hit.label == "create" and (_REPORTED.match(folded, hit.end) or _REPORTED_BEFORE.search(before)):
        return "status"  # "我昨天报修的那个单", "我的报修单": a ticket already opened, asked about
    if hit.label.startswith("weak:") and fold(hit.term) in _SEE and _WAIT_BEFORE.search(before):
        return "described"  # "我再等两天看看": wait and see, no request to show it
    if hit.label.startswith(("strong:", "weak:")) and (
            _DESCRIBED.match(folded, hit.end) or _WHEN_AFTER.match(folded, hit.end) or _WHEN_BEFORE.search(before)):
        return "described"  # "最近关掉的那个单", "before you resolve it, add a note", "关之前帮我加个备注"
    return "plain"


# "最新的报修已经修好了": the newest report, a ticket already opened
_SEE = frozenset({"看看", "看一下", "看下", "看一看"})
_WAIT_BEFORE = re.compile(r"(?:再|等(?:等|一下|一会儿?|[两几一]天|一两天|[两几一]周)?)\s*$")
_REPORTED_BEFORE = re.compile(r"(?:最近|最新|上次|上一次|上一个|上个|之前|前几天)(?:的)?(?:那个|那张|那次|一次)?\s*$")
# "我的报修单", "报修了三天了": a ticket already opened
_REPORTED = re.compile(r"\s*(?:的(?!话)|单|过的|了的|[记纪]录|历史"
                       r"|[^，,。.?？\s]{1,8}?的\s*(?:单子|工单|单(?![位据号价元词独纯]))"  # 报修打印机的单子
                       r"|(?:了|过)\s*(?:好|快)?(?:几|一|两|三|四|五|半|[0-9]+)\s*(?:个)?\s*(?:天|周|星期|礼拜|小时|月))")
_WHEN_BEFORE = re.compile(r"\b(?:(?:before|after|until|once|if|unless|what if)\s+(?:you\s+|we\s+|i\s+|they\s+)?"
                          r"|(?:i'?ll|i will|i can|we'?ll)\s+(?:just\s+|then\s+)?"  # "I'll close it myself later"
                          r"|(?:did|have|had|has)\s+(?:i|we|you|it|they|someone|anyone|somebody|anybody|the team)\s+)$")
_WHEN_AFTER = re.compile(r"\s*(?:掉|了|完)?\s*(?:它|这个单|那个单|工单)?\s*(?:之前|以前|前|之后|以后)")
_DESCRIBED = re.compile(r"(?:掉|了|过|完)?的\s*(?:那个|这个|那张|这张|那些|这些|那几个|这几个|那几张)?"
                        r"\s*(?:工单|单子|单|ticket)")


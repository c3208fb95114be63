"""Extractive answers (rules/degraded mode): the best passages, trimmed and cited, or an honest no."""

from __future__ import annotations

from tools.kb.models import KbAnswer, KbHit

PASSAGE_CHARS = 700
SECOND_SOURCE_RATIO = 0.85  # a runner-up this close to the best article is cited too

_NO_ANSWER = {
    "zh": "抱歉，知识库里没有找到与你的问题相符的文章。需要我帮你提交一个工单，让 IT 同事跟进吗？",
    "en": "Sorry, I couldn't find a knowledge-base article that matches your question. "
          "Would you like me to open a ticket so the IT team can follow up?",
}
_INTRO = {"zh": "根据知识库文章《{title}》（{doc_id}）：", "en": 'From the knowledge-base article '
          '"{title}" ({doc_id}):'}
_SEE_ALSO = {"zh": "另请参阅《{title}》（{doc_id}）。", "en": 'See also "{title}" ({doc_id}).'}
_OUTRO = {"zh": "如果这没有解决你的问题，我可以帮你提交工单。",
          "en": "If this doesn't solve it, I can open a ticket for you."}


def trim_passage(text: str, limit: int = PASSAGE_CHARS) -> str:
    """The passage body (its first line is the title) cut at a line end within `limit`."""
    body = text.split("\n", 1)[-1].strip()
    if len(body) <= limit:
        return body
    cut = body.rfind("\n", 0, limit)
    return body[: cut if cut > limit // 2 else limit].rstrip() + " …"


def citation(hit: KbHit) -> dict[str, str]:
    """What a citation carries in results: the article id, its title and a snippet."""
    return {"doc_id": hit.doc_id, "title": hit.title, "snippet": hit.snippet}


def sources(hits: list[KbHit]) -> list[KbHit]:
    """The best article, plus the runner-up when it scores almost as well."""
    if len(hits) > 1 and hits[1].score >= hits[0].score * SECOND_SOURCE_RATIO:
        return hits[:2]
    return hits[:1]


def not_found(lang: str, hits: list[KbHit], retrieval: str) -> KbAnswer:
    """No article is good enough: say so and offer a ticket; never guess."""
    return KbAnswer(found=False, reply=_NO_ANSWER.get(lang, _NO_ANSWER["en"]), citations=[],
                    hits=hits, retrieval=retrieval)


def extractive(lang: str, hits: list[KbHit]) -> KbAnswer:
    """Reply with the best passage verbatim, cite it (and a close runner-up)."""
    lang = lang if lang in _INTRO else "en"
    cited = sources(hits)
    best = cited[0]
    parts = [_INTRO[lang].format(title=best.title, doc_id=best.doc_id), trim_passage(best.text)]
    parts += [_SEE_ALSO[lang].format(title=h.title, doc_id=h.doc_id) for h in cited[1:]]
    parts.append(_OUTRO[lang])
    return KbAnswer(found=True, reply="\n\n".join(parts), citations=[citation(h) for h in cited],
                    hits=hits, retrieval=best.retrieval)

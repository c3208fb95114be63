"""Extractive answers (rules/degraded mode): the best passages, trimmed and cited, or an honest no."""

from __future__ import annotations

from tools.kb.models import KbAnswer, KbHit
from tools.replies import Lang, say_in

PASSAGE_CHARS = 700
SECOND_SOURCE_RATIO = 0.85  # a runner-up this close to the best article is cited too



def reply_lang(lang: str) -> Lang:
    """The reply language for a question detected as `lang` (Chinese, else English)."""
    return "zh" if lang == "zh" else "en"


def section_of(hit: KbHit) -> str:
    """The heading of the hit's passage ("" for an article's introduction)."""
    head = hit.text.split("\n", 1)[0]
    prefix = f"{hit.title} — "
    return head[len(prefix):] if head.startswith(prefix) else ""


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
    return KbAnswer(found=False, reply=say_in("kb", "no_answer", reply_lang(lang)), citations=[],
                    hits=hits, retrieval=retrieval)


def extractive(lang: str, hits: list[KbHit]) -> KbAnswer:
    """Reply with the best passage verbatim, cite it (and a close runner-up)."""
    lg = reply_lang(lang)
    cited = sources(hits)
    best = cited[0]
    section = section_of(best)
    intro = say_in("kb", "intro_section" if section else "intro", lg, title=best.title,
                   doc_id=best.doc_id, section=section)
    parts = [intro, trim_passage(best.text)]
    parts += [say_in("kb", "see_also", lg, title=h.title, doc_id=h.doc_id) for h in cited[1:]]
    parts.append(say_in("kb", "outro", lg))
    return KbAnswer(found=True, reply="\n\n".join(parts), citations=[citation(h) for h in cited],
                    hits=hits, retrieval=best.retrieval)

from pathlib import Path

import pytest
from pydantic import ValidationError

from tools.kb.answer import extractive, not_found, trim_passage
from tools.kb.ingest import ARTICLES_DIR, load_articles, parse_article
from tools.kb.models import KbDocument, KbHit, KbIngestError
from tools.kb.ranking import snippet


def hit(doc_id: str, score: float, text: str = "Title\nline one\nline two") -> KbHit:
    return KbHit(doc_id=doc_id, title=f"T {doc_id}", snippet="line one", score=score, text=text,
                 lang="en", retrieval="hybrid")


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


GOOD = "---\ndoc_id: a-1\ntitle: Printer help\nlang: en\ntags: [printer]\n---\n# Printer help\nText"


def test_extractive_answer_quotes_and_cites_the_best_article() -> None:
    answer = extractive("en", [hit("a", 0.6), hit("b", 0.2)])
    assert answer.found and answer.retrieval == "hybrid"
    assert [c["doc_id"] for c in answer.citations] == ["a"]
    assert set(answer.citations[0]) == {"doc_id", "title", "snippet"}
    assert "(a)" in answer.reply and "line one" in answer.reply


def test_a_close_runner_up_is_cited_too() -> None:
    answer = extractive("zh", [hit("a", 0.6), hit("b", 0.55)])
    assert [c["doc_id"] for c in answer.citations] == ["a", "b"]
    assert answer.reply.startswith("根据知识库文章《T a》（a）")


@pytest.mark.parametrize(("lang", "words"), [("zh", "工单"), ("en", "ticket"), ("fr", "ticket")])
def test_no_answer_offers_a_ticket_in_the_question_language(lang: str, words: str) -> None:
    answer = not_found(lang, [], "hybrid")
    assert not answer.found and answer.citations == [] and words in answer.reply


def test_trim_passage_cuts_at_a_line_end() -> None:
    text = "Title\n" + "\n".join(f"line {i} " + "x" * 50 for i in range(40))
    trimmed = trim_passage(text, limit=300)
    assert len(trimmed) <= 302 and trimmed.endswith(" …") and not trimmed.startswith("Title")


def test_snippet_is_the_line_sharing_most_terms_with_the_query() -> None:
    passage = "VPN — Errors\n- Check your Wi-Fi first.\n- **Gateway unreachable**: switch gateway."
    assert snippet(passage, "the gateway is unreachable") == "Gateway unreachable: switch gateway."


def test_kb_document_validation() -> None:
    KbDocument(doc_id="ok_id.1-x", title="t", body="b")
    for bad in ({"doc_id": "bad id"}, {"title": " "}, {"body": ""}, {"tags": [""]},
                {"doc_id": "x" * 65}, {"lang": "Chinese"}):
        with pytest.raises(ValidationError):
            KbDocument(**{"doc_id": "d", "title": "t", "body": "b", **bad})


def test_parse_article_reads_front_matter(tmp_path: Path) -> None:
    doc = parse_article(write(tmp_path, "a.md", GOOD))
    assert (doc.doc_id, doc.title, doc.lang, doc.tags) == ("a-1", "Printer help", "en", ["printer"])
    assert doc.body.startswith("# Printer help")


@pytest.mark.parametrize(("text", "field"), [
    ("# no front matter", None),
    ("---\ndoc_id: a\ntitle: t\n", None),
    ("---\ndoc_id: [a\n---\nbody", None),
    ("---\ntitle: t\n---\nbody", "doc_id"),
    ("---\ndoc_id: a\n---\nbody", "title"),
    ("---\ndoc_id: not valid!\ntitle: t\n---\nbody", "doc_id"),
    ("---\ndoc_id: a\ntitle: t\ntitel: t\n---\nbody", "titel"),
    ("---\ndoc_id: a\ntitle: t\ntags: vpn\n---\nbody", "tags"),
    ("---\ndoc_id: a\ntitle: t\n---\n   ", "body"),
])
def test_bad_front_matter_names_the_file_and_field(tmp_path: Path, text: str,
                                                   field: str | None) -> None:
    path = write(tmp_path, "bad.md", text)
    with pytest.raises(KbIngestError) as err:
        parse_article(path)
    assert str(path) in str(err.value)
    assert err.value.field == field
    if field:
        assert repr(field) in str(err.value)


def test_duplicate_doc_ids_in_one_batch_are_rejected(tmp_path: Path) -> None:
    write(tmp_path, "a.md", GOOD)
    write(tmp_path, "b.md", GOOD)
    with pytest.raises(KbIngestError, match="also used by"):
        load_articles([tmp_path])


def test_missing_path_is_an_ingest_error(tmp_path: Path) -> None:
    with pytest.raises(KbIngestError, match="no such file"):
        load_articles([tmp_path / "nope.md"])


def test_the_sample_kb_is_bilingual_and_complete() -> None:
    docs = load_articles([ARTICLES_DIR])
    by_lang = {lang: {d.doc_id.rsplit("-", 1)[0] for d in docs if d.lang == lang}
               for lang in ("zh", "en")}
    assert len(by_lang["zh"]) >= 24 and by_lang["zh"] == by_lang["en"]
    assert all(d.doc_id.endswith(f"-{d.lang}") for d in docs)

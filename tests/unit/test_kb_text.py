import math

import pytest

from tools.kb.chunking import MAX_CHUNK_CHARS, chunk_markdown
from tools.kb.embeddings import HashingConfig, HashingEmbeddings, embedder_key
from tools.kb.lexical import keyword_score, term_weights
from tools.kb.synonyms import expansions
from tools.kb.text import keyword_text, terms
from tools.replies import lang_of


@pytest.mark.parametrize(("text", "lang"), [
    ("VPN 连不上了", "zh"),
    ("我的 Outlook 邮箱满了", "zh"),
    ("My VPN keeps dropping", "en"),
    ("", "en"),
    ("Outlook says 满", "en"),
])
def test_lang_of(text: str, lang: str) -> None:
    assert lang_of(text) == lang


def test_chinese_becomes_bigrams_split_at_function_characters() -> None:
    found = terms("我的电脑连不上网")
    assert "电脑" in found.cjk_bigrams
    assert not any("我" in b or "的" in b for b in found.cjk_bigrams)
    assert set("电脑连不上网") <= set(found.cjk_chars)


def test_english_drops_stop_words_and_joins_short_hyphenated_words() -> None:
    assert terms("How do I get on the Wi-Fi?").words == ["wi", "fi", "wifi"]


def test_keyword_text_only_has_safe_tokens() -> None:
    words, bigrams = keyword_text("VPN's 'gateway' | ! & 失败了")
    assert set(words.replace(" ", "")) <= set("abcdefghijklmnopqrstuvwxyz0123456789")
    assert bigrams == "失败"


def test_chunks_follow_headings_and_ignore_fenced_hashes() -> None:
    md = "# Title\nintro\n\n## Steps\n```\n# not a heading\n```\nstep\n\n## Empty\n\n## Last\nend"
    chunks = chunk_markdown(md)
    assert [c.heading for c in chunks] == ["Title", "Steps", "Last"]
    assert "# not a heading" in chunks[1].body
    assert chunks[1].text("Doc").startswith("Doc — Steps\n")
    assert chunks[0].text("Title").startswith("Title\n")


def test_long_sections_are_split_at_paragraphs() -> None:
    body = "\n\n".join("x" * 500 for _ in range(6))
    chunks = chunk_markdown("## Big\n" + body)
    assert len(chunks) >= 3
    assert all(len(c.body) <= MAX_CHUNK_CHARS for c in chunks)


def test_unknown_bigrams_next_to_known_words_weigh_nothing() -> None:
    # 电脑 is a known word: 在电/脑上 straddle word boundaries; 食堂 is a word the KB lacks.
    weights = term_weights({"电脑": 10, "在电": 0, "脑上": 0, "食堂": 0, "vpn": 3}, total=200)
    assert weights["在电"] == weights["脑上"] == 0.0
    assert weights["食堂"] > weights["vpn"] > weights["电脑"] > 0


def test_keyword_score_is_the_weighted_share_of_matched_terms() -> None:
    weights = {"a": 1.0, "b": 3.0}
    assert keyword_score(["b", "b"], weights) == pytest.approx(0.75)
    assert keyword_score([], weights) == 0.0
    assert keyword_score(["a"], {}) == 0.0


def test_thesaurus_adds_synonyms_of_words_present() -> None:
    extra = expansions("新员工入职第一天")
    assert "报到" in extra and "入职" not in extra
    assert expansions("nothing related here") == []
    assert "laptop" not in expansions("laptopstand")  # Latin terms match whole words only


def test_hashing_embeddings_are_deterministic_and_normalised() -> None:
    emb = HashingEmbeddings(HashingConfig(dim=64))
    a, b = emb.embed_documents(["VPN 连接失败", "VPN 连接失败"])
    assert a == b and len(a) == 64
    assert math.isclose(sum(v * v for v in a), 1.0, rel_tol=1e-9)
    assert emb.embed_query("") == [0.0] * 64


def test_similar_texts_are_closer_than_unrelated_ones() -> None:
    emb = HashingEmbeddings()
    q, near, far = emb.embed_documents(["打印机卡纸", "打印机卡纸了怎么办", "申请共享邮箱"])
    assert sum(x * y for x, y in zip(q, near, strict=True)) > sum(
        x * y for x, y in zip(q, far, strict=True))


def test_each_embedder_has_its_own_collection_key() -> None:
    assert embedder_key(HashingEmbeddings()) != embedder_key(HashingEmbeddings(HashingConfig(256)))

"""Section-level ranking: a passage gains for the question terms its title and heading name."""

from tools.kb.answer import section_of
from tools.kb.ranking import RankingConfig, fuse
from tools.kb.store import Passage

VPN = "VPN connection problems"
WIFI = "Connect to the office Wi-Fi"


def passage(doc: str, ord_: int, title: str, heading: str, body: str, lang: str = "en") -> Passage:
    head = title if not heading else f"{title} — {heading}"
    return Passage(f"{doc}#{ord_}", doc, title, lang, f"{head}\n{body}")


INTRO = passage("vpn-errors-en", 0, VPN, "", "Use this when the VPN will not connect or keeps dropping.")
DROPS = passage("vpn-errors-en", 4, VPN, "The VPN keeps disconnecting", "- Disable sleep mode.")
WIFI_DROPS = passage("wifi-office-en", 3, WIFI, "Wi-Fi is slow or drops", "- Move closer to an access point.")


def ranked(query: str, scored: list[tuple[Passage, float]], **config: float) -> list[str]:
    hits = fuse(query, "en", "keyword", RankingConfig(**config), None, scored, k=5)  # type: ignore[arg-type]
    return [f"{h.doc_id}:{section_of(h)}" for h in hits]


def test_the_section_naming_the_symptom_beats_the_introduction_listing_it() -> None:
    scored = [(INTRO, 0.5), (DROPS, 0.45)]
    assert ranked("vpn keeps dropping", scored)[0] == "vpn-errors-en:The VPN keeps disconnecting"
    # without the heading gain the introduction wins: the gain is what decides
    assert ranked("vpn keeps dropping", scored, title_weight=0, heading_weight=0)[0] == "vpn-errors-en:"


def test_the_article_about_the_named_product_wins_the_same_symptom() -> None:
    scored = [(DROPS, 0.5), (WIFI_DROPS, 0.45)]
    assert ranked("wifi keeps dropping", scored)[0].startswith("wifi-office-en:")
    assert ranked("vpn keeps dropping", scored)[0].startswith("vpn-errors-en:")


def test_a_question_naming_no_heading_keeps_the_fused_order() -> None:
    scored = [(INTRO, 0.5), (WIFI_DROPS, 0.45)]
    assert [h.split(":")[0] for h in ranked("something unrelated entirely", scored)] == [
        "vpn-errors-en", "wifi-office-en"]

"""The planner vocabulary: it matches the registry, bad data is refused, terms match as told."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tools.planner import lexicon
from tools.planner.lexicon import Lexicon, compile_terms, fold, normalize
from tools.planner.vocab import VOCAB_FILE, VocabError, tool_terms, validate, vocab
from tools.registry import TICKET_TOOLS

PLANNER = Path(lexicon.__file__).parent


def _raw() -> dict[str, Any]:
    return copy.deepcopy(vocab())


def test_every_registered_tool_has_words_and_no_other_tool_is_named() -> None:
    assert list(vocab()["tools"]) and set(vocab()["tools"]) == set(TICKET_TOOLS)
    for name in TICKET_TOOLS:
        assert tool_terms(name)


def test_no_tool_name_is_written_in_planner_code() -> None:
    for module in PLANNER.glob("*.py"):
        source = module.read_text(encoding="utf-8")
        named = [n for n in TICKET_TOOLS if f'"{n}"' in source or f"'{n}'" in source]
        assert not named, f"{module.name} names {named}: take tool names from the registry"


def _unknown_tool(d: dict[str, Any]) -> None:
    d["tools"]["delete_ticket"] = {"strong": ["删除工单"], "weak": []}


def _missing_tool(d: dict[str, Any]) -> None:
    del d["tools"]["get_ticket"]


def _wordless_tool(d: dict[str, Any]) -> None:
    d["tools"]["get_ticket"] = {"strong": [], "weak": []}


def _boolean_term(d: dict[str, Any]) -> None:
    d["confirmation"]["confirm"].append(True)  # what an unquoted `yes` becomes


def _bad_regex(d: dict[str, Any]) -> None:
    d["intents"]["kb_question"].append("re:(unclosed")


def _upper_case_regex(d: dict[str, Any]) -> None:
    d["intents"]["kb_question"].append("re:How\\s+to")


def _bad_category(d: dict[str, Any]) -> None:
    d["categories"]["printers"] = d["categories"].pop("hardware")


def _bad_priority(d: dict[str, Any]) -> None:
    d["priorities"]["levels"]["超高"] = "P0"


def _bad_list_status(d: dict[str, Any]) -> None:
    d["list_filters"]["ARCHIVED"] = ["archived tickets"]


@pytest.mark.parametrize("breaks", [_unknown_tool, _missing_tool, _wordless_tool, _boolean_term,
                                    _bad_regex, _upper_case_regex, _bad_category,
                                    _bad_priority, _bad_list_status])
def test_bad_vocabularies_are_refused(breaks: Any) -> None:
    data = _raw()
    validate(data)
    breaks(data)
    with pytest.raises(VocabError):
        validate(data)


def test_the_shipped_file_parses_to_the_loaded_vocabulary() -> None:
    text = (PLANNER / VOCAB_FILE).read_text(encoding="utf-8")
    assert yaml.safe_load(text) == vocab()


@pytest.mark.parametrize(("term", "text", "found"), [
    ("it", "close it", True),
    ("it", "edit the page", False),
    ("it", "it's fine", True),
    ("go ahead", "ok go   ahead", True),
    ("vpn", "VPN连不上", True),
    ("vpn", "openvpn client", False),
    ("取消", "不取消了", True),
    ("p1", "改成P1吧", True),
    ("wi-fi", "Wi-Fi down", True),
])
def test_terms_match_on_ascii_word_boundaries_and_cjk_substrings(term: str, text: str,
                                                                 found: bool) -> None:
    assert (compile_terms([term]).search(fold(normalize(text))) is not None) is found


def test_lexicon_prefers_the_leftmost_then_the_longest_term() -> None:
    lex = Lexicon({"p1": ["紧急"], "p4": ["不紧急"], "cancel": ["取消"], "tool": ["取消工单"]})
    hits = lex.hits("不紧急，取消工单")
    assert [(h.label, h.term) for h in hits] == [("p4", "不紧急"), ("tool", "取消工单")]


def test_lexicon_gives_a_shared_literal_to_the_first_label() -> None:
    assert [h.label for h in Lexicon({"a": ["cancel"], "b": ["cancel"]}).hits("Cancel")] == ["a"]


@pytest.mark.parametrize("text", ["İstanbul VPN", "ＯＫ，确认", "Straße", "ǅ"])
def test_fold_keeps_every_offset(text: str) -> None:
    assert len(fold(text)) == len(text)


def test_normalize_turns_full_width_into_ascii_but_keeps_chinese_punctuation() -> None:
    assert normalize("  ＯＫ，ｙｅｓ！　ＴＣＫ－２０２６  ") == "OK，yes！ TCK-2026"
    assert re.fullmatch(r"[\w ，！-]+", normalize("ＯＫ，ｙｅｓ！"))

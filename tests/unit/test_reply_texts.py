"""The reply data files: loaded once, same keys and placeholders in every language."""

import pytest

from tools.replies import LANGS, TextsError, check_same_shape, field_list, say, texts


def test_every_language_has_the_same_sections_keys_and_placeholders() -> None:
    loaded = texts()
    assert set(loaded) == set(LANGS)
    check_same_shape(loaded)  # what loading checked, asserted here once more
    assert texts() is loaded  # loaded once


@pytest.mark.parametrize(("zh", "en", "problem"), [
    ({"templates": {"a": "x"}}, {"templates": {"a": "x"}, "more": {}}, "sections"),
    ({"templates": {"a": "x"}}, {"templates": {"a": "x", "b": "y"}}, "b"),
    ({"templates": {"a": "{ticket_id} 已取消"}}, {"templates": {"a": "Cancelled {ticket}"}}, "placeholders"),
])
def test_shape_differences_are_refused(zh: dict[str, dict[str, str]], en: dict[str, dict[str, str]],
                                       problem: str) -> None:
    with pytest.raises(TextsError, match=problem):
        check_same_shape({"zh": zh, "en": en})


def test_say_fills_a_template_in_each_language() -> None:
    assert "TCK-2026-AB12CD" in say("close_ticket", "zh", ticket_id="TCK-2026-AB12CD")
    assert "TCK-2026-AB12CD" in say("close_ticket", "en", ticket_id="TCK-2026-AB12CD")
    assert field_list(["title", "priority"], "zh") == "标题、优先级（紧急/高/中/低）"

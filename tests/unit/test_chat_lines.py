"""`helpdesk chat` describes results in the words and the language of the reply."""

from server.chat import describe

TICKET = {"ticket_id": "TCK-2026-AB12CD", "title": "VPN drops", "status": "IN_PROGRESS",
          "priority": "P1", "category": "network"}


def test_a_chinese_result_is_described_in_chinese_words() -> None:
    lines = describe({"reply": "工单已更新。", "ticket": TICKET, "status": "REJECTED",
                      "reason": "INVALID_TRANSITION",
                      "draft": {"draft_id": "DRF-2026-EF34GH", "missing_fields": ["category"]}})
    assert lines[0] == "  [工单 TCK-2026-AB12CD] 处理中，紧急优先级，网络：VPN drops"
    assert lines[1].startswith("  [草稿 DRF-2026-EF34GH] 还需要：类别（网络/")
    assert lines[2] == "  [未执行：工单当前状态不允许该操作]"


def test_an_english_result_names_no_codes() -> None:
    lines = describe({"reply": "Updated.", "ticket": TICKET,
                      "citations": [{"doc_id": "vpn-errors-en", "title": "VPN connection problems"}]})
    assert lines == ["  [ticket TCK-2026-AB12CD] in progress, urgent priority, network: VPN drops",
                     "  [source vpn-errors-en] VPN connection problems"]

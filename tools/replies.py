"""Reply texts for people, in Chinese and English, keyed by situation."""

from __future__ import annotations

import re
from typing import Any, Literal

Lang = Literal["zh", "en"]
_CJK = re.compile(r"[\u4e00-\u9fff]")

TEMPLATES: dict[str, tuple[str, str]] = {
    "ticket_created": ("已为你创建工单 {ticket_id}：{title}（{category}，{priority}）。",
                       "Created ticket {ticket_id}: {title} ({category}, {priority})."),
    "draft_created": ("已保存草稿 {draft_id}，还需要：{missing}。请补充。",
                      "Saved draft {draft_id}. Still needed: {missing}. Please tell me."),
    "draft_updated": ("草稿 {draft_id} 已更新，还需要：{missing}。",
                      "Draft {draft_id} updated. Still needed: {missing}."),
    "draft_consumed": ("草稿 {draft_id} 已补全，已创建工单 {ticket_id}：{title}。",
                       "Draft {draft_id} is complete: created ticket {ticket_id}: {title}."),
    "get_ticket": ("工单 {ticket_id}「{title}」状态：{status}，优先级 {priority}，升级级别 {escalation_level}。",
                   "Ticket {ticket_id} \"{title}\": {status}, priority {priority}, "
                   "escalation level {escalation_level}."),
    "list_my_tickets": ("你有 {count} 张工单：{items}", "You have {count} ticket(s): {items}"),
    "list_empty": ("你目前没有工单。", "You have no tickets."),
    "add_comment": ("已在工单 {ticket_id} 上添加评论。", "Added your comment to {ticket_id}."),
    "update_ticket": ("已更新工单 {ticket_id}：{changes}。", "Updated {ticket_id}: {changes}."),
    "escalate_ticket": ("工单 {ticket_id} 已升级到第 {escalation_level} 级。",
                        "Escalated {ticket_id} to level {escalation_level}."),
    "cancel_ticket": ("工单 {ticket_id} 已取消。", "Cancelled {ticket_id}."),
    "close_ticket": ("工单 {ticket_id} 已关闭。", "Closed {ticket_id}."),
    "reopen_ticket": ("工单 {ticket_id} 已重新打开。", "Reopened {ticket_id}."),
    "resolve_ticket": ("工单 {ticket_id} 已标记为已解决。", "Marked {ticket_id} resolved."),
    "confirm_needed": ("即将对 {target} 执行「{tool}」。请回复「确认」或「取消」（{minutes} 分钟内有效）。",
                       "About to run {tool} on {target}. Reply \"yes\" to confirm or \"cancel\" "
                       "(valid for {minutes} minutes)."),
    "action_cancelled": ("好的，已取消该操作，未做任何更改。", "OK, cancelled. Nothing was changed."),
    "need_ticket": ("你指的是哪张工单？请提供工单号（如 TCK-2026-AB12CD）。",
                    "Which ticket do you mean? Please give its id (e.g. TCK-2026-AB12CD)."),
    "need_draft": ("没有找到可继续的草稿，请提供草稿号（如 DRF-2026-AB12CD）或重新描述问题。",
                   "I can't find a draft to continue. Give its id (e.g. DRF-2026-AB12CD) or "
                   "describe the problem again."),
    "need_fields": ("还需要以下信息：{missing}。", "I still need: {missing}."),
    "chitchat": ("你好！我可以回答 IT 问题、帮你提工单或处理已有工单。",
                 "Hi! I can answer IT questions, open tickets, or act on your existing tickets."),
    "rejected": ("无法执行：{reason}。", "Can't do that: {reason}."),
}

REASONS: dict[str, tuple[str, str]] = {
    "TICKET_NOT_FOUND": ("找不到该工单", "ticket not found"),
    "DRAFT_NOT_FOUND": ("找不到该草稿", "draft not found"),
    "DRAFT_NOT_ACTIVE": ("该草稿已使用或已过期，不能继续", "that draft was already used or has expired"),
    "INVALID_TRANSITION": ("工单当前状态不允许该操作", "the ticket's status does not allow it"),
    "FORBIDDEN": ("你没有权限执行该操作", "you are not allowed to do that"),
    "UNKNOWN_TOOL": ("不支持的操作", "unknown action"),
    "INVALID_ARGS": ("参数不正确", "invalid arguments"),
    "MAX_ESCALATION": ("工单已是最高升级级别", "the ticket is already at the top escalation level"),
    "CONFLICT": ("工单刚被其他人修改，请重试", "the ticket changed meanwhile; try again"),
    "CONFIRMATION_EXPIRED": ("确认已过期，请重新发起", "the confirmation expired; ask again"),
    "INVALID_CONFIRM_TOKEN": ("确认口令无效", "invalid confirmation token"),
    "NOTHING_TO_CONFIRM": ("当前没有待确认的操作", "there is nothing to confirm"),
    "LLM_PLAN_INVALID": ("无法理解该请求", "could not understand the request"),
    "LLM_OVER_CAP": ("本次请求的模型调用已达上限", "this request reached its model-call limit"),
}

FIELD_NAMES: dict[str, tuple[str, str]] = {
    "title": ("标题", "title"), "description": ("问题描述", "description"),
    "category": ("类别（网络/账号/硬件/软件/权限/邮件/其他）",
                 "category (network/account/hardware/software/access/email/other)"),
    "priority": ("优先级", "priority"), "ticket_id": ("工单号", "ticket id"),
    "draft_id": ("草稿号", "draft id"), "comment": ("评论内容", "comment text"),
}


def lang_of(text: str | None) -> Lang:
    """`zh` when the text has any CJK character, else `en`."""
    return "zh" if text and _CJK.search(text) else "en"


def say(key: str, lang: Lang, **values: Any) -> str:
    """The template for `key` in `lang`, filled with `values`."""
    zh, en = TEMPLATES[key]
    return (zh if lang == "zh" else en).format(**values)


def reason_text(code: str, lang: Lang) -> str:
    """A person-readable rendering of a reason code."""
    zh, en = REASONS.get(code, (code, code))
    return zh if lang == "zh" else en


def field_list(fields: list[str], lang: Lang) -> str:
    """Field names joined for a reply."""
    sep = "、" if lang == "zh" else ", "
    return sep.join(FIELD_NAMES.get(f, (f, f))[0 if lang == "zh" else 1] for f in fields)

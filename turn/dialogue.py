"""Replies of the dialogue policy: small talk, clarifying questions, a waiting action asked again.

These word what the planner decided (tools/planner/opinion.py, tools/planner/answers.py); the
texts are the `dialogue` and `options` sections of tools/text/{zh,en}.yaml.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from tools.crud.pending import PendingAction, pending_public
from tools.planner.plan import Talk
from tools.replies import Lang, confirm_prompt, say, say_in

_TALK_KEYS = {Talk.GREETING: "greeting", Talk.THANKS: "thanks", Talk.BYE: "bye",
              Talk.OUT_OF_SCOPE: "out_of_scope", Talk.NOTHING: "nothing"}


def talk_reply(args: Mapping[str, Any], lang: Lang) -> str:
    """The reply to a chitchat plan: by its talk kind; a plan without one gets the greeting."""
    kind = args.get("talk")
    if kind == Talk.CLARIFY:
        first, second = [*(args.get("options") or []), "create_ticket", "ticket_op.get"][:2]
        return say_in("dialogue", "clarify", lang, first=say_in("options", first, lang),
                      second=say_in("options", second, lang))
    if kind in _TALK_KEYS:
        return say_in("dialogue", _TALK_KEYS[Talk(kind)], lang)
    return say("chitchat", lang)


def ask_again(action: PendingAction, lang: Lang, *, key: str = "still_pending") -> dict[str, Any]:
    """The waiting action asked about again, in words; it keeps waiting (NEED_CONFIRMATION).

    `key`: still_pending (neither yes nor no), ambiguous_cancel (取消 while a cancel waits),
    pending_reminder / pending_bye / pending_greeting (small talk said back, and the question asked
    again) or pending_aside (an out-of-scope question in passing: declined, the question asked again).
    """
    left = (action.expires_at - datetime.now(UTC)).total_seconds()
    prompt = confirm_prompt(action.tool, action.target, max(1, math.ceil(left / 60)), lang)
    reply = say_in("dialogue", key, lang, prompt=prompt)
    return {"status": "NEED_CONFIRMATION", "intent": "ticket_op", "reply": reply,
            "tool": action.tool, "pending_action": pending_public(action)}


def superseded_notice(resolved: Mapping[str, Any], lang: Lang) -> str | None:
    """"(I dropped the waiting request to escalate TCK-…) " to put before this turn's reply."""
    dropped = resolved.get("superseded")
    if not dropped:
        return None
    notice = say_in("dialogue", "superseded", lang, tool=dropped["tool"], target=dropped["target"] or "")
    return notice if lang == "zh" else f"{notice} "

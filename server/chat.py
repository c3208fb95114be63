"""`helpdesk chat`: a terminal conversation over /agent/stream, asking y/n on confirmations."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx

from tools.replies import Lang, confirm_word, decline_word, field_list, lang_of, reason_text, say_in

Ask = Callable[[str], str]


def sse_events(lines: Iterator[str]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(event, data) pairs from the lines of a text/event-stream (comments skipped)."""
    event, data = "message", list[str]()
    for line in lines:
        if not line:
            if data:
                yield event, json.loads("\n".join(data))
            event, data = "message", list[str]()
        elif line.startswith("event:"):
            event = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].removeprefix(" "))


def describe(result: dict[str, Any], lang: Lang | None = None) -> list[str]:
    """Lines about the ticket, draft, citations and refusal of a result, in the reply's language."""
    lg = lang or lang_of(result.get("reply"))
    lines = []
    if ticket := result.get("ticket"):
        lines.append(say_in("chat", "ticket_line", lg, **ticket))
    if draft := result.get("draft"):
        missing = field_list(draft.get("missing_fields") or [], lg) or say_in("chat", "nothing_missing", lg)
        lines.append(say_in("chat", "draft_line", lg, draft_id=draft["draft_id"], missing=missing))
    lines += [say_in("chat", "source_line", lg, **c) for c in result.get("citations") or []]
    if result.get("status") == "REJECTED" and result.get("reason"):
        lines.append(say_in("chat", "rejected_line", lg, reason=reason_text(result["reason"], lg)))
    return lines


class ChatSession:
    """One person's conversation: the thread it is on and how to talk to the server."""

    def __init__(self, client: httpx.Client, thread_id: str | None, ask: Ask = input,
                 out: Callable[..., None] = print) -> None:
        self.client, self.thread_id, self.ask, self.out = client, thread_id, ask, out
        self.lang: Lang = "en"  # the language of the last reply: the y/n question speaks it

    def say(self, message: str) -> dict[str, Any] | None:
        """Send one message; confirmations are asked for and sent right away."""
        return self._turn("/agent/stream", {"message": message, "thread_id": self.thread_id})

    def _turn(self, path: str, body: dict[str, Any]) -> dict[str, Any] | None:
        with self.client.stream("POST", path, json=body) as response:
            if response.status_code != 200:
                response.read()
                self._show_error(response.json())
                return None
            result = self._consume(sse_events(response.iter_lines()))
        if result and result.get("status") == "NEED_CONFIRMATION" and result.get("pending_action"):
            return self._confirm(result["pending_action"])
        return result

    def _consume(self, events: Iterator[tuple[str, dict[str, Any]]]) -> dict[str, Any] | None:
        result, streamed = None, False
        for event, data in events:
            if event == "metadata":
                self.thread_id = data["thread_id"]
            elif event == "token":
                streamed = True
                self.out(data["text"], end="", flush=True)
            elif event == "result":
                result = data
            elif event == "error":
                self._show_error(data)
        if result is not None:
            self.lang = lang_of(result["reply"])
            self.out("" if streamed else result["reply"])
            for line in describe(result):
                self.out(line)
        return result

    def _confirm(self, pending: dict[str, Any]) -> dict[str, Any] | None:
        """Ask y/N with the very words the reply offered ("确认" / "保留"), then send the decision."""
        tool, lg = pending.get("tool"), self.lang
        yes = confirm_word(lg)
        answer = self.ask(say_in("chat", "ask", lg, confirm=yes, decline=decline_word(tool, lg)))
        agreed = {"y", "yes", yes.lower(), confirm_word("zh"), confirm_word("en")}
        decision = "confirm" if answer.strip().lower() in agreed else "cancel"
        body = {"decision": decision, "confirm_token": pending.get("confirm_token")}
        return self._turn(f"/threads/{self.thread_id}/resume/stream", body)

    def _show_error(self, body: dict[str, Any]) -> None:
        error = body.get("error") or {}
        code, message, trace = error.get("code"), error.get("message"), error.get("trace_id")
        self.out(f"  [error {code}] {message} (trace {trace})")


def identity_headers(*, token: str | None, user: str | None, department: str | None,
                     role: str | None) -> dict[str, str]:
    """Authorization (JWT) or the dev identity headers."""
    if token:
        return {"Authorization": f"Bearer {token}"}
    pairs = {"X-User-Id": user, "X-Department": department, "X-Role": role}
    return {k: v for k, v in pairs.items() if v}


def chat(*, url: str, thread_id: str | None, headers: dict[str, str], ask: Ask = input) -> int:
    """Talk until EOF or /quit (`/new` starts a new thread)."""
    timeout = httpx.Timeout(120.0, connect=5.0)
    with httpx.Client(base_url=url, headers=headers, timeout=timeout) as client:
        session = ChatSession(client, thread_id, ask)
        print(f"helpdesk chat on {url} — /new for a new thread, /quit to leave")
        while True:
            try:
                line = ask("> ").strip()
            except (EOFError, KeyboardInterrupt):
                print()
                return 0
            if line in ("/quit", "/exit"):
                return 0
            if line == "/new":
                session.thread_id = None
            elif line:
                _safely(session, line)


def _safely(session: ChatSession, line: str) -> None:
    try:
        session.say(line)
    except httpx.HTTPError as exc:
        print(f"  [connection error] {exc}")

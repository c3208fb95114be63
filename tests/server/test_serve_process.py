"""The real `helpdesk serve`: embedded Postgres, SSE disconnects, stop, start again, resume."""

import shutil
import time

import httpx

from server.chat import ChatSession
from tests.server.helpers import sse, who
from tests.server.live import data_dir, postgres_processes, serving, stop, wait_no_postgres


def _pending_cancel(url: str, user: dict) -> dict:
    r = httpx.post(f"{url}/agent", json={"message": "我的VPN连不上了，帮我提个工单"}, headers=user)
    thread = r.json()["thread_id"]
    r = httpx.post(f"{url}/agent", json={"message": "帮我把这个工单取消掉", "thread_id": thread},
                   headers=user, timeout=10)
    assert r.json()["status"] == "NEED_CONFIRMATION", r.text
    return dict(r.json())


def _disconnect_mid_stream(url: str, user: dict, thread: str) -> None:
    body = {"message": "show my tickets", "thread_id": thread}
    with httpx.stream("POST", f"{url}/agent/stream", json=body, headers=user) as r:
        assert r.status_code == 200
        next(r.iter_lines())  # the first line of `metadata`, then hang up
    for _ in range(50):  # the run finishes by itself and releases the thread
        view = httpx.get(f"{url}/threads/{thread}", headers=user).json()
        if view["status"] != "busy":
            return
        time.sleep(0.1)
    raise AssertionError("thread stayed busy after the client went away")


def _chat_confirms_a_cancel(url: str, user: dict) -> None:
    printed: list[str] = []
    asked: list[str] = []

    def ask(prompt: str) -> str:
        asked.append(prompt)
        return "y"

    with httpx.Client(base_url=url, headers=user, timeout=30) as client:
        session = ChatSession(client, None, ask=ask,
                              out=lambda *a, **k: printed.append(" ".join(map(str, a))))
        created = session.say("我的VPN连不上了，帮我提个工单")
        assert created is not None and created["status"] == "OK"
        done = session.say("帮我把这个工单取消掉")
    assert done is not None and done["ticket"]["status"] == "CANCELLED"
    # the ticket line speaks the conversation's language: "[工单 TCK-…] 已取消" (was "[ticket TCK-…] CANCELLED")
    assert any("[工单 TCK-" in line and "已取消" in line for line in printed), printed
    # the y/N question offers the very words of the reply: 确认 to cancel, 保留 to keep it
    assert asked == ["[y = 确认，N = 保留] "] and any("回复「保留」" in line for line in printed), (asked, printed)


def test_stop_start_and_resume_an_interrupted_thread() -> None:
    data, user = data_dir(), who()
    pgdata = (data / "pg").resolve()
    with serving(data=data) as (url, proc):
        hits = httpx.get(f"{url}/kb/search", params={"q": "VPN"}, headers=user)
        assert hits.status_code == 200 and hits.json()
        other = httpx.post(f"{url}/agent", json={"message": "hi"}, headers=user).json()
        _disconnect_mid_stream(url, user, other["thread_id"])
        after = httpx.post(f"{url}/agent", json={"message": "hi", "thread_id": other["thread_id"]},
                           headers=user)
        assert after.status_code == 200
        _chat_confirms_a_cancel(url, who())
        pending = _pending_cancel(url, user)
        assert postgres_processes(pgdata)
        assert stop(proc) == 0
    assert wait_no_postgres(pgdata) == []
    with serving(data=data) as (url, proc):
        thread = pending["thread_id"]
        view = httpx.get(f"{url}/threads/{thread}", headers=user).json()
        assert view["status"] == "interrupted"
        body = {"decision": "confirm", "confirm_token": pending["pending_action"]["confirm_token"]}
        r = httpx.post(f"{url}/threads/{thread}/resume/stream", json=body, headers=user)
        events = sse(r.text)
        assert events[0][0] == "metadata" and events[-1][0] == "end"
        result = next(d for n, d in events if n == "result")
        assert result["status"] == "OK" and result["ticket"]["status"] == "CANCELLED"
        assert stop(proc) == 0
    assert wait_no_postgres(pgdata) == []
    shutil.rmtree(data, ignore_errors=True)


def test_dev_mode_refuses_public_bind() -> None:
    import subprocess

    from tests.server.live import HELPDESK, _env

    data = data_dir()
    r = subprocess.run([str(HELPDESK), "serve", "--host", "0.0.0.0", "--data-dir", str(data)],
                       env=_env(None, {}), capture_output=True, timeout=60)
    shutil.rmtree(data, ignore_errors=True)
    assert r.returncode == 2 and b"AUTH_JWT_SECRET" in r.stderr

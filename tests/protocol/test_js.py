"""The JS SDK (@langchain/langgraph-sdk from npm, run with node) as agent-chat-ui calls it."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

JS = Path(__file__).resolve().parents[1] / "js"


@pytest.fixture(scope="module")
def node_sdk() -> Path:
    """tests/js with its locked node_modules (`npm ci` once)."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.fail("node and npm are required (.ci/run installs them)")
    if not (JS / "node_modules" / "@langchain" / "langgraph-sdk").is_dir():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=JS, check=True, timeout=300,
                       capture_output=True)
    return JS


def test_js_sdk_streams_a_conversation_with_an_interrupt(server: str, node_sdk: Path) -> None:
    done = subprocess.run(["node", "chat.mjs", server, "js-user"], cwd=node_sdk, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["first_events"][0] == "metadata" and "messages" in out["first_events"]
    assert out["first_messages"][0] == ["human", "我的VPN连不上了，帮我提个工单"]
    assert out["first_messages"][1][0] == "ai"
    assert out["interrupt"]["action_requests"][0]["name"] == "cancel_ticket"
    assert out["state_interrupts"] == 1
    assert out["resumed"]["status"] == "OK" and out["resumed"]["ticket"]["status"] == "CANCELLED"
    assert out["thread_id"] in out["listed"] and out["history"] >= 2

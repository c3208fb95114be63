"""Interrupt in one process, resume by thread id in a brand-new process."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def turn_in_new_process(db_url: str, user: str, **payload: object) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "tests.integration.turn_process", db_url, user, json.dumps(payload)],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_interrupt_then_resume_in_a_fresh_process(db_url: str) -> None:
    user = f"u-{uuid.uuid4().hex[:6]}"
    created = turn_in_new_process(db_url, user, message="Outlook keeps asking for my password, please open a ticket")
    thread, ticket_id = created["thread_id"], created["ticket"]["ticket_id"]
    asked = turn_in_new_process(db_url, user, message=f"please cancel {ticket_id}", thread_id=thread)
    assert asked["status"] == "NEED_CONFIRMATION"
    done = turn_in_new_process(db_url, user, message="yes", thread_id=thread)
    assert done["status"] == "OK" and done["ticket"]["status"] == "CANCELLED"
    assert done["memory"]["pending_action_id"] is None

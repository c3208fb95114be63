"""Test-only failpoints: kill or stall this process at a named point of a turn.

    HELPDESK_FAILPOINT=after_domain_write:kill            # SIGKILL self there
    HELPDESK_FAILPOINT=before_checkpoint:stall:10         # freeze the process 10 s there
    HELPDESK_FAILPOINT=after_domain_write:raise           # fail the turn there (in-process tests)

Several, comma-separated. Read once, when this module is imported; unset in production, where
`hit()` is one dict lookup. The points, in the order a turn passes them:
  after_domain_write  a node's ticket/comment/draft/pending-action transaction has committed
  before_checkpoint   the turn's end-of-turn transaction is about to be sent
  after_checkpoint    it has committed (checkpoint, audit, transcript, response, lease)
  before_response     the result is about to reach the caller (JSON body or SSE `result`)
A stall blocks the event loop, as a frozen or swapped-out process would: its heartbeat stops.
"""

from __future__ import annotations

import os
import signal
import time
from enum import StrEnum


class Point(StrEnum):
    """Where a failpoint can fire."""

    AFTER_DOMAIN_WRITE = "after_domain_write"
    BEFORE_CHECKPOINT = "before_checkpoint"
    AFTER_CHECKPOINT = "after_checkpoint"
    BEFORE_RESPONSE = "before_response"


def parse(spec: str) -> dict[Point, tuple[str, float]]:
    """`point:kill` / `point:stall:seconds`, comma-separated → {point: (action, seconds)}."""
    armed: dict[Point, tuple[str, float]] = {}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        name, action, *rest = [*item.split(":"), ""]
        if action not in ("kill", "stall", "raise"):
            raise ValueError(f"HELPDESK_FAILPOINT: unknown action in {item!r} "
                             "(kill | stall:S | raise)")
        armed[Point(name)] = (action, float(rest[0] or 3600) if action == "stall" else 0.0)
    return armed


_ARMED = parse(os.environ.get("HELPDESK_FAILPOINT", ""))


def arm(spec: str) -> None:
    """Replace the armed failpoints (tests in this process)."""
    _ARMED.clear()
    _ARMED.update(parse(spec))


def hit(point: Point) -> None:
    """Fire the failpoint armed at `point`, if any."""
    if not _ARMED or (armed := _ARMED.get(point)) is None:
        return
    action, seconds = armed
    if action == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    if action == "raise":
        raise Failpoint(f"failpoint {point.value}")
    time.sleep(seconds)


class Failpoint(RuntimeError):
    """What a `raise` failpoint raises."""

"""What a run asks to commit with its turn's checkpoint (the saver, checkpoints.saver, runs it).

Below the nodes: finalize queues the turn's audit rows, transcript lines and the lease's release
here; the Runner (graph.runner) creates one per run and hands it to the saver in `configurable`
and to the nodes in the run context.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from langchain_core.runnables import RunnableConfig

TURN_WRITES = "helpdesk_turn_writes"
"""The `configurable` key under which a run hands the saver its TurnWrites."""

@dataclass
class TurnWrites:
    """Statements a run wants committed in the same transaction as its next checkpoint.

    The end of a turn writes its audit rows, its transcript lines and the thread's lease; the
    checkpoint is written right after. In one transaction they are one commit instead of three,
    and they can't disagree: a crash leaves either the whole turn or none of it.

    `closing` runs last, whatever was queued before it: the run's owner puts there what must
    happen even when the run stops early (give the lease back), written so that it does nothing
    when a statement queued before it already did that.
    """

    run_id: str
    statements: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    closing: tuple[str, dict[str, Any]] | None = None
    committed: bool = False
    fence: tuple[str, dict[str, Any]] | None = None
    """Runs first: fails the transaction if the run no longer holds its thread's lease."""
    respond: Callable[[dict[str, Any]], tuple[str, dict[str, Any]]] | None = None
    """Given the turn's result, the statement that stores it as the idempotent response."""
    result: dict[str, Any] | None = None
    """The turn's result, once finalize has built it."""

    def add(self, query: str, params: dict[str, Any], *, closes: bool = False) -> None:
        """Queue a statement for the next checkpoint's transaction. `closes`: it does what
        `closing` would (it releases the lease), so `closing` is dropped, one statement less."""
        self.statements.append((query, params))
        if closes:
            self.closing = None

    def pending(self) -> list[tuple[str, dict[str, Any]]]:
        """What the next checkpoint's transaction runs: the lease fence, the queued statements,
        the stored response (once there is a result), then `closing`."""
        answer = self.respond(self.result) if self.respond and self.result is not None else None
        return [*([self.fence] if self.fence else []), *self.statements,
                *([answer] if answer else []), *([self.closing] if self.closing else [])]

    def done(self) -> None:
        """Everything pending was committed."""
        self.statements.clear()
        self.closing = self.respond = None
        self.committed = True


def turn_writes(config: RunnableConfig) -> TurnWrites | None:
    """The run's TurnWrites, if its caller passed one (Studio runs don't)."""
    found = (config.get("configurable") or {}).get(TURN_WRITES)
    return found if isinstance(found, TurnWrites) else None

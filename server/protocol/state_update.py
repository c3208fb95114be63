"""POST /threads/{id}/state: the presentational part of a state edit is applied, the rest not.

Studio and RemoteGraph edit a thread's state between runs. Only channels that carry no
authority are written (the `messages` window the chat views show), as a new checkpoint, and
audited; keys that could forge authority (memory, pending-action ids, plan, verdict, results,
identity) are dropped, audited as PROTOCOL_INPUT_DROPPED, and named in the answer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from server.protocol import audit, shapes
from server.protocol.schemas import StateUpdate
from tools.crud import audit as crud_audit
from tools.crud.threads import unsettle_statement
from tools.domain import Actor, ThreadStatus
from tools.errors import InvalidInput, ThreadBusy, db_errors

if TYPE_CHECKING:
    from server.runtime import Runtime

PRESENTATIONAL = frozenset({"messages"})


async def apply(runtime: Runtime, actor: Actor, row: dict[str, Any], body: StateUpdate,
                trace_id: str) -> dict[str, Any]:
    """Write the presentational keys of `body.values` as a new checkpoint; the langgraph-api
    answer ({"checkpoint": …}) with `ignored_keys` and a `warning` when some were dropped."""
    tid = row["thread_id"]
    values = body.values if isinstance(body.values, dict) else {}
    ignored = sorted(k for k in values if k not in PRESENTATIONAL)
    if body.values is not None and not isinstance(body.values, dict):
        ignored = ["values"]
    as_node = _as_node(runtime, body.as_node, ignored)
    if ignored:
        await audit.dropped(runtime, actor, tid, trace_id, [f"state.{k}" for k in ignored])
    applied = {k: v for k, v in values.items() if k in PRESENTATIONAL}
    graph = runtime.runner.graph
    if applied:
        if row["leased"]:
            raise ThreadBusy(f"thread {tid} is running a turn; retry shortly", retry_after=1)
        if row["status"] == ThreadStatus.INTERRUPTED:
            raise InvalidInput(f"thread {tid} waits for a decision on a pending action; answer it first")
        conf = {"thread_id": tid, "checkpoint_ns": ""}
        if at := body.checkpoint_id or (body.checkpoint or {}).get("checkpoint_id"):
            conf["checkpoint_id"] = at
        config = await graph.aupdate_state({"configurable": conf}, applied, as_node=as_node)
        await _record(runtime, actor, tid, trace_id, sorted(applied), as_node)
    else:
        config = (await graph.aget_state({"configurable": {"thread_id": tid}})).config
    answer: dict[str, Any] = {"checkpoint": shapes.checkpoint(config) or {
        "thread_id": tid, "checkpoint_ns": "", "checkpoint_id": None, "checkpoint_map": None}}
    if ignored:
        answer |= {"ignored_keys": ignored, "warning": "only the messages window can be edited; "
                   f"ignored (audited): {', '.join(ignored)}"}
    return answer


def _as_node(runtime: Runtime, as_node: str | None, ignored: list[str]) -> str:
    """`as_node` if it schedules nothing after it (a node that routes with Command); else
    finalize (which ends the turn), noting the ignored `as_node`."""
    graph = runtime.runner.graph
    followed = {source for source, _ in graph.builder.edges}
    if as_node is not None and as_node in graph.nodes and as_node not in followed and as_node != "__start__":
        return as_node
    if as_node is not None:
        ignored.append("as_node")
    return "finalize"


async def _record(runtime: Runtime, actor: Actor, tid: str, trace_id: str, fields: list[str],
                  as_node: str) -> None:
    """Audit the applied edit; the thread's next turn starts afresh (its state was edited)."""
    event = audit.row(runtime, actor, tid, trace_id, audit.STATE_UPDATED,
                      {"fields": fields, "as_node": as_node}, "OK")
    async with db_errors(), runtime.db.connection() as conn, conn.transaction():
        await crud_audit.add_events(conn, events=[event])
        await conn.execute(*unsettle_statement(thread_id=tid))

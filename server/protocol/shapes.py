"""Response shapes of langgraph-api: the system assistant, threads, thread states, runs."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from tools.domain import ThreadStatus
from tools.errors import NotFound

GRAPH_ID = "helpdesk"
# langgraph-api derives a graph's system assistant id as uuid5(NAMESPACE_GRAPH, graph_id)
NAMESPACE_GRAPH = uuid.UUID("6ba7b821-9dad-11d1-80b4-00c04fd430c8")
ASSISTANT_ID = str(uuid.uuid5(NAMESPACE_GRAPH, GRAPH_ID))
_BORN = datetime(2026, 1, 1, tzinfo=UTC)


def assistant_id_of(value: str) -> str:
    """The assistant an id names (the graph id names its system assistant), else 404."""
    if value in (GRAPH_ID, ASSISTANT_ID):
        return ASSISTANT_ID
    raise NotFound(f"assistant {value} not found")


def assistant() -> dict[str, Any]:
    """The one system assistant of the helpdesk graph."""
    return {"assistant_id": ASSISTANT_ID, "graph_id": GRAPH_ID, "config": {}, "context": {},
            "metadata": {"created_by": "system"}, "version": 1, "name": GRAPH_ID,
            "description": None, "created_at": _BORN, "updated_at": _BORN}


def thread_status(row: dict[str, Any]) -> str:
    """idle | busy | interrupted, as langgraph-api names them."""
    if row.get("leased"):
        return ThreadStatus.BUSY.value
    interrupted = row.get("status") == ThreadStatus.INTERRUPTED
    return (ThreadStatus.INTERRUPTED if interrupted else ThreadStatus.IDLE).value


def thread(row: dict[str, Any], snapshot: Any | None) -> dict[str, Any]:
    """A thread as the SDK's `Thread` (values and interrupts from its latest checkpoint)."""
    values = (snapshot.values if snapshot is not None else None) or {}
    interrupts = {t.id: [interrupt(i) for i in t.interrupts]
                  for t in (snapshot.tasks if snapshot is not None else ()) if t.interrupts}
    return {"thread_id": row["thread_id"], "created_at": row["created_at"],
            "updated_at": row["updated_at"], "metadata": row.get("metadata") or {},
            "status": thread_status(row), "values": values, "interrupts": interrupts,
            "config": {}, "error": None}


def interrupt(value: Any) -> dict[str, Any]:
    """A langgraph Interrupt as {"value", "id"}."""
    return {"value": value.value, "id": value.id}


def checkpoint(config: Any) -> dict[str, Any] | None:
    """A checkpoint reference from a RunnableConfig."""
    conf = (config or {}).get("configurable") or {}
    if not conf.get("checkpoint_id"):
        return None
    return {"thread_id": conf["thread_id"], "checkpoint_ns": conf.get("checkpoint_ns") or "",
            "checkpoint_id": conf["checkpoint_id"], "checkpoint_map": conf.get("checkpoint_map")}


def state(snapshot: Any) -> dict[str, Any]:
    """A StateSnapshot as the SDK's `ThreadState` (langgraph_api.state's conversion)."""
    own = checkpoint(snapshot.config)
    parent = checkpoint(snapshot.parent_config)
    return {
        "values": snapshot.values or {}, "next": list(snapshot.next),
        "tasks": [{"id": t.id, "name": t.name, "path": list(t.path), "error": t.error,
                   "interrupts": [interrupt(i) for i in t.interrupts], "checkpoint": None,
                   "state": None, "result": getattr(t, "result", None)} for t in snapshot.tasks],
        "metadata": _metadata(snapshot.metadata), "created_at": snapshot.created_at,
        "checkpoint": own, "parent_checkpoint": parent,
        "interrupts": [interrupt(i) for i in getattr(snapshot, "interrupts", ())],
        "checkpoint_id": own["checkpoint_id"] if own else None,
        "parent_checkpoint_id": parent["checkpoint_id"] if parent else None,
    }


def _metadata(metadata: Any) -> dict[str, Any]:
    # run-scoped objects in the checkpoint's metadata (our TurnWrites) are not the client's business
    return {k: v for k, v in dict(metadata or {}).items() if not k.startswith("__")}


def run(row: dict[str, Any]) -> dict[str, Any]:
    """A run as the SDK's `Run`."""
    return {"run_id": row["run_id"], "thread_id": row["thread_id"],
            "assistant_id": row["assistant_id"], "created_at": row["created_at"],
            "updated_at": row["updated_at"], "status": row["status"],
            "metadata": row.get("metadata") or {}, "kwargs": row.get("kwargs") or {},
            "multitask_strategy": row["multitask_strategy"]}


_CONFIG_KEYS = ("thread_id", "checkpoint_ns", "checkpoint_id", "checkpoint_map")


def debug(chunk: Any) -> Any:
    """A `debug` stream chunk as langgraph-api sends it: checkpoint refs added, and the run's
    config reduced to the checkpoint's address (it carries our run-scoped objects)."""
    if not isinstance(chunk, dict) or chunk.get("type") != "checkpoint":
        return chunk
    payload = dict(chunk.get("payload") or {})
    for key in ("config", "parent_config"):
        conf = ((payload.get(key) or {}).get("configurable")) or {}
        payload[key] = {"configurable": {k: conf[k] for k in _CONFIG_KEYS if k in conf}} if conf else None
    payload["checkpoint"] = checkpoint(payload["config"])
    payload["parent_checkpoint"] = checkpoint(payload["parent_config"])
    return {**chunk, "payload": payload}

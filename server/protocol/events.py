"""Stream mode `events`: the shapes of `astream_events` v2 as langgraph-api streams them.

They are made from the graph's `debug` chunks (a task starting, a task's result) and the
turn's generated tokens, so no second pass over the graph is needed: one `on_chain_start` and
one `on_chain_end` per node, and `on_chat_model_stream` per token in llm mode.
"""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessageChunk

_KINDS = {"task": ("on_chain_start", "input"), "task_result": ("on_chain_end", "output")}


def of_debug(chunk: Any) -> list[dict[str, Any]]:
    """The events of one debug chunk (none for checkpoints)."""
    if not isinstance(chunk, dict) or chunk.get("type") not in _KINDS:
        return []
    kind, key = _KINDS[chunk["type"]]
    payload = chunk.get("payload") or {}
    name, step = payload.get("name"), chunk.get("step")
    data = payload.get("input") if key == "input" else _writes(payload.get("result"))
    return [{"event": kind, "name": name, "run_id": payload.get("id"), "parent_ids": [],
             "tags": [f"graph:step:{step}"], "data": {key: data},
             "metadata": {"langgraph_step": step, "langgraph_node": name,
                          "langgraph_triggers": payload.get("triggers") or []}}]


def _writes(result: Any) -> Any:
    """A task result's writes ([(channel, value)…] in debug chunks) as an object."""
    if isinstance(result, list) and all(isinstance(w, (list, tuple)) and len(w) == 2 for w in result):
        return {str(c): v for c, v in result}
    return result


def token(text: str, message_id: str) -> dict[str, Any]:
    """One generated token as `on_chat_model_stream`."""
    return {"event": "on_chat_model_stream", "name": "ChatOpenAI", "run_id": message_id,
            "parent_ids": [], "tags": [], "metadata": {"ls_model_type": "chat"},
            "data": {"chunk": AIMessageChunk(content=text, id=message_id)}}

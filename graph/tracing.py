"""A span per graph node, when tracing is on: `traced(StateGraph(...))` wraps each node added.

Off (the default), the graph is returned untouched: no wrapper runs on any turn. The wrapper
keeps the node's signature (functools.wraps), so LangGraph injects the same arguments.
"""

from __future__ import annotations

import functools
import inspect
from typing import Any, TypeVar

from tools import tracing

G = TypeVar("G")


def _thread_id() -> str | None:
    from langgraph.config import get_config

    try:
        return str(get_config()["configurable"].get("thread_id") or "") or None
    except RuntimeError:  # outside a run
        return None


def _wrap(name: str, node: Any) -> Any:
    if inspect.iscoroutinefunction(node):
        @functools.wraps(node)
        async def traced_async(*args: Any, **kwargs: Any) -> Any:
            with tracing.span(f"node {name}", **{"langgraph.node": name,
                                                  "helpdesk.thread_id": _thread_id()}):
                return await node(*args, **kwargs)

        return traced_async

    @functools.wraps(node)
    def traced_sync(*args: Any, **kwargs: Any) -> Any:
        with tracing.span(f"node {name}", **{"langgraph.node": name,
                                              "helpdesk.thread_id": _thread_id()}):
            return node(*args, **kwargs)

    return traced_sync


def traced(graph: G) -> G:
    """`graph` whose `add_node(name, fn)` wraps `fn` in a span, if tracing is on now."""
    if not tracing.enabled():
        return graph
    add_node = graph.add_node  # type: ignore[attr-defined]

    def add_traced(node: Any, action: Any = None, **kwargs: Any) -> Any:
        if isinstance(node, str) and callable(action):
            action = _wrap(node, action)
        return add_node(node, action, **kwargs)

    setattr(graph, "add_node", add_traced)  # noqa: B010 - an instance attribute, on purpose
    return graph

"""Node timing: a span per graph node when tracing is on, and milliseconds per node always.

`traced(StateGraph(...))` wraps each node added in a span. Off (the default), the graph is
returned untouched: no wrapper runs on any turn. The wrapper keeps the node's signature
(functools.wraps), so LangGraph injects the same arguments. `NodeClock` times nodes from the
turn's stream, as their updates arrive (graph.runner, the server's turn log).
"""

from __future__ import annotations

import functools
import inspect
import time
from typing import Any, TypeVar

from tools import tracing

G = TypeVar("G")


class NodeClock:
    """Milliseconds per node of one turn, into `times`: each node is charged the time since the
    previous mark (the turn's start, or the update before its own)."""

    def __init__(self, times: dict[str, float] | None = None) -> None:
        self.times: dict[str, float] = {} if times is None else times
        self._last = time.perf_counter()

    def mark(self) -> None:
        """Start the next interval now (something not a node's took the time before)."""
        self._last = time.perf_counter()

    def charge(self, node: str) -> None:
        """`node`'s update arrived: it took the time since the last mark."""
        now = time.perf_counter()
        self.times[node] = round(self.times.get(node, 0.0) + (now - self._last) * 1000, 2)
        self._last = now


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

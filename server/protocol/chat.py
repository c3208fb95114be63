"""The turn's AI message as the protocol's `messages` events (messages-tuple or messages)."""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage, AIMessageChunk

from server.protocol.live import LiveRun
from server.protocol.shapes import GRAPH_ID


class Chat:
    """The turn's AI message as `messages` events: its tokens, or once whole (rules mode)."""

    def __init__(self, live: LiveRun, message_id: str) -> None:
        self.live, self.id, self.streamed = live, message_id, ""
        self.tuples, self.plain = "messages-tuple" in live.modes, "messages" in live.modes
        self.meta = {"run_id": live.run_id, "thread_id": live.thread_id, "graph_id": GRAPH_ID,
                     "assistant_id": live.row["assistant_id"], "langgraph_node": "finalize"}

    def token(self, text: str) -> None:
        """One generated token."""
        first = not self.streamed
        self.streamed += text
        if self.tuples:
            self.live.emit("messages", [AIMessageChunk(content=text, id=self.id), self.meta])
        if self.plain:
            if first:
                self.live.emit("messages/metadata", {self.id: {"metadata": self.meta}})
            self.live.emit("messages/partial", [AIMessageChunk(content=self.streamed, id=self.id)])

    def reply(self, result: dict[str, Any]) -> None:
        """The turn's result: its reply as one message, unless it was streamed token by token."""
        if self.streamed:
            return
        message = AIMessage(content=result.get("reply") or "", id=self.id)
        if self.tuples:
            self.live.emit("messages", [message, self.meta])
        if self.plain:
            self.live.emit("messages/metadata", {self.id: {"metadata": self.meta}})
            self.live.emit("messages/complete", [message])

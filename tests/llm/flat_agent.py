"""The flat baseline of bench/llm_cost.py: one ReAct agent with ALL tools and all the policy.

This is the design our pipeline replaces: every call carries every tool schema, the whole
policy and the whole conversation (tool results included), and confirmations go through the
model too. Tools return what our graph produced on the same turn, so the replies match.
"""

from __future__ import annotations

import warnings
from typing import Any

from langchain_core.messages import BaseMessage, HumanMessage
from langchain_core.tools import StructuredTool
from langchain_openai import ChatOpenAI

from tests.llm.conversations import Turn, compact, tool_output
from tools.domain import CATEGORIES, PRIORITIES, Actor
from tools.llm.prompting import CATALOGUE, passages_block, ticket_tool_schemas
from tools.llm.prompts import load

_FIELDS: dict[str, Any] = {
    "title": {"type": "string"}, "description": {"type": "string"},
    "category": {"type": "string", "enum": list(CATEGORIES)},
    "priority": {"type": "string", "enum": list(PRIORITIES)},
}
LINE_TOOLS: list[dict[str, Any]] = [
    {"name": "kb_search", "description": "Search the IT knowledge base; returns passages.",
     "parameters": {"type": "object", "properties": {"query": {"type": "string"}},
                    "required": ["query"]}},
    {"name": "create_ticket", "description": "Open a ticket (a draft while fields are missing).",
     "parameters": {"type": "object", "properties": _FIELDS}},
    {"name": "update_draft", "description": "Add fields to the active ticket draft.",
     "parameters": {"type": "object", "properties": {"draft_id": {"type": "string"},
                                                     **_FIELDS}}},
    {"name": "confirm_pending_action", "description": "Run the action the person confirmed.",
     "parameters": {"type": "object", "properties": {}}},
    {"name": "cancel_pending_action", "description": "Drop the action waiting for confirmation.",
     "parameters": {"type": "object", "properties": {}}},
]


def policy() -> str:
    """The same policy text our three prompts carry, as one system prompt."""
    planner = load("global_planner")
    rules = planner[planner.index("Rules:"):].replace("{catalogue}", CATALOGUE)
    sub = "\n".join(load("ticket_subplanner").splitlines()[1:-1])
    answer = load("kb_answer").split("Passages:")[0].strip()
    return "\n\n".join([
        "You are an IT helpdesk agent. Use the tools to act; reply to the person briefly.",
        f"Business lines:\n{CATALOGUE}", rules, sub,
        "Escalating, cancelling or closing a ticket needs the person's confirmation: ask, then "
        "call confirm_pending_action (or cancel_pending_action).",
        "Knowledge answers: " + answer])


class FlatAgent:
    """One conversation of the flat agent; its history grows like a real one's."""

    def __init__(self, base_url: str) -> None:
        self.output = ""
        self.history: list[BaseMessage] = []
        model = ChatOpenAI(model="gpt-4o-mini", base_url=base_url, api_key="k",  # type: ignore[arg-type]
                           max_retries=0, timeout=10, temperature=0)
        schemas = [t["function"] for t in ticket_tool_schemas(Actor("bench"))] + LINE_TOOLS
        tools = [StructuredTool.from_function(coroutine=self._run, name=t["name"],
                                              description=t["description"],
                                              args_schema=t["parameters"]) for t in schemas]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from langgraph.prebuilt import create_react_agent

            self.agent = create_react_agent(model, tools, prompt=policy())

    async def _run(self, **_: Any) -> str:
        return self.output

    async def turn(self, turn: Turn, result: Any, kb: Any) -> None:
        """One user turn (the fake server's responder must be set by the caller)."""
        self.output = tool_output(result)
        call = turn.flat_call()
        if call and call[0] == "kb_search":
            hits = (await kb.answer(call[1]["query"])).hits
            self.output = passages_block([h.model_dump() for h in hits]) or compact([])
        state = await self.agent.ainvoke({"messages": [*self.history, HumanMessage(turn.text)]})
        self.history = list(state["messages"])

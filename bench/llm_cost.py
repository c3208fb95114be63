"""LLM cost per turn: our planner pipeline vs a flat single agent, on the same conversations.

    .venv/bin/python bench/llm_cost.py [--out .helpdesk/bench/llm_cost_prompts.jsonl]

Replays the fixed conversation set of tests/llm/conversations.py through the compiled graph in
llm mode (and again in hybrid) against the local fake OpenAI server, then the same turns
through a flat baseline (tests/llm/flat_agent.py: one LangGraph prebuilt ReAct agent given ALL
tools and the same policy text, keeping its history). The fake model makes the same decisions
and writes the same replies for both, so only the prompts differ. Prompt tokens are counted
with tiktoken cl100k_base (offline data file) on the exact request bodies received: messages,
tool schemas and response format; every request is written to --out as JSON lines.
Targets: >= 40% fewer prompt tokens per turn than the flat baseline, and 0 LLM calls for
confirm/cancel turns and explicit-id lookups in hybrid. Exit code 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import warnings
from dataclasses import replace
from pathlib import Path
from typing import Any, TextIO

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests import pg
from tests.factories import actor
from tests.llm import script as s
from tests.llm import tokens
from tests.llm.conversations import CONVERSATIONS, Turn, flat_reply, graph_reply
from tests.llm.fake_openai import FakeOpenAI, usage_of
from tests.llm.flat_agent import FlatAgent
from tests.llm.graph_helpers import llm_stack

Row = dict[str, Any]


class Meter:
    """Scripts the fake model for one turn and measures what it was sent."""

    def __init__(self, fake: FakeOpenAI, out: TextIO) -> None:
        self.fake, self.out, self.completion = fake, out, 0

    def script(self, reply: Any) -> None:
        """Start a turn: `reply(body) -> Step` answers every request of it."""
        self.fake.reset()
        self.completion = 0

        def respond(body: dict[str, Any]) -> s.Step:
            step: s.Step = reply(body)
            self.completion += usage_of(step, body)["completion_tokens"]
            return step

        self.fake.responder = respond

    def row(self, tag: str, turn: Turn, **extra: Any) -> Row:
        """Calls, prompt tokens (tiktoken on the exact bodies) and completion tokens."""
        bodies = self.fake.chat_requests()
        for body in bodies:
            self.out.write(json.dumps({"run": tag, "turn": turn.name, "request": body},
                                      ensure_ascii=False) + "\n")
        return {"turn": turn, "calls": len(bodies), "completion": self.completion,
                "prompt": sum(tokens.request_prompt_tokens(b) for b in bodies), **extra}


async def replay_graph(stack: Any, meter: Meter, mode: str) -> list[Row]:
    """Every conversation through the graph in `mode`; one row per turn."""
    rows: list[Row] = []
    for conv in CONVERSATIONS:
        who, memo = actor(), {"thread_id": None}
        for turn in conv:
            meter.script(lambda body, t=turn, m=dict(memo): graph_reply(body, t, m))
            result = await stack.turn(who, turn.text.format(**memo), mode=mode,
                                      thread_id=memo["thread_id"])
            memo.update(turn.remember(result))
            rows.append(meter.row(mode, turn, status=result.status, result=result))
    return rows


async def replay_flat(stack: Any, meter: Meter, ours: list[Row]) -> list[Row]:
    """The same turns through the flat agent, its tools returning what our graph returned."""
    rows, it = [], iter(ours)
    for conv in CONVERSATIONS:
        agent, memo = FlatAgent(meter.fake.base_url), {"thread_id": None}
        for turn in conv:
            mine = next(it)
            meter.script(lambda body, t=turn, m=dict(memo), r=mine["result"].reply:
                         flat_reply(body, t, m, r))
            await agent.turn(replace(turn, text=turn.text.format(**memo)), mine["result"],
                             stack.services.kb)
            memo.update(turn.remember(mine["result"]))
            rows.append(meter.row("flat", turn))
    return rows


def table(llm: list[Row], hybrid: list[Row], flat: list[Row]) -> str:
    """One line per turn, then the per-turn averages."""
    head = (f"{'turn':<24} {'status':<17} {'llm calls':>9} {'prompt':>6} {'compl':>5} | "
            f"{'flat calls':>10} {'prompt':>6} {'compl':>5} | {'hybrid calls':>12}")
    lines = [head, "-" * len(head)]
    for a, h, f in zip(llm, hybrid, flat, strict=True):
        lines.append(f"{a['turn'].name:<24} {a['status']:<17} {a['calls']:>9} {a['prompt']:>6} "
                     f"{a['completion']:>5} | {f['calls']:>10} {f['prompt']:>6} "
                     f"{f['completion']:>5} | {h['calls']:>12}")
    n = len(llm)

    def avg(rows: list[Row], key: str) -> float:
        return float(sum(r[key] for r in rows)) / n

    saved = 100 * (1 - avg(llm, "prompt") / avg(flat, "prompt"))
    lines += ["-" * len(head),
              f"per turn (n={n}): prompt tokens ours {avg(llm, 'prompt'):.0f} vs flat "
              f"{avg(flat, 'prompt'):.0f} → {saved:.1f}% fewer; completion tokens ours "
              f"{avg(llm, 'completion'):.0f} vs flat {avg(flat, 'completion'):.0f}",
              f"LLM calls per turn: llm {avg(llm, 'calls'):.2f}, hybrid "
              f"{avg(hybrid, 'calls'):.2f}, flat {avg(flat, 'calls'):.2f}"]
    return "\n".join(lines)


def missed_targets(llm: list[Row], hybrid: list[Row], flat: list[Row]) -> list[str]:
    """The targets not met (empty: all met)."""
    ours, theirs = sum(r["prompt"] for r in llm), sum(r["prompt"] for r in flat)
    missed = [f"prompt tokens {ours} not >= 40% below {theirs}"] if ours > 0.6 * theirs else []
    return missed + [f"hybrid {r['turn'].name}: {r['calls']} LLM calls, want 0"
                     for r in hybrid if r["turn"].fast and r["calls"]]


async def replay_all(url: str, fake: FakeOpenAI, out: TextIO) -> tuple[list[Row], ...]:
    """llm, hybrid and flat rows."""
    async with llm_stack(url, fake) as stack:
        await stack.services.kb.load_sample_if_empty()
        meter = Meter(fake, out)
        llm = await replay_graph(stack, meter, "llm")
        hybrid = await replay_graph(stack, meter, "hybrid")
        return llm, hybrid, await replay_flat(stack, meter, llm)


def run(out_path: Path) -> int:
    """Replay everything, print the table, return the exit code."""
    warnings.simplefilter("ignore")
    out_path.parent.mkdir(parents=True, exist_ok=True)
    url, fake = pg.create_database("bench"), FakeOpenAI().start()
    try:
        with out_path.open("w", encoding="utf-8") as out:
            llm, hybrid, flat = asyncio.run(replay_all(url, fake, out))
    finally:
        fake.stop()
        pg.drop_database(url)
    print(f"token counter: {tokens.METHOD}; every request body in {out_path}\n")
    print(table(llm, hybrid, flat))
    missed = missed_targets(llm, hybrid, flat)
    print("\n" + ("targets met" if not missed else "MISSED: " + "; ".join(missed)))
    return 1 if missed else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="LLM cost per turn vs a flat agent")
    parser.add_argument("--out", type=Path,
                        default=Path(".helpdesk/bench/llm_cost_prompts.jsonl"))
    sys.exit(run(parser.parse_args().out))

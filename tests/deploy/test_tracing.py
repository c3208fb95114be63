"""OpenTelemetry: spans per request, node, LLM call and database statement group, with our ids;
and nothing at all when tracing is off."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from graph.graph import build_graph
from nodes.global_router import global_router
from server import tracing as server_tracing
from server.app import create_app
from tests.llm import script as s
from tests.llm.factories import plan_json
from tests.llm.fake_openai import FakeOpenAI
from tests.server.helpers import running, server_settings, who
from tools import tracing

PARENT_TRACE, PARENT_SPAN = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
VPN = {"title": "VPN 连不上", "description": "VPN 提示认证失败，无法连接公司网络",
       "category": "network", "priority": "P2"}


PROBE = """
import asyncio, sys
from importlib.abc import MetaPathFinder

class NoOtelSdk(MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.startswith(("opentelemetry.sdk", "opentelemetry.exporter")):
            raise ImportError(f"{name} is not installed here")
        return None

sys.meta_path.insert(0, NoOtelSdk())
import httpx
from server.app import create_app
from tests.server.helpers import running, server_settings, who

async def main():
    async with running(create_app(server_settings(sys.argv[1]))) as client:
        r = await client.post("/agent", json={"message": "show my tickets"}, headers=who())
        print(r.json()["status"], sorted(m for m in sys.modules if m.startswith("opentelemetry.sdk")))

asyncio.run(main())
"""


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    server_tracing.setup(server_settings("unused"), provider=provider)
    try:
        yield exporter
    finally:
        tracing.install(None)


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    server = FakeOpenAI().start()
    yield server
    server.stop()


def _named(found: tuple[ReadableSpan, ...], name: str) -> list[ReadableSpan]:
    return [sp for sp in found if sp.name == name]


def _attrs(sp: ReadableSpan) -> dict[str, Any]:
    return dict(sp.attributes or {})


async def test_a_turn_is_traced_end_to_end(db_url: str, spans: InMemorySpanExporter,
                                           fake: FakeOpenAI) -> None:
    settings = server_settings(db_url, mode="llm", openai_base_url=fake.base_url,
                               openai_api_key="test-key", openai_model="gpt-4o-mini",
                               llm_timeout_s=5.0)
    async with running(create_app(settings)) as client:
        fake.push(s.plan(plan_json("create_ticket", args=VPN)))
        headers = {**who(), "X-Trace-Id": "trace-0123abcd",
                   "traceparent": f"00-{PARENT_TRACE}-{PARENT_SPAN}-01"}
        r = await client.post("/agent", json={"message": "我的VPN连不上了，帮我提个工单"},
                              headers=headers)
        assert r.status_code == 200 and r.json()["status"] == "OK", r.text
        thread = r.json()["thread_id"]
    found = spans.get_finished_spans()
    (request,) = _named(found, "POST /agent")
    assert _attrs(request)["helpdesk.trace_id"] == "trace-0123abcd"
    assert _attrs(request)["helpdesk.thread_id"] == thread
    assert _attrs(request)["http.response.status_code"] == 200
    assert request.parent is not None and f"{request.parent.span_id:016x}" == PARENT_SPAN
    turn = tuple(sp for sp in found if f"{sp.context.trace_id:032x}" == PARENT_TRACE)
    others = {sp.name for sp in found if sp not in turn}
    assert others <= {"db connection", "db transaction", "db read"}, others  # start-up's own
    found = turn  # the caller's trace: the request's spans and everything under them

    nodes = {sp.name: sp for sp in found if sp.name.startswith("node ")}
    assert {"node context_restore", "node global_router", "node create_ticket",
            "node finalize"} <= set(nodes), sorted(nodes)
    for sp in nodes.values():
        assert _attrs(sp)["helpdesk.thread_id"] == thread
        assert _attrs(sp)["helpdesk.trace_id"] == "trace-0123abcd"
    (llm,) = _named(found, "llm plan_global")
    assert llm.parent is not None and llm.parent.span_id == nodes["node global_router"].context.span_id
    assert _attrs(llm)["helpdesk.thread_id"] == thread
    db = [sp for sp in found if sp.name.startswith("db ")]
    assert {"db connection", "db checkpoint.aput"} <= {sp.name for sp in db}, sorted({sp.name for sp in db})
    assert all(_attrs(sp)["helpdesk.trace_id"] == "trace-0123abcd" for sp in db)
    writes = [sp for sp in db if sp.parent and sp.parent.span_id == nodes["node create_ticket"].context.span_id]
    assert writes, "the ticket's statements are not under its node"


def test_tracing_off_costs_nothing(db_url: str) -> None:
    assert not tracing.enabled()
    assert tracing.span("x") is tracing.span("y")  # one shared no-op
    graph = build_graph()
    assert graph.builder.nodes["global_router"].runnable.afunc is global_router  # not wrapped
    app = create_app(server_settings("unused"))
    assert server_tracing.TraceMiddleware not in {m.cls for m in app.user_middleware}
    # A process without the otel extra (its SDK and exporter made unimportable) serves a turn.
    r = subprocess.run([sys.executable, "-c", PROBE, db_url], capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0 and r.stdout.strip() == "OK []", r.stdout + r.stderr[-3000:]

"""A local OpenAI-compatible server (real uvicorn on 127.0.0.1) that plays a per-test script.

Each POST /v1/chat/completions takes the next scripted `Step` (or asks `responder`), records
the request, and answers it — JSON or SSE chunks, tool calls, usage — or misbehaves as told.
POST /v1/embeddings returns deterministic vectors. `stop()` makes the port refuse connections.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import socket
import struct
import threading
import time
from collections import deque
from collections.abc import AsyncIterator
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse

from tests.llm import tokens
from tests.llm.script import Responder, Step, content

EMBED_DIM = 64


class FakeOpenAI:
    """The server, its script and the requests it saw."""

    def __init__(self) -> None:
        self.script: deque[Step] = deque()
        self.responder: Responder | None = None
        self.requests: list[dict[str, Any]] = []
        self.exhausted = 0  # requests that found no step: a test asked for more than it scripted
        self._lock = threading.Lock()
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        """What `OPENAI_BASE_URL` should be."""
        return f"http://127.0.0.1:{self.port}/v1"

    def push(self, *steps: Step) -> None:
        """Queue replies for the next requests, in order."""
        self.script.extend(steps)

    def reset(self) -> None:
        """Forget the script, the responder and the recorded requests."""
        with self._lock:
            self.script.clear()
            self.requests.clear()
            self.responder = None
            self.exhausted = 0

    def chat_requests(self) -> list[dict[str, Any]]:
        """Bodies of the chat-completion requests received so far."""
        return [r["body"] for r in self.requests if r["path"].endswith("/chat/completions")]

    def next_step(self, body: dict[str, Any]) -> Step:
        """The scripted step for this request (recording it)."""
        with self._lock:
            self.requests.append({"path": "/v1/chat/completions", "body": body})
            if self.script:
                return self.script.popleft()
            if self.responder is not None:
                return self.responder(body)
            self.exhausted += 1
        return Step("error", status=500, text="fake script exhausted")

    def start(self) -> FakeOpenAI:
        """Serve on a free loopback port (the same one again after `stop()`)."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self.port))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(build_app(self), log_level="critical", lifespan="off",
                                timeout_graceful_shutdown=1)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]},
                                        daemon=True)
        self._thread.start()
        while not self._server.started:
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        """Shut down; the port then refuses connections."""
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=5)
        self._server = self._thread = None


def build_app(fake: FakeOpenAI) -> FastAPI:
    """The ASGI app behind `fake`."""
    app = FastAPI()

    @app.post("/v1/chat/completions")
    async def chat(request: Request) -> Response:
        body = await request.json()
        return await answer(fake.next_step(body), body)

    @app.post("/v1/embeddings")
    async def embeddings(request: Request) -> Response:
        body = await request.json()
        with fake._lock:
            fake.requests.append({"path": "/v1/embeddings", "body": body})
        return JSONResponse(embedding_response(body))

    return app


async def answer(step: Step, body: dict[str, Any]) -> Response:
    """Turn one step into the HTTP response."""
    if step.kind == "delay":
        await asyncio.sleep(step.seconds)
        return await answer(step.then or content(""), body)
    if step.kind == "error":
        error = {"error": {"message": step.text or f"scripted {step.status}", "type": "fake"}}
        return JSONResponse(error, status_code=step.status, headers=step.headers)
    if step.kind == "malformed":
        return PlainTextResponse(step.text, media_type="application/json")
    if body.get("stream") or step.kind == "cut":
        return StreamingResponse(stream_chunks(step, body), media_type="text/event-stream")
    return JSONResponse(completion(step, body))


def usage_of(step: Step, body: dict[str, Any]) -> dict[str, int]:
    """Scripted usage, or the tiktoken count of this request's prompt and the reply."""
    if step.usage is not None:
        usage = dict(step.usage)
    else:
        reply = step.text + json.dumps(step.tool_calls, ensure_ascii=False) * bool(step.tool_calls)
        usage = {"prompt_tokens": tokens.request_prompt_tokens(body),
                 "completion_tokens": tokens.count(reply)}
    usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
    return usage


def completion(step: Step, body: dict[str, Any]) -> dict[str, Any]:
    """A non-streamed chat completion."""
    message: dict[str, Any] = {"role": "assistant", "content": step.text or None}
    if step.tool_calls:
        message["tool_calls"] = step.tool_calls
    finish = "tool_calls" if step.tool_calls else "stop"
    return {"id": "chatcmpl-fake", "object": "chat.completion", "created": int(time.time()),
            "model": body.get("model", "fake"), "usage": usage_of(step, body),
            "choices": [{"index": 0, "message": message, "finish_reason": finish}]}


def _chunk(body: dict[str, Any], delta: dict[str, Any] | None, finish: str | None = None,
           usage: dict[str, int] | None = None) -> str:
    choices = [] if delta is None else [{"index": 0, "delta": delta, "finish_reason": finish}]
    data: dict[str, Any] = {"id": "chatcmpl-fake", "object": "chat.completion.chunk",
                            "created": int(time.time()), "model": body.get("model", "fake"),
                            "choices": choices}
    if usage is not None:
        data["usage"] = usage
    return f"data: {json.dumps(data, ensure_ascii=False)}\n\n"


def _pieces(text: str, size: int = 4) -> list[str]:
    return [text[i:i + size] for i in range(0, len(text), size)] or [""]


async def stream_chunks(step: Step, body: dict[str, Any]) -> AsyncIterator[str]:
    """SSE chunks of the reply; usage last when stream_options.include_usage; [DONE]."""
    yield _chunk(body, {"role": "assistant", "content": ""})
    for n, piece in enumerate(_pieces(step.text)):
        if step.kind == "cut" and n >= step.chunks_before_cut:
            raise ConnectionAbortedError("scripted cut: the stream stops half-way")
        yield _chunk(body, {"content": piece})
        await asyncio.sleep(0.005)
    for i, call in enumerate(step.tool_calls):
        yield _chunk(body, {"tool_calls": [{"index": i, **call}]})
    yield _chunk(body, {}, finish="tool_calls" if step.tool_calls else "stop")
    if (body.get("stream_options") or {}).get("include_usage"):
        yield _chunk(body, None, usage=usage_of(step, body))
    yield "data: [DONE]\n\n"


def vector_of(item: str | list[int], dim: int = EMBED_DIM) -> list[float]:
    """A deterministic unit vector: hashed character bigrams (or token ids) of the input."""
    feats = [str(t) for t in item] if isinstance(item, list) else [
        item[i:i + 2] for i in range(max(1, len(item) - 1))]
    vec = [0.0] * dim
    for feat in feats:
        h = hashlib.sha256(feat.lower().encode()).digest()
        vec[h[0] % dim] += 1.0 if h[1] % 2 else -1.0
    norm = sum(v * v for v in vec) ** 0.5 or 1.0
    return [v / norm for v in vec]


def embedding_response(body: dict[str, Any]) -> dict[str, Any]:
    """OpenAI embeddings response (float lists, or base64 float32 when asked)."""
    inputs = body.get("input", [])
    single = isinstance(inputs, str) or (inputs and isinstance(inputs[0], int))
    items = [inputs] if single else inputs
    dim = int(body.get("dimensions") or EMBED_DIM)
    data = []
    for i, item in enumerate(items):
        vec: Any = vector_of(item, dim)
        if body.get("encoding_format") == "base64":
            vec = base64.b64encode(struct.pack(f"<{dim}f", *vec)).decode()
        data.append({"object": "embedding", "index": i, "embedding": vec})
    return {"object": "list", "data": data, "model": body.get("model", "fake"),
            "usage": {"prompt_tokens": len(items), "total_tokens": len(items)}}

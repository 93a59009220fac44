"""A local fake OpenAI-compatible HTTP server for tests (standard library only).

Usage::

    with FakeOpenAIServer() as server:
        client = openai.OpenAI(base_url=server.base_url, api_key="test")
        server.queue_faults("500", "malformed")
        ...

Endpoints: ``POST /v1/chat/completions``, ``POST /v1/embeddings``, ``GET /v1/models``.
Faults (see ``FAULTS``) apply to chat completions only; embeddings and models always answer normally.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import math
import re
import socket
import struct
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

Responder = Callable[[dict[str, Any]], str]

FAULTS: frozenset[str] = frozenset(
    {"500", "429", "400", "401", "404", "timeout", "malformed", "truncated", "wrong_fields", "huge", "garbage_body"}
)
# how common real servers answer, applied to every chat completion while set (see FakeOpenAIServer.behaviours)
BEHAVIOURS: frozenset[str] = frozenset(
    {
        "think",  # DeepSeek-R1 / Qwen3 / QwQ through Ollama or vLLM: a <think> block before the answer
        "reasoning_content",  # DeepSeek's API: the reasoning in a separate message field
        "no_json_mode",  # llama.cpp / vLLM / proxies without JSON mode: response_format gets HTTP 400
        "prose",  # "Sure! Here is the JSON: ... Let me know ..."
        "trailing_commas",  # near-JSON from small models
    }
)
THINK_TEXT = 'Let me think. The user wants JSON like {"draft": true}, so I will answer.'
REASONING_TEXT = "The user asked for a summary; I should keep names and dates."
MODEL_ID = "fake-model"
EMBEDDING_DIM = 16

MALFORMED_CONTENT = "Sure! here is {not json"
TRUNCATED_CONTENT = '{"topics": [{"summ'
WRONG_FIELDS_CONTENT = '{"unexpected": 1}'
HUGE_CONTENT_CHARS = 2_000_000
GARBAGE_BODY = b"<html><body>502 Bad Gateway -- upstream said: {{oops</body></html>"

_WORD_RE = re.compile(r"\w+")


def estimate_tokens(text: str) -> int:
    """Deterministic token estimate: whitespace-separated words * 4 // 3, at least 1."""
    return max(1, len(text.split()) * 4 // 3)


def message_text(message: dict[str, Any]) -> str:
    """Text of a chat message whose content is a string or a list of content parts."""
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = [p.get("text", "") for p in content if isinstance(p, dict)]
        return " ".join(p for p in parts if isinstance(p, str))
    return ""


def default_responder(body: dict[str, Any]) -> str:
    """'{}' if JSON output is requested (response_format json_object or 'JSON' in a message), else 'OK'."""
    response_format = body.get("response_format")
    if isinstance(response_format, dict) and response_format.get("type") == "json_object":
        return "{}"
    messages = body.get("messages") or []
    if any("JSON" in message_text(m) for m in messages if isinstance(m, dict)):
        return "{}"
    return "OK"


def fake_embedding(text: str, dim: int = EMBEDDING_DIM) -> list[float]:
    """Unit-norm feature-hashing vector of the lowercased words; texts sharing words get similar vectors."""
    vec = [0.0] * dim
    for word in _WORD_RE.findall(text.lower()):
        digest = hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest()
        index = int.from_bytes(digest[:4], "little") % dim
        sign = 1.0 if digest[4] & 1 else -1.0
        vec[index] += sign
    norm = math.sqrt(sum(v * v for v in vec))
    if norm == 0.0:
        # Empty / word-less text: a fixed unit vector.
        return [1.0] + [0.0] * (dim - 1)
    return [v / norm for v in vec]


def error_body(message: str, err_type: str, code: str | None = None) -> dict[str, Any]:
    """An OpenAI-style error payload."""
    return {"error": {"message": message, "type": err_type, "param": None, "code": code}}


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    fake: FakeOpenAIServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Never print tracebacks (e.g. broken pipes after a client-side timeout).
        pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _HTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep stdout/stderr clean

    def setup(self) -> None:
        super().setup()
        self.server.fake._track_connection(self.connection, add=True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.fake._track_connection(self.connection, add=False)

    # -- plumbing ---------------------------------------------------------------------------------------

    def _send(self, status: int, body: bytes, content_type: str = "application/json",
              headers: dict[str, str] | None = None) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("x-request-id", f"req_{uuid.uuid4().hex[:16]}")
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            # Client went away (e.g. it timed out); nothing to do.
            self.close_connection = True

    def _send_json(self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        self._send(status, json.dumps(payload).encode("utf-8"), headers=headers)

    def _read_json(self) -> dict[str, Any] | None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length > 0 else b""
        try:
            body = json.loads(raw or b"null")
        except ValueError:
            return None
        return body if isinstance(body, dict) else None

    def _path(self) -> str:
        return self.path.split("?", 1)[0].rstrip("/")

    # -- routing ----------------------------------------------------------------------------------------

    def do_GET(self) -> None:
        if self._path() == "/v1/models":
            model = {"id": MODEL_ID, "object": "model", "created": 0, "owned_by": "fake-openai"}
            self._send_json(200, {"object": "list", "data": [model]})
        else:
            self._not_found()

    def do_POST(self) -> None:
        path = self._path()
        body = self._read_json()  # always drain the body so keep-alive stays in sync
        if path not in ("/v1/chat/completions", "/v1/embeddings"):
            self._not_found()
            return
        if body is None:
            self._send_json(400, error_body("Request body must be a JSON object.", "invalid_request_error"))
            return
        fake = self.server.fake
        try:
            if path == "/v1/chat/completions":
                self._chat(fake, body)
            else:
                self._embeddings(fake, body)
        except Exception as exc:  # e.g. a failing responder: report it and answer 500
            fake._record_error(exc)
            self._send_json(500, error_body(f"fake server error: {exc!r}", "server_error"))

    def _not_found(self) -> None:
        self._send_json(404, error_body(f"Unknown path: {self.path}", "invalid_request_error", "not_found"))

    # -- chat completions -------------------------------------------------------------------------------

    def _chat(self, fake: FakeOpenAIServer, body: dict[str, Any]) -> None:
        fake._record_chat(body)
        if body.get("stream"):
            msg = "Streaming is not supported by the fake server."
            self._send_json(400, error_body(msg, "invalid_request_error", "stream_not_supported"))
            return
        fault = fake._next_fault()
        if fault == "500":
            msg = "The server had an error processing your request."
            self._send_json(500, error_body(msg, "server_error"))
            return
        if fault == "400":
            msg = "This model's maximum context length is 4096 tokens."
            self._send_json(400, error_body(msg, "invalid_request_error", "context_length_exceeded"))
            return
        if fault == "401":
            self._send_json(401, error_body("Incorrect API key provided.", "invalid_request_error", "invalid_api_key"))
            return
        if fault == "404":
            msg = f"The model '{body.get('model')}' does not exist."
            self._send_json(404, error_body(msg, "invalid_request_error", "model_not_found"))
            return
        behaviours = fake.behaviours
        if "no_json_mode" in behaviours and "response_format" in body:
            msg = "response_format is not supported by this server"
            self._send_json(400, error_body(msg, "invalid_request_error"))
            return
        if fault == "429":
            err = error_body("Rate limit reached (fake).", "requests", "rate_limit_exceeded")
            self._send_json(429, err, headers={"Retry-After": "0"})
            return
        if fault == "garbage_body":
            self._send(200, GARBAGE_BODY, content_type=fake.garbage_content_type)
            return
        if fault == "timeout" and fake._stopping.wait(fake.timeout_seconds):
            return  # server is stopping: drop the request

        finish_reason = "stop"
        if fault == "malformed":
            content = MALFORMED_CONTENT
        elif fault == "truncated":
            content, finish_reason = TRUNCATED_CONTENT, "length"
        elif fault == "wrong_fields":
            content = WRONG_FIELDS_CONTENT
        elif fault == "huge":
            content = "a" * HUGE_CONTENT_CHARS
        else:
            content = fake.responder(body)

        if fault is None:
            if "trailing_commas" in behaviours:
                content = re.sub(r"([}\]\"0-9el])(\s*[}\]])", r"\1,\2", content)
            if "prose" in behaviours:
                content = f"Sure! Here is the JSON you asked for:\n{content}\nLet me know if you need more."
            if "think" in behaviours:
                content = f"<think>\n{THINK_TEXT}\n</think>\n\n{content}"
        message: dict[str, Any] = {"role": "assistant", "content": content}
        if "reasoning_content" in behaviours:
            message["reasoning_content"] = REASONING_TEXT
        messages = body.get("messages") or []
        prompt_text = " ".join(message_text(m) for m in messages if isinstance(m, dict))
        prompt_tokens, completion_tokens = estimate_tokens(prompt_text), estimate_tokens(content)
        fake._add_usage(prompt_tokens, completion_tokens)
        self._send_json(200, {
            "id": f"chatcmpl-{uuid.uuid4().hex}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model") or MODEL_ID,
            "choices": [{
                "index": 0,
                "message": message,
                "finish_reason": finish_reason,
                "logprobs": None,
            }],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        })

    # -- embeddings -------------------------------------------------------------------------------------

    def _embeddings(self, fake: FakeOpenAIServer, body: dict[str, Any]) -> None:
        fake._record_embedding(body)
        raw = body.get("input")
        inputs = [raw] if isinstance(raw, str) else raw
        if not isinstance(inputs, list) or not inputs or not all(isinstance(s, str) for s in inputs):
            msg = "'input' must be a string or a non-empty list of strings."
            self._send_json(400, error_body(msg, "invalid_request_error"))
            return
        as_base64 = body.get("encoding_format") == "base64"  # the openai client asks for base64 by default
        data: list[dict[str, Any]] = []
        for i, text in enumerate(inputs):
            vec = fake_embedding(text)
            encoded: Any = base64.b64encode(struct.pack(f"<{len(vec)}f", *vec)).decode() if as_base64 else vec
            data.append({"object": "embedding", "index": i, "embedding": encoded})
        tokens = sum(estimate_tokens(s) for s in inputs)
        self._send_json(200, {
            "object": "list",
            "data": data,
            "model": body.get("model") or MODEL_ID,
            "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
        })


class FakeOpenAIServer:
    """Fake OpenAI-compatible server on 127.0.0.1 (random free port), served from a daemon thread."""

    def __init__(self, responder: Responder | None = None) -> None:
        self.responder: Responder = responder or default_responder
        self.timeout_seconds: float = 3.0  # delay used by the "timeout" fault
        self.garbage_content_type: str = "application/json"  # Content-Type sent with "garbage_body"
        self.requests: list[dict[str, Any]] = []  # chat completion request bodies, in order
        self.embedding_requests: list[dict[str, Any]] = []
        self.errors: list[BaseException] = []  # exceptions raised inside the server (e.g. by the responder)
        self.calls = 0
        self.embedding_calls = 0
        self.prompt_tokens = 0
        self.completion_tokens = 0
        self._lock = threading.Lock()
        self._faults: deque[str] = deque()
        self._always_fault: str | None = None
        self.behaviours: set[str] = set()  # see BEHAVIOURS
        self._stopping = threading.Event()
        self._connections: set[socket.socket] = set()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle --------------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("FakeOpenAIServer is not started")
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    def start(self) -> FakeOpenAIServer:
        if self._httpd is not None:
            raise RuntimeError("FakeOpenAIServer already started")
        self._stopping.clear()
        httpd = _HTTPServer(("127.0.0.1", 0), _Handler)
        httpd.fake = self
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-openai", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        self._stopping.set()  # wakes handlers sleeping in a "timeout" fault
        httpd.shutdown()
        httpd.server_close()
        # Close kept-alive connections so pooled clients cannot keep talking to a stopped server.
        with self._lock:
            conns = list(self._connections)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeOpenAIServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- faults -----------------------------------------------------------------------------------------

    def queue_faults(self, *faults: str) -> None:
        """Queue faults (FIFO) applied to the next chat completion requests, one per request."""
        for fault in faults:
            _check_fault(fault)
        with self._lock:
            self._faults.extend(faults)

    def set_always_fault(self, fault: str | None) -> None:
        """Apply `fault` to every chat completion until cleared with None (overrides the queue)."""
        if fault is not None:
            _check_fault(fault)
        with self._lock:
            self._always_fault = fault

    @property
    def pending_faults(self) -> list[str]:
        with self._lock:
            return list(self._faults)

    # -- internals used by the handler ------------------------------------------------------------------

    def set_behaviours(self, *names: str) -> None:
        unknown = set(names) - BEHAVIOURS
        if unknown:
            raise ValueError(f"unknown behaviours {sorted(unknown)}; expected some of {sorted(BEHAVIOURS)}")
        self.behaviours = set(names)

    def _next_fault(self) -> str | None:
        with self._lock:
            if self._always_fault is not None:
                return self._always_fault
            return self._faults.popleft() if self._faults else None

    def _record_chat(self, body: dict[str, Any]) -> None:
        with self._lock:
            self.calls += 1
            self.requests.append(body)

    def _record_embedding(self, body: dict[str, Any]) -> None:
        with self._lock:
            self.embedding_calls += 1
            self.embedding_requests.append(body)

    def _add_usage(self, prompt_tokens: int, completion_tokens: int) -> None:
        with self._lock:
            self.prompt_tokens += prompt_tokens
            self.completion_tokens += completion_tokens

    def _record_error(self, exc: BaseException) -> None:
        with self._lock:
            self.errors.append(exc)

    def _track_connection(self, conn: socket.socket, *, add: bool) -> None:
        with self._lock:
            if add:
                self._connections.add(conn)
            else:
                self._connections.discard(conn)


def _check_fault(fault: str) -> None:
    if fault not in FAULTS:
        raise ValueError(f"unknown fault {fault!r}; expected one of {sorted(FAULTS)}")

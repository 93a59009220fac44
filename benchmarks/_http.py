"""A minimal HTTP/1.1 JSON client over one keep-alive asyncio connection: the load generator of benchmarks.serve.

The load generator runs on the same cores as the server it measures, so its own CPU per request is charged to
the server's latency and throughput. httpx's AsyncClient cost ~1.7 ms of CPU per small request on this machine
(connection pool, anyio, h11, its request and response models); this client costs ~0.1 ms: it writes the request
in one piece and reads a Content-Length response, which is all the memoryos API sends. Anything else (chunked
bodies, 1xx, a closed connection mid-response) is an error, not a case handled half-way.
"""

from __future__ import annotations

import asyncio
import json
from contextlib import suppress
from typing import Any


class HttpError(RuntimeError):
    """The server answered something this client does not read (or not at all)."""


class Response:
    def __init__(self, status: int, body: bytes) -> None:
        self.status_code = status
        self.content = body

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")

    def json(self) -> Any:
        return json.loads(self.content)


class JsonClient:
    """One connection to `host:port`, opened on first use and again after the server closed it."""

    def __init__(self, host: str, port: int, timeout: float) -> None:
        self._host, self._port, self._timeout = host, port, timeout
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._head = f"host: {host}:{port}\r\naccept: application/json\r\n".encode("latin-1")

    async def post(self, path: str, *, json: Any) -> Response:  # httpx's signature: the two clients swap
        return await self.request("POST", path, _dumps(json))

    async def get(self, path: str) -> Response:
        return await self.request("GET", path, None)

    async def request(self, method: str, path: str, body: bytes | None) -> Response:
        return await asyncio.wait_for(self._exchange(method, path, body), self._timeout)

    async def _exchange(self, method: str, path: str, body: bytes | None) -> Response:
        if self._writer is None or self._writer.is_closing() or (self._reader is not None and self._reader.at_eof()):
            # a connection the server closed while it sat idle (uvicorn's keep-alive timeout, 5 s) is not reused:
            # a request written into it would read 0 bytes back
            await self.aclose()
            self._reader, self._writer = await asyncio.open_connection(self._host, self._port)
        reader, writer = self._reader, self._writer
        assert reader is not None
        head = f"{method} {path} HTTP/1.1\r\n".encode("latin-1") + self._head
        if body is not None:
            head += b"content-type: application/json\r\ncontent-length: %d\r\n" % len(body)
        writer.write(head + b"\r\n" + (body or b""))
        try:
            raw = await reader.readuntil(b"\r\n\r\n")
            status, length, close = _parse_head(raw)
            content = await reader.readexactly(length)
        except (asyncio.IncompleteReadError, ConnectionError) as exc:
            await self.aclose()
            raise HttpError(f"{method} {path}: the connection ended before a whole response ({exc})") from exc
        if close:
            await self.aclose()
        return Response(status, content)

    async def aclose(self) -> None:
        writer, self._reader, self._writer = self._writer, None, None
        if writer is not None:
            writer.close()
            with suppress(ConnectionError, OSError):  # closing a connection the server already dropped
                await writer.wait_closed()


def _dumps(value: Any) -> bytes:
    return json.dumps(value).encode()


def _parse_head(raw: bytes) -> tuple[int, int, bool]:
    """Status, Content-Length and whether the server closes the connection, from a response head."""
    lines = raw.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/1.") or not parts[1].isdigit():
        raise HttpError(f"not an HTTP/1.x status line: {lines[0][:100]!r}")
    length: int | None = None
    close = False
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name, value = name.strip().lower(), value.strip()
        if name == "content-length":
            length = int(value)
        elif name == "transfer-encoding":
            raise HttpError(f"a {value} response body (this client reads Content-Length bodies only)")
        elif name == "connection":
            close = value.lower() == "close"
    if length is None:
        raise HttpError(f"a response without Content-Length (status {parts[1]})")
    return int(parts[1]), length, close

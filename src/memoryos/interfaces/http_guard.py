"""The checks every HTTP shell (the REST API and the HTTP MCP transport) makes before a request reaches it.

One pure-ASGI wrapper, `HttpGuard`, independent of any web framework, applies them in this order:

1. **Host** (DNS rebinding). A web page on any domain can point its name at 127.0.0.1 and then read and write
   through the victim's browser a server that answers every `Host`. So a request must name this server: the
   bound address, or for a server on this machine `localhost` / `127.0.0.1` / `::1` (names no other site can
   give itself), or a name given with `--allowed-host` (a reverse proxy's public name). The port is not
   compared: the name is what a rebinding attacker controls, and proxies and port forwards change ports.
   Anything else gets 421 `misdirected_request`; a missing or malformed `Host` gets 400 `bad_request`.
2. **Origin** (cross-site writes). A state-changing request (POST, PUT, PATCH, DELETE) that carries an
   `Origin` must come from the same origin (scheme http/https, the same name and port as its `Host`) or from a
   name given with `--allowed-host`; otherwise 403 `forbidden_origin`. `Origin: null` (sandboxed frames,
   `file:` pages) is refused too. Requests without `Origin` (curl, SDKs, same-origin GETs) pass: browsers send
   it on every cross-origin write.
3. **Request target**: a path or query string whose percent-escapes do not decode as UTF-8 gets 400
   `invalid_input`, so that `%FF` and `%FE` are refused instead of both becoming U+FFFD (one user id).
4. **Body size**: more than the limit (by `Content-Length`, and by counting the bytes of a chunked body) gets
   413 `input_too_large` before the application reads any of it.

A server bound to a wildcard address (`0.0.0.0`, `::`) cannot know the names clients use to reach it, so it
accepts any `Host` unless `--allowed-host` names them. That is safe because such a server always requires a
bearer token, which a rebinding page does not have (browsers never attach it on their own); the Origin check
still applies. A loopback server without tokens is exactly what DNS rebinding targets, and there the Host
check is what protects it.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import re
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple
from urllib.parse import unquote_to_bytes, urlsplit

from ..errors import ConfigError, InputTooLarge, InvalidInput

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
WILDCARD_ADDRESSES = frozenset({"", "0.0.0.0", "::"})
STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
DEFAULT_PORTS = {"http": 80, "https": 443}
_NAME = re.compile(r"^[a-z0-9_-]+(\.[a-z0-9_-]+)*$")  # DNS names and IPv4 literals, lowercased
_SHOWN = 100  # at most this much of a refused header is quoted back


def canonical_name(name: str) -> str | None:
    """A host name as compared: lowercase, no trailing dot, IP literals in one spelling; None if malformed."""
    name = name.strip().lower()
    if name.startswith("[") and name.endswith("]"):
        name = name[1:-1]
        try:
            return ipaddress.IPv6Address(name).compressed
        except ValueError:
            return None
    try:
        return ipaddress.ip_address(name).compressed
    except ValueError:
        pass
    name = name[:-1] if name.endswith(".") else name
    return name if _NAME.match(name) else None


def split_authority(value: str) -> tuple[str, int | None] | None:
    """`name[:port]` or `[ipv6][:port]` as (canonical name, port); None if it is not a valid authority."""
    if not value or value != value.strip() or any(ch in value for ch in "/\\@?#, \t"):
        return None
    if value.startswith("["):
        end = value.find("]")
        if end < 0:
            return None
        host, rest = value[: end + 1], value[end + 1 :]
    else:
        if value.count(":") > 1:
            return None  # a bare IPv6 address: a Host header must bracket it
        host, colon, port_text = value.partition(":")
        rest = colon + port_text
    port: int | None = None
    if rest:
        if not rest.startswith(":") or not rest[1:].isascii() or not (rest[1:].isdigit() or rest == ":"):
            return None
        if rest != ":":
            port = int(rest[1:])
            if port > 65535:
                return None
    name = canonical_name(host)
    return None if name is None else (name, port)


def is_wildcard(host: str) -> bool:
    return host.strip("[]") in WILDCARD_ADDRESSES


class HostPolicy:
    """Which `Host` names and `Origin`s a server bound to `bind_host` answers (see the module docstring)."""

    def __init__(self, bind_host: str, allowed_hosts: Iterable[str] = ()) -> None:
        self.bind_host = bind_host
        explicit: set[str] = set()
        for given in allowed_hosts:
            name = canonical_name(given)
            if name is None or not given.strip():
                raise ConfigError(
                    f"--allowed-host {given!r} is not a host name or IP address (give the name alone, no scheme "
                    "or port: e.g. memory.example.com)"
                )
            explicit.add(name)
        self.explicit = frozenset(explicit)
        # a wildcard bind cannot know its public names: any Host, unless they are given (tokens are required there)
        self.any_host = is_wildcard(bind_host) and not explicit
        names = set(LOOPBACK_NAMES) | explicit
        if not is_wildcard(bind_host):
            bound = canonical_name(bind_host)
            if bound is not None:
                names.add(bound)
        self.names = frozenset(names)

    def describe(self) -> str:
        if self.any_host:
            return "any Host (wildcard bind; give --allowed-host to restrict)"
        return "Host " + ", ".join(sorted(self.names))

    def host_allowed(self, name: str) -> bool:
        return self.any_host or name in self.names

    def origin_allowed(self, origin: str, host: tuple[str, int | None]) -> bool:
        """Same origin as the request's Host (scheme http or https), or an explicitly allowed name."""
        if origin == "null":
            return False
        try:
            parts = urlsplit(origin)
        except ValueError:
            return False
        if parts.scheme not in DEFAULT_PORTS or parts.path not in ("", "/") or parts.query or parts.fragment:
            return False
        authority = split_authority(parts.netloc)
        if authority is None:
            return False
        name, port = authority
        if name in self.explicit:
            return True  # a proxy's public name, whatever Host the proxy forwards
        default = DEFAULT_PORTS[parts.scheme]
        host_name, host_port = host
        return name == host_name and (port or default) == (host_port or default)


@dataclass(frozen=True)
class BodyLimits:
    """At most `default` bytes of request body; paths matching one of `larger` may carry that many instead."""

    default: int
    larger: tuple[tuple[re.Pattern[str], int], ...] = field(default=())

    def __post_init__(self) -> None:
        for limit in (self.default, *(n for _p, n in self.larger)):
            if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
                raise ConfigError(f"a request body limit must be a positive number of bytes, got {limit!r}")

    def for_path(self, path: str) -> int:
        return next((limit for pattern, limit in self.larger if pattern.match(path)), self.default)


def default_max_body_bytes(max_input_chars: int, max_meta_data_bytes: int) -> int:
    """Room for two texts at max_input_chars and a meta_data at its limit, even with every character written as a
    6-byte JSON escape (\\uXXXX), plus 64 KiB for the rest of the request. About 12 MB with the defaults."""
    return 6 * (2 * max_input_chars + max_meta_data_bytes) + 65_536


class Refusal(NamedTuple):
    """What the guard answers instead of the application, in the shape of a typed error: `http_status`, `code`
    and the message."""

    http_status: int
    code: str
    message: str


def percent_decodes(raw: bytes | str) -> bool:
    """Whether every percent-escape in `raw` decodes, together with the rest, as UTF-8 (else it would become
    U+FFFD, and two different escapes one and the same id)."""
    try:
        unquote_to_bytes(raw).decode("utf-8")
    except UnicodeError:  # an escape that is not UTF-8, or (in a str) a lone surrogate
        return False
    return True


class HttpGuard:
    """The ASGI wrapper: refuses what the policy refuses with `{"error": {"code", "message"}}`, passes the rest."""

    def __init__(self, app: ASGIApp, hosts: HostPolicy, limits: BodyLimits) -> None:
        self.app = app
        self.hosts = hosts
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers: dict[bytes, list[bytes]] = {}
        for key, value in scope.get("headers") or ():
            headers.setdefault(key.lower(), []).append(value)

        refusal = self._check_headers(scope, headers)
        if refusal is None:
            refusal = self._check_target(scope)
        limit = self.limits.for_path(scope.get("path", ""))
        if refusal is None:
            refusal = self._check_length(headers, limit)
        if refusal is not None:
            await _respond(send, refusal)
            return

        # read the whole body (it is at most `limit` bytes), then hand it to the application in one piece
        chunks: list[bytes] = []
        size = 0
        pending: list[Message] = []
        while True:
            message = await receive()
            if message["type"] != "http.request":
                pending.append(message)  # e.g. http.disconnect: the application sees it after the body
                break
            body = message.get("body", b"")
            size += len(body)
            if size > limit:
                await _respond(send, _too_large(limit))
                return
            chunks.append(body)
            if not message.get("more_body", False):
                break
        replay: list[Message] = [{"type": "http.request", "body": b"".join(chunks), "more_body": False}, *pending]

        async def replayed() -> Message:
            return replay.pop(0) if replay else await receive()

        await self.app(scope, replayed, send)

    def _check_headers(self, scope: Scope, headers: dict[bytes, list[bytes]]) -> Refusal | None:
        hosts = headers.get(b"host", [])
        if len(hosts) != 1:
            what = "no Host header" if not hosts else "several Host headers"
            return Refusal(400, "bad_request", f"the request has {what}; it needs exactly one")
        raw_host = hosts[0].decode("latin-1")
        authority = split_authority(raw_host)
        if authority is None:
            return Refusal(400, "bad_request", f"the Host header {raw_host[:_SHOWN]!r} is not a valid host[:port]")
        if not self.hosts.host_allowed(authority[0]):
            log.info("refused a request for Host %r (not a name this server answers to)", raw_host[:_SHOWN])
            return Refusal(
                421,
                "misdirected_request",
                f"this server does not answer to the host name {authority[0][:_SHOWN]!r}; use the address it is "
                "bound to, or start it with --allowed-host NAME (e.g. behind a reverse proxy)",
            )
        if scope.get("method", "GET").upper() in STATE_CHANGING:
            origins = headers.get(b"origin", [])
            if len(origins) > 1:
                return Refusal(403, "forbidden_origin", "the request has several Origin headers")
            if origins:
                origin = origins[0].decode("latin-1")
                if not self.hosts.origin_allowed(origin, authority):
                    log.info("refused a %s from Origin %r", scope.get("method"), origin[:_SHOWN])
                    return Refusal(
                        403,
                        "forbidden_origin",
                        f"requests that change data are accepted from this server's own pages only, not from "
                        f"origin {origin[:_SHOWN]!r}",
                    )
        return None

    @staticmethod
    def _check_target(scope: Scope) -> Refusal | None:
        targets = []
        raw_path = scope.get("raw_path")
        if isinstance(raw_path, bytes):
            targets.append(("path", raw_path.split(b"?", 1)[0]))  # some servers leave the query on raw_path
        targets.append(("query string", scope.get("query_string") or b""))
        for where, raw in targets:
            if b"%" in raw and not percent_decodes(raw):
                return Refusal(
                    400,  # like a body that is not JSON: the request itself cannot be read
                    InvalidInput.code,
                    f"the request {where} has a percent-escape that is not UTF-8 (e.g. %FF); encode ids as UTF-8",
                )
        return None

    @staticmethod
    def _check_length(headers: dict[bytes, list[bytes]], limit: int) -> Refusal | None:
        lengths = headers.get(b"content-length", [])
        if not lengths:
            return None
        if len(set(lengths)) != 1 or not lengths[0].isdigit():
            return Refusal(400, "bad_request", "the Content-Length header is not one non-negative number")
        return _too_large(limit) if int(lengths[0]) > limit else None


def _too_large(limit: int) -> Refusal:
    message = f"the request body is over this server's limit of {limit:,} bytes"
    return Refusal(InputTooLarge.http_status, InputTooLarge.code, message)


async def _respond(send: Send, refusal: Refusal) -> None:
    status = refusal.http_status
    body = json.dumps({"error": {"code": refusal.code, "message": refusal.message}}).encode("utf-8")
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode("ascii")),
        (b"x-content-type-options", b"nosniff"),
        (b"cache-control", b"no-store"),
    ]
    if status in (400, 413):
        headers.append((b"connection", b"close"))  # an unread body must not be taken for the next request
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


__all__ = [
    "LOOPBACK_NAMES",
    "BodyLimits",
    "HostPolicy",
    "HttpGuard",
    "Refusal",
    "default_max_body_bytes",
    "percent_decodes",
    "split_authority",
]

"""DNS rebinding and cross-site writes: both HTTP shells (REST API, HTTP MCP transport) answer only requests that
name them in `Host` and refuse state-changing requests from another web origin (issue 10, item 1)."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from rest_helpers import ALICE, seed, settings
from test_mcp_helpers import child_env, free_port, memoryos_command, write_config

from memoryos import ConfigError
from memoryos.interfaces.auth import TokenPolicy
from memoryos.interfaces.http_guard import HostPolicy, split_authority
from memoryos.interfaces.mcp_server import MemoryServer
from memoryos.interfaces.rest import create_app

TOKEN = "guard-test-token-000001"
FOREIGN_HOSTS = ["evil.example", "evil.example:8000", "rebind.attacker.test:80", "127.0.0.1.nip.io", "localhost.evil"]
INIT = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
}
MCP_ACCEPT = {"Accept": "application/json, text/event-stream"}


def error(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"} and body["error"]["message"]
    return str(body["error"]["code"])


@pytest.fixture
def rest(tmp_path: Path, embedder: Any) -> Iterator[Any]:
    """TestClients over REST apps bound where the test says, each on its own store."""
    opened: list[TestClient] = []

    def make(host: str = "127.0.0.1", base: str = "http://127.0.0.1:8000", **options: Any) -> TestClient:
        app = create_app(settings(tmp_path / f"app{len(opened)}"), host=host, embedder=embedder, **options)
        client = TestClient(app, base_url=base)
        client.__enter__()
        opened.append(client)
        return client

    yield make
    for client in opened:
        client.__exit__(None, None, None)


@pytest.fixture
def mcp(tmp_path: Path, embedder: Any) -> Iterator[Any]:
    """TestClients over the streamable-HTTP MCP app, bound where the test says."""
    servers: list[MemoryServer] = []
    opened: list[TestClient] = []

    def make(host: str, base: str, tokens: TokenPolicy | None = None, **options: Any) -> TestClient:
        server = MemoryServer(
            {"user_id": "alice", "data_storage_path": str(tmp_path / "mcp")}, sampling=False, tokens=tokens,
            embedder=embedder,
        )
        servers.append(server)
        client = TestClient(server.http_app(host, **options), base_url=base)
        client.__enter__()
        opened.append(client)
        return client

    yield make
    for client in opened:
        client.__exit__(None, None, None)
    for server in servers:
        server.pool.close()


# ---- REST ----


def test_rest_refuses_foreign_host_on_every_route_with_and_without_tokens(rest: Any) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    for client, headers in ((rest(), {}), (rest(tokens=TokenPolicy.from_tokens([TOKEN])), auth)):
        seed(client, "alice", ALICE[:2], **headers)
        for host in FOREIGN_HOSTS:
            for method, path in (
                ("GET", "/"),  # the inspector page
                ("GET", "/static/inspector.js"),
                ("GET", "/health"),
                ("GET", "/openapi.json"),
                ("GET", "/v1/users/alice/export"),
                ("POST", "/v1/users/alice/memories"),
                ("DELETE", "/v1/users/alice?confirm=true"),
            ):
                body = {"user_input": "planted by a rebinding page"} if method == "POST" else None
                response = client.request(method, path, json=body, headers={**headers, "Host": host})
                assert error(response, 421) == "misdirected_request", (host, path)
                assert "memoryos" not in response.text and "Lisbon" not in response.text
        export = client.get("/v1/users/alice/export", headers=headers).json()
        assert len(export["pages"]) == 2 and "planted" not in json.dumps(export)  # nothing reached the store
        for bad in ("", "a b", "::1", "[::1", "host:port", "evil.example:99999", "us@evil.example"):
            assert error(client.get("/health", headers={"Host": bad}), 400) == "bad_request", bad


def test_rest_accepts_loopback_names_with_or_without_port(rest: Any) -> None:
    client = rest()
    for host in ("127.0.0.1", "127.0.0.1:8000", "localhost", "LOCALHOST:1234", "localhost.", "[::1]", "[::1]:8000"):
        assert client.get("/health", headers={"Host": host}).status_code == 200, host
    assert client.post("/v1/users/alice/memories", json={"user_input": "hi"}, headers={"Host": "localhost"}).is_success


def test_rest_refuses_cross_origin_writes_but_not_same_origin_or_no_origin(rest: Any) -> None:
    client = rest()
    seed(client, "alice", ALICE[:2])
    add = {"user_input": "I like figs.", "agent_response": "Noted."}
    for origin in (
        "http://evil.example",
        "https://evil.example:8000",
        "null",
        "http://127.0.0.1:9999",  # another port on this machine is another origin
        "http://localhost:8000",  # a different name than the page's Host: another origin too
        "file://",
        "http://127.0.0.1:8000/path",
        "not a url",
    ):
        for method, path, body in (
            ("POST", "/v1/users/alice/memories", add),
            ("DELETE", "/v1/users/alice?confirm=true", None),
            ("PUT", "/v1/users/alice/pages", None),
            ("PATCH", "/v1/users/alice/pages", None),
        ):
            response = client.request(method, path, json=body, headers={"Origin": origin})
            assert error(response, 403) == "forbidden_origin", (origin, method)
    assert client.get("/v1/users/alice/stats").json()["pages"]["short"] == 2  # nothing added, nothing forgotten

    # reads are not refused for their Origin (the browser keeps cross-origin answers from the page: no CORS)
    assert client.get("/v1/users/alice/stats", headers={"Origin": "http://evil.example"}).status_code == 200
    # the inspector's own fetch calls send the page's origin; API clients send none
    same = client.post("/v1/users/alice/memories", json=add, headers={"Origin": "http://127.0.0.1:8000"})
    assert same.status_code == 201, same.text
    assert client.post("/v1/users/alice/memories", json=add).status_code == 201
    default_port = rest(base="http://localhost").post(
        "/v1/users/alice/memories", json=add, headers={"Origin": "http://localhost:80"}
    )
    assert default_port.status_code == 201, default_port.text


def test_rest_bound_to_another_loopback_address(rest: Any) -> None:
    """127.0.0.2 counts as loopback (open without a token), so it must be guarded just the same."""
    client = rest(host="127.0.0.2", base="http://127.0.0.2:8000")
    assert client.post("/v1/users/alice/memories", json={"user_input": "hi"}).status_code == 201  # open, no token
    for host in ("127.0.0.2", "127.0.0.2:8000", "localhost:8000", "127.0.0.1"):
        assert client.get("/v1/users/alice/stats", headers={"Host": host}).status_code == 200, host
    for host in [*FOREIGN_HOSTS, "127.0.0.3"]:
        assert error(client.get("/v1/users/alice/export", headers={"Host": host}), 421) == "misdirected_request"
    refused = client.delete("/v1/users/alice?confirm=true", headers={"Origin": "http://evil.example"})
    assert error(refused, 403) == "forbidden_origin"
    assert client.get("/v1/users/alice/stats").json()["pages"]["short"] == 1


def test_rest_allowed_host_for_a_reverse_proxy(rest: Any) -> None:
    client = rest(allowed_hosts=["Memory.Example.com."])
    proxied = {"Host": "memory.example.com", "Origin": "https://memory.example.com"}
    assert client.post("/v1/users/alice/memories", json={"user_input": "via proxy"}, headers=proxied).status_code == 201
    # a proxy that rewrites Host to the upstream address still forwards the browser's Origin
    rewritten = {"Host": "127.0.0.1:8000", "Origin": "https://memory.example.com"}
    assert client.post("/v1/users/alice/memories", json={"user_input": "again"}, headers=rewritten).status_code == 201
    assert error(client.get("/health", headers={"Host": "other.example.com"}), 421) == "misdirected_request"
    assert error(
        client.post("/v1/users/alice/memories", json={"user_input": "x"}, headers={"Origin": "https://other.example"}),
        403,
    ) == "forbidden_origin"
    for bad in ("http://memory.example.com", "memory.example.com:443", "", "a/b"):
        with pytest.raises(ConfigError, match="allowed-host"):
            create_app({}, allowed_hosts=[bad])


def test_rest_wildcard_bind_accepts_any_host_unless_allowed_hosts_are_given(rest: Any) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    tokens = TokenPolicy.from_tokens([TOKEN])
    anywhere = rest(host="0.0.0.0", base="http://memory.lan:8000", tokens=tokens)
    assert anywhere.get("/v1/users/alice/stats", headers=auth).status_code == 200
    assert anywhere.get("/v1/users/alice/stats", headers={"Host": "evil.example"}).status_code == 401  # the token
    cross = anywhere.post("/v1/users/alice/memories", json={"user_input": "x"}, headers={**auth, "Origin": "http://a.b"})
    assert error(cross, 403) == "forbidden_origin"
    named = rest(host="::", base="http://memory.lan:8000", tokens=tokens, allowed_hosts=["memory.lan"])
    assert named.get("/v1/users/alice/stats", headers=auth).status_code == 200
    assert named.get("/health", headers={"Host": "127.0.0.1:8000"}).status_code == 200  # local health checks
    assert error(named.get("/v1/users/alice/stats", headers={**auth, "Host": "evil.example"}), 421)


def test_host_policy_units() -> None:
    assert split_authority("[::1]:8000") == ("::1", 8000)
    assert split_authority("[0:0:0:0:0:0:0:1]") == ("::1", None)
    assert split_authority("LocalHost.:80") == ("localhost", 80)
    assert split_authority("127.0.0.1:") == ("127.0.0.1", None)
    for bad in ("", " localhost", "::1", "[::1]x", "[zz]", "a:b", "ex ample", "é.example", "a:-1", "a:１２"):
        assert split_authority(bad) is None, bad
    policy = HostPolicy("127.0.0.5")
    assert policy.host_allowed("127.0.0.5") and policy.host_allowed("::1") and not policy.host_allowed("127.0.0.6")
    assert HostPolicy("0.0.0.0").any_host and not HostPolicy("0.0.0.0", ["a.example"]).any_host
    assert HostPolicy("192.168.1.9").names == {"192.168.1.9", "127.0.0.1", "localhost", "::1"}


# ---- MCP over HTTP ----


def test_mcp_refuses_foreign_host_and_origin_on_any_loopback_bind(mcp: Any) -> None:
    """The SDK guards only binds to exactly 127.0.0.1/localhost/::1; 127.0.0.2 (open: loopback) must be guarded too."""
    for host, base, tokens, headers in (
        ("127.0.0.2", "http://127.0.0.2:8765", None, {}),
        ("127.0.0.1", "http://127.0.0.1:8765", None, {}),
        ("127.0.0.2", "http://127.0.0.2:8765", TokenPolicy.from_tokens([TOKEN]), {"Authorization": f"Bearer {TOKEN}"}),
    ):
        client = mcp(host, base, tokens)
        hello = client.post("/mcp", json=INIT, headers={**MCP_ACCEPT, **headers})
        assert hello.status_code == 200 and '"serverInfo"' in hello.text, hello.text
        same = client.post("/mcp", json=INIT, headers={**MCP_ACCEPT, **headers, "Origin": base})
        assert same.status_code == 200, same.text
        for foreign in FOREIGN_HOSTS:
            refused = client.post("/mcp", json=INIT, headers={**MCP_ACCEPT, **headers, "Host": foreign})
            assert error(refused, 421) == "misdirected_request"
            assert error(client.get("/mcp", headers={**headers, "Host": foreign}), 421) == "misdirected_request"
        for origin in ("http://evil.example", "null", "http://127.0.0.2:1"):
            refused = client.post("/mcp", json=INIT, headers={**MCP_ACCEPT, **headers, "Origin": origin})
            assert error(refused, 403) == "forbidden_origin"
            assert error(client.delete("/mcp", headers={**headers, "Origin": origin}), 403) == "forbidden_origin"


def test_mcp_allowed_host(mcp: Any) -> None:
    """--allowed-host works on a 127.0.0.1 bind too (the SDK's own check, which knows no such option, is off)."""
    client = mcp("127.0.0.1", "http://memory.example.com", allowed_hosts=["memory.example.com"])
    hello = client.post("/mcp", json=INIT, headers={**MCP_ACCEPT, "Origin": "https://memory.example.com"})
    assert hello.status_code == 200, hello.text
    assert error(client.post("/mcp", json=INIT, headers={**MCP_ACCEPT, "Host": "evil.example"}), 421)


# ---- a real server with worker processes ----


def _wait_for(host: str, port: int, process: subprocess.Popen[bytes], log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}:\n{log.read_text()}")
        with socket.socket() as sock:
            if sock.connect_ex((host, port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listens on {host}:{port}:\n{log.read_text()}")


def test_serve_workers_refuse_foreign_host_and_origin(tmp_path: Path) -> None:
    """`memoryos serve --workers 2` on 127.0.0.2, open (loopback, no token): every worker applies the policy,
    --allowed-host included (the settings reach the worker processes)."""
    config = write_config(tmp_path / "config.json", user_id="alice", short_term_capacity=500)
    port = free_port()
    log = tmp_path / "server.log"
    with log.open("w") as sink:
        server = subprocess.Popen(
            [
                *memoryos_command(),
                "serve",
                "--host",
                "127.0.0.2",
                "--port",
                str(port),
                "--workers",
                "2",
                "--allowed-host",
                "proxy.example",
                "--config",
                str(config),
                "--data",
                str(tmp_path / "data"),
            ],
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=child_env(),
        )
    try:
        _wait_for("127.0.0.2", port, server, log)
        base = f"http://127.0.0.2:{port}"
        # a new connection per request, so that both workers answer some
        with httpx.Client(base_url=base, timeout=60, limits=httpx.Limits(max_keepalive_connections=0)) as api:
            added = api.post("/v1/users/alice/memories", json={"user_input": "My PIN is 1234."})
            assert added.status_code == 201, added.text
            for _ in range(6):
                for host in ("evil.example", f"evil.example:{port}"):
                    for path in ("/v1/users/alice/export", "/"):
                        assert error(api.get(path, headers={"Host": host}), 421) == "misdirected_request"
                forget = api.delete("/v1/users/alice", params={"confirm": "true"}, headers={"Origin": "http://a.test"})
                assert error(forget, 403) == "forbidden_origin"
                assert api.get("/health", headers={"Host": "proxy.example"}).status_code == 200
                assert api.get("/health", headers={"Host": f"localhost:{port}"}).status_code == 200
            assert api.get("/v1/users/alice/stats").json()["pages"]["short"] == 1
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=60)
    output = log.read_text()
    assert "2 worker(s)" in output
    # both worker processes built their app with the policy, --allowed-host included
    assert output.count("hosts=Host 127.0.0.1, 127.0.0.2, ::1, localhost, proxy.example") == 2, output
    assert "refused a request for Host 'evil.example'" in output


@pytest.mark.parametrize("command", [["serve"], ["mcp", "--transport", "http"]])
def test_cli_takes_allowed_host_and_refuses_a_malformed_one(tmp_path: Path, command: list[str]) -> None:
    done = subprocess.run(
        [*memoryos_command(), *command, "--port", str(free_port()), "--data", str(tmp_path), "--allowed-host",
         "proxy.example", "--allowed-host", "https://proxy.example/"],
        capture_output=True,
        text=True,
        env=child_env(),
        timeout=120,
    )
    assert done.returncode == 1 and "--allowed-host 'https://proxy.example/'" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr

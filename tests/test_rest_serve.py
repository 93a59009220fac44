"""`memoryos serve` as a subprocess on loopback: several uvicorn workers over one store, tokens, the open-bind guard."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import uvicorn
from test_mcp_helpers import child_env, free_port, memoryos_command, wait_for_port, write_config

from memoryos.interfaces.rest import listening_socket

TOKEN = "serve-test-token-000001"
LIMITED = "serve-test-token-000002"


def test_two_workers_share_one_store(tmp_path: Path, storage_url: str) -> None:
    # no consolidation during the test (a large short-term tier): this is about concurrent writers
    config = write_config(tmp_path / "config.json", user_id="alice", short_term_capacity=500, storage=storage_url)
    tokens = tmp_path / "tokens.json"
    tokens.write_text(json.dumps({"tokens": {LIMITED: ["bob"]}}))
    port = free_port()
    log = tmp_path / "server.log"
    with log.open("w") as sink:
        server = subprocess.Popen(
            [
                *memoryos_command(),
                "serve",
                "--port",
                str(port),
                "--workers",
                "2",
                "--config",
                str(config),
                "--tokens-file",
                str(tokens),
                "--log-level",
                "INFO",
            ],
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=child_env(MEMORYOS_TOKEN=TOKEN),
        )
    try:
        wait_for_port(port, server, log, timeout=90)
        auth = {"Authorization": f"Bearer {TOKEN}"}
        # a new connection per request, so that both workers take a share
        with httpx.Client(
            base_url=f"http://127.0.0.1:{port}", timeout=60, limits=httpx.Limits(max_keepalive_connections=0)
        ) as api:
            assert api.get("/health").json()["status"] == "ok"
            assert api.get("/v1/info").status_code == 401

            def add(i: int) -> str:
                user = "alice" if i % 3 else "bob"
                body = {"user_input": f"message {i} for {user}", "agent_response": f"reply {i}"}
                response = api.post(f"/v1/users/{user}/memories", json=body, headers=auth)
                assert response.status_code == 201, response.text
                return response.json()["page_id"]

            with ThreadPoolExecutor(max_workers=8) as pool:
                ids = list(pool.map(add, range(60)))
            assert len(set(ids)) == 60
            for user, expected in (("alice", 40), ("bob", 20)):
                pages = api.get(f"/v1/users/{user}/pages", params={"limit": 500}, headers=auth).json()
                assert pages["total"] == expected and len(pages["items"]) == expected
                assert len({p["seq"] for p in pages["items"]}) == expected  # one order, no lost or doubled write
                assert all(user in p["user_input"] for p in pages["items"])
            limited = {"Authorization": f"Bearer {LIMITED}"}
            assert api.get("/v1/users/bob/stats", headers=limited).json()["pages"]["short"] == 20
            assert api.get("/v1/users/alice/stats", headers=limited).json()["error"]["code"] == "forbidden"
            assert api.get("/", headers=auth).text.count("memoryos inspector") >= 1
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=60)
    output = log.read_text()
    assert TOKEN not in output and LIMITED not in output, output
    assert "2 worker(s)" in output and output.count("memoryos REST API: assistant=") == 2  # one app per worker


def test_refuses_to_serve_beyond_loopback_without_a_token(tmp_path: Path) -> None:
    done = subprocess.run(
        [*memoryos_command(), "serve", "--host", "0.0.0.0", "--port", str(free_port()), "--data", str(tmp_path)],
        capture_output=True,
        text=True,
        env=child_env(),
        timeout=120,
    )
    assert done.returncode == 1 and "without a token" in done.stderr, done.stderr


def test_worker_connections_do_not_wait_for_delayed_acks() -> None:
    """The socket `serve --workers N` hands its workers: the connections it accepts send without Nagle's delay
    (TCP_NODELAY, inherited from the listening socket), as a one-worker server's do."""
    config = uvicorn.Config("memoryos.interfaces.rest:app_from_environment", host="127.0.0.1", port=0, workers=2)
    listener = listening_socket(config)
    try:
        listener.listen()
        with socket.create_connection(listener.getsockname()) as client:
            accepted, _ = listener.accept()
            with accepted:
                assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
                client.sendall(b"x")
                assert accepted.recv(1) == b"x"
    finally:
        listener.close()


def test_workers_share_the_cores_for_embedding_unless_told_otherwise() -> None:
    from memoryos.interfaces.rest import worker_settings

    cores = os.cpu_count() or 1
    assert worker_settings({"user_id": "a"}, 1) == {"user_id": "a"}  # one process: the runtime's default
    assert worker_settings({"user_id": "a"}, 2)["embedding_threads"] == max(1, cores // 2)
    assert worker_settings({"embedding_threads": 3}, 2) == {"embedding_threads": 3}  # a setting wins

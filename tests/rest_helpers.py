"""Shared bits of the REST and inspector tests (no tests here): seed conversations, settings, a live server."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

START = 1_750_000_000.0

ALICE = [
    ("Hi! I'm Alice, I work as a marine biologist in Lisbon.", "Nice to meet you, Alice!"),
    ("I study octopus behaviour in tide pools.", "Octopuses are fascinating."),
    ("My octopus research uses underwater cameras.", "Cameras must help a lot."),
    ("On weekends I play the cello in a string quartet.", "Lovely, what do you play?"),
    ("Our quartet rehearses Haydn every Sunday.", "Haydn is a great choice."),
    ("I prefer green tea over coffee.", "Noted, green tea it is."),
    ("My sister Marta lives in Porto.", "Porto is beautiful."),
]
BOB = [
    ("I'm Bob and I collect vintage synthesizers.", "What a great hobby, Bob!"),
    ("My favourite synthesizer is a Minimoog from 1974.", "A classic instrument."),
]


def settings(tmp_path: Path, storage: str | None = None, **extra: Any) -> dict[str, Any]:
    """Small tiers so a few pages reach every tier, inline upkeep so tests never wait for a thread."""
    data: dict[str, Any] = {
        "user_id": "alice",
        "assistant_id": "test_assistant",
        "data_storage_path": str(tmp_path / "data"),
        "background_upkeep": False,
        "short_term_capacity": 3,
        "mid_term_heat_threshold": 2.0,
    }
    if storage:
        data["storage"] = storage
    data.update(extra)
    return data


def seed(
    client: TestClient | httpx.Client, user: str, conversation: list[tuple[str, str]], **headers: str
) -> list[str]:
    """Add the exchanges one hour apart; returns the page ids."""
    ids = []
    for hour, (user_input, agent_response) in enumerate(conversation):
        response = client.post(
            f"/v1/users/{user}/memories",
            json={"user_input": user_input, "agent_response": agent_response, "timestamp": START + hour * 3600},
            headers=headers,
        )
        assert response.status_code == 201, response.text
        ids.append(response.json()["page_id"])
    return ids


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def live_server(app: FastAPI) -> Iterator[str]:
    """The app under uvicorn on a free loopback port, in a thread; yields its base URL."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)

"""A local OpenAI-compatible chat endpoint that answers every memoryos request validly and counts what it serves.

Standard library only for serving; listens on 127.0.0.1 with an ephemeral port. The purpose of a request
(consolidation, profile/knowledge, generation) is read from its system prompt. Tokens are counted the same way on
both sides (4/3 per whitespace word), so the figures are comparable between runs, not a provider's bill.

How it answers a promotion that shows known facts (`facts=`), always from the prompt alone, never from a gold:
- "reader" (default): as a competent model would, and no better than memoryos without a model: it reads the pages
  and the known facts it was shown with memoryos's own no-LLM reader (self-statements in the third person, their
  attributes, values said again, statements of change) and answers with operations naming the shown ids.
- "add_only": the same facts, every one an `add`: a model that never updates or retires anything.
- "first_sentence": the old stand-in: each page's first user sentence, `update` only for four attributes it
  recognises by keyword.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

_PAGES_RE = re.compile(r"new pages\n(\[.*?\])\n>>>END MEMORY", re.S)
_PROFILE_RE = re.compile(r"current profile\n(.*?)\n>>>END MEMORY", re.S)
# a fenced block labelled with facts or knowledge: the related current facts a promotion prompt shows, with ids
_FACTS_RE = re.compile(
    r"<<<MEMORY \S+ \(data, not instructions\): [^\n]*(?:facts?|knowledge)[^\n]*\n(.*?)\n>>>END MEMORY", re.S | re.I
)
_FACT_LINE_RE = re.compile(r"^\s*(?:[-*]\s*)?[\[(]?(?P<id>[A-Za-z0-9_-]{1,24})[\])]?\s*[:.)\]-]?\s+(?P<text>\S.*)$")
# what the fake reads a fact to be about, so that it can answer `update` when a shown fact has the same attribute
_ATTRIBUTES = {
    "residence": re.compile(r"\b(?:live[sd]?|living|moved|relocated|home)\b", re.I),
    "employer": re.compile(r"\b(?:work(?:s|ed|ing)?|job|employer|joined)\b", re.I),
    "pet": re.compile(r"\b(?:dog|cat|puppy|kitten|pet)\b", re.I),
    "relationship_status": re.compile(r"\b(?:dating|engaged|married|partner|divorced)\b", re.I),
}


def _known_json(prompt: str) -> list[dict[str, Any]]:
    """The known facts a promotion prompt shows, as the JSON list of objects memoryos writes (id, about, text,
    attribute, said); other layouts give what `related_facts` reads from them."""
    for body in _FACTS_RE.findall(prompt):
        try:
            data = json.loads(body)
        except ValueError:
            continue
        if isinstance(data, list):
            return [item for item in data if isinstance(item, dict)]
    return [{"id": i, "text": t, "attribute": a} for i, t, a in related_facts(prompt)]


def count_tokens(text: str) -> int:
    return max(1, len(text.split()) * 4 // 3) if text.strip() else 0


def purpose_of(messages: list[dict[str, Any]]) -> str:
    system = str(messages[0].get("content", "")) if messages else ""
    if "organise a user's conversation memory" in system:
        return "consolidation"
    if "maintain a long-term memory" in system:
        return "profile_knowledge"
    return "generation"


def _first_sentence(text: str, limit: int = 160) -> str:
    sentence = re.split(r"(?<=[.!?])\s", text.strip(), maxsplit=1)[0]
    return sentence[:limit]


def attribute_of(text: str) -> str | None:
    return next((name for name, pattern in _ATTRIBUTES.items() if pattern.search(text)), None)


def related_facts(prompt: str) -> list[tuple[str, str, str | None]]:
    """(id, text, attribute) of the existing facts a promotion prompt shows: a JSON list of objects with id, text
    and maybe attribute, a JSON object id -> text, or one fact per line led by its id."""
    found: list[tuple[str, str, str | None]] = []
    for body in _FACTS_RE.findall(prompt):
        try:
            data = json.loads(body)
        except ValueError:
            data = None
        if isinstance(data, dict):
            found += [(str(k), str(v), None) for k, v in data.items()]
        elif isinstance(data, list):
            found += [
                (str(item.get("id")), str(item.get("text", "")), item.get("attribute") or None)
                for item in data
                if isinstance(item, dict) and item.get("id") is not None
            ]
        else:
            found += [(m["id"], m["text"], None) for m in map(_FACT_LINE_RE.match, body.splitlines()) if m]
    return found


def fact_operations(pages: list[dict[str, Any]], related: list[tuple[str, str, str | None]]) -> list[dict[str, Any]]:
    """One operation per page the user said something on: `update` of a shown fact about the same attribute
    (read from its text), otherwise `add`; each cites its page's index under "pages", as the prompt asks."""
    ops: list[dict[str, Any]] = []
    targets = {attribute_of(text): (fact_id, shown) for fact_id, text, shown in related}
    targets.pop(None, None)
    for position, page in enumerate(pages):
        text = _first_sentence(str(page.get("user", "")))
        if not text:
            continue
        attribute = attribute_of(text)
        target, shown = targets.pop(attribute, (None, None)) if attribute else (None, None)
        ops.append(
            {
                "text": text,
                "pages": [int(page.get("index", position))],
                "attribute": shown or attribute,  # the key the library already uses for it, when it has one
                "op": "update" if target else "add",
                "target": target,
            }
        )
    return ops[:5]


FACT_MODES = ("reader", "add_only", "first_sentence")


def _iso_seconds(text: str) -> float:
    from datetime import datetime, timezone

    try:
        when = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return 0.0
    return (when if when.tzinfo else when.replace(tzinfo=timezone.utc)).timestamp()


def read_operations(
    pages: list[dict[str, Any]], known: list[dict[str, Any]], add_only: bool = False
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(user facts, assistant facts) as a model following the promotion prompt would answer them: memoryos's
    no-LLM reader over the prompt's pages, against the known facts it shows (by their short ids, each read for
    its attribute from its text as the reader reads one). A new value of a shown fact's attribute is its
    `update`; a value said again its `keep`; an ending its `invalidate`."""
    from memoryos.models import Fact, Page
    from memoryos.providers.fact_attribute import attribute_of
    from memoryos.providers.fact_extraction import page_facts

    shown = [
        Fact(str(f.get("id")), "assistant" if f.get("about") == "assistant" else "user", str(f.get("text", "")), [],
             0.0, observed_at=_iso_seconds(str(f.get("said", ""))),
             attribute=attribute_of(str(f.get("text", ""))) or f.get("attribute") or None)
        for f in known
        if f.get("id") is not None
    ]  # fmt: skip
    read = [
        Page(str(i), str(p.get("user", "")), str(p.get("assistant", "")), _iso_seconds(str(p.get("time", ""))))
        for i, p in enumerate(pages)
    ]
    out: dict[str, list[dict[str, Any]]] = {"user": [], "assistant": []}
    updated: set[str] = set()
    for item in page_facts(read, shown):
        op = item.out
        if add_only:
            if op.op != "add":
                continue
        elif op.op == "add" and op.attribute:
            rival = next(
                (f for f in shown if f.kind == item.kind and f.attribute == op.attribute and f.id not in updated), None
            )
            if rival is not None:
                updated.add(rival.id)
                op = op.model_copy(update={"op": "update", "target": rival.id})
        out[item.kind].append(
            {"text": op.text, "pages": op.page_indices, "attribute": op.attribute, "op": op.op, "target": op.target}
        )
    return out["user"], out["assistant"]


def answer(messages: list[dict[str, Any]], purpose: str, facts_mode: str = "reader") -> str:
    """A valid answer built from the request itself. A promotion prompt that shows existing facts gets fact
    operations (objects); one that does not gets plain strings, as older prompts asked for."""
    prompt = "\n".join(str(m.get("content", "")) for m in messages)
    match = _PAGES_RE.search(prompt)
    pages = json.loads(match.group(1)) if match else []
    if purpose == "consolidation":
        words = [w.lower() for p in pages for w in re.findall(r"[A-Za-z]{5,}", str(p.get("user", "")))]
        keywords = list(dict.fromkeys(words))[:6] or ["conversation"]
        return json.dumps(
            {
                "continues_previous": False,
                "chain_summaries": [f"They talked about: {_first_sentence(str(p.get('user', '')))}" for p in pages],
                "topics": [
                    {
                        "page_indices": list(range(len(pages))) or [0],
                        "summary": "; ".join(_first_sentence(str(p.get("user", ""))) for p in pages)[:600] or "chat",
                        "keywords": keywords,
                    }
                ],
            }
        )
    if purpose == "profile_knowledge":
        current = _PROFILE_RE.search(prompt)
        profile = current.group(1).strip() if current else ""
        facts = [_first_sentence(str(p.get("user", ""))) for p in pages if str(p.get("user", "")).strip()]
        base = "" if profile in ("", "(empty)") else profile
        user_facts: list[Any] = facts[:3]
        assistant_facts: list[Any] = []
        if _FACTS_RE.search(prompt):
            if facts_mode == "first_sentence":
                user_facts = fact_operations(pages, related_facts(prompt))
            else:
                known = _known_json(prompt)
                user_facts, assistant_facts = read_operations(pages, known, add_only=facts_mode == "add_only")
        return json.dumps(
            {
                "profile": (base + " " + " ".join(facts[:3])).strip()[-2000:] or "A user who likes to talk.",
                "user_facts": user_facts,
                "assistant_facts": assistant_facts,
            }
        )
    return "I remember that. Tell me more!"


# how real servers answer (see README "LLM compatibility"); "down" answers HTTP 503 to everything
BEHAVIOURS = ("plain", "think", "reasoning_content", "prose", "trailing_commas", "no_json_mode", "down")


class FakeLLMServer:
    """`with FakeLLMServer() as server:` then point memoryos at `server.base_url`. `latency_s` delays answers;
    `behaviour` is one of BEHAVIOURS, `facts` one of FACT_MODES (how promotions are answered, see above)."""

    def __init__(self, latency_s: float = 0.0, behaviour: str = "plain", facts: str = "reader") -> None:
        if behaviour not in BEHAVIOURS:
            raise ValueError(f"unknown behaviour {behaviour!r}; expected one of {BEHAVIOURS}")
        if facts not in FACT_MODES:
            raise ValueError(f"unknown facts mode {facts!r}; expected one of {FACT_MODES}")
        self.latency_s = latency_s
        self.behaviour = behaviour
        self.facts = facts
        self.refused = 0  # requests answered with an error status
        self.pages_per_call: dict[str, list[int]] = defaultdict(list)  # purpose -> pages each request showed
        self.operations: dict[str, int] = defaultdict(int)  # fact operations served, by op
        self.lock = threading.Lock()
        self.usage: dict[str, dict[str, float]] = defaultdict(
            lambda: {"calls": 0, "prompt_tokens": 0, "completion_tokens": 0, "seconds": 0.0}
        )
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # keep stderr quiet
                pass

            def do_POST(self) -> None:
                started = time.perf_counter()
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                if not self.path.rstrip("/").endswith("/chat/completions"):
                    self._send(404, {"error": {"message": "not found"}})
                    return
                messages = body.get("messages") or []
                purpose = purpose_of(messages)
                behaviour = server.behaviour
                if behaviour == "down" or (behaviour == "no_json_mode" and "response_format" in body):
                    with server.lock:
                        server.refused += 1
                    self._send(503 if behaviour == "down" else 400, {"error": {"message": behaviour}})
                    return
                content = answer(messages, purpose, server.facts)
                served = content  # before the behaviour dresses it up
                if behaviour == "trailing_commas":
                    content = re.sub(r"([}\]\"0-9el])(\s*[}\]])", r"\1,\2", content)
                elif behaviour == "prose":
                    content = f"Sure! Here is the JSON:\n{content}\nAnything else?"
                elif behaviour == "think":
                    content = f'<think>The user wants JSON like {{"a": 1}}; fine.</think>\n{content}'
                if server.latency_s:
                    time.sleep(server.latency_s)
                prompt_tokens = sum(count_tokens(str(m.get("content", ""))) for m in messages)
                completion_tokens = count_tokens(content)
                with server.lock:
                    server.record(messages, purpose, served)
                    row = server.usage[purpose]
                    row["calls"] += 1
                    row["prompt_tokens"] += prompt_tokens
                    row["completion_tokens"] += completion_tokens
                    row["seconds"] += time.perf_counter() - started
                message: dict[str, Any] = {"role": "assistant", "content": content}
                if behaviour == "reasoning_content":
                    message["reasoning_content"] = "Thinking about what to keep."
                self._send(
                    200,
                    {
                        "id": "chatcmpl-fake",
                        "object": "chat.completion",
                        "created": int(time.time()),
                        "model": body.get("model", "fake"),
                        "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
                        "usage": {
                            "prompt_tokens": prompt_tokens,
                            "completion_tokens": completion_tokens,
                            "total_tokens": prompt_tokens + completion_tokens,
                        },
                    },
                )

            def _send(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="fake-llm", daemon=True)

    def record(self, messages: list[dict[str, Any]], purpose: str, content: str) -> None:
        """How many pages the request showed and which fact operations the answer gave (under the lock)."""
        match = _PAGES_RE.search("\n".join(str(m.get("content", "")) for m in messages))
        self.pages_per_call[purpose].append(len(json.loads(match.group(1))) if match else 0)
        if purpose == "profile_knowledge":
            body = json.loads(content)
            for fact in body.get("user_facts", []) + body.get("assistant_facts", []):
                self.operations[fact.get("op", "add") if isinstance(fact, dict) else "add"] += 1

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    def snapshot(self) -> dict[str, dict[str, float]]:
        with self.lock:
            return {k: dict(v) for k, v in self.usage.items()}

    def __enter__(self) -> FakeLLMServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(5)

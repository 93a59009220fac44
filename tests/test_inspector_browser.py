"""The web inspector in a real headless Chromium (Debian's /usr/bin/chromium, driven by Playwright).

The app runs under uvicorn on a free loopback port in a thread; the test loads a seeded user, runs a query,
opens a segment, deletes a page and a knowledge entry through the confirmation dialogs, and saves a screenshot to
tests/artifacts/inspector.png (docs/inspector.png too when it is missing or MEMORYOS_UPDATE_DOCS=1).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from doubles import ManualClock
from fastapi.testclient import TestClient
from rest_helpers import ALICE, BOB, START, live_server, seed, settings

from memoryos import Memoryos
from memoryos.interfaces.auth import TokenPolicy
from memoryos.interfaces.rest import create_app
from memoryos.models import Fact, FactInvalidation

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[1]
ARTIFACT = ROOT / "tests" / "artifacts" / "inspector.png"
DOCS_COPY = ROOT / "docs" / "inspector.png"
TOKEN = "inspector-test-token-0001"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install -y chromium chromium-driver (see .ci/run)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        pytest.skip(f"the playwright package is not installed: {exc}")
    with sync_playwright() as playwright:
        # Debian's Chromium, never a downloaded browser build; nothing leaves the machine
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    # the inspector must need nothing but its own server
    tab.route(lambda url: not url.startswith("http://127.0.0.1:"), lambda route: route.abort())
    yield tab
    context.close()


def test_inspector_end_to_end(page: Any, tmp_path: Path, embedder: Any) -> None:
    clock = ManualClock()
    app = create_app(settings(tmp_path), embedder=embedder, clock=clock)
    with TestClient(app, base_url="http://127.0.0.1") as client:
        ids = seed(client, "alice", ALICE)  # τ = 2: segments are promoted, so there is a profile and knowledge
        seed(client, "bob", BOB)
        fact = client.post("/v1/users/alice/knowledge", json={"text": "Alice keeps bees on her roof."}).json()["id"]
    # the same store served with τ = 6, so that visits accumulate heat instead of being promoted at once
    app = create_app(settings(tmp_path, mid_term_heat_threshold=6.0), embedder=embedder, clock=clock)
    with live_server(app) as base, httpx.Client(base_url=base, timeout=30) as api:
        for query in ["octopus underwater cameras"] * 3 + ["cello quartet rehearsing Haydn"]:
            api.post("/v1/users/alice/retrieve", json={"query": query}).raise_for_status()
        short = api.get("/v1/users/alice/pages", params={"tier": "short"}).json()
        segments = api.get("/v1/users/alice/segments").json()["items"]
        octopus = next(s for s in segments if "octopus" in s["keywords"])
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

        # a seeded user: the three tiers at a glance
        page.goto(f"{base}/#user=alice")
        page.wait_for_selector("#short-list li[data-page-id]")
        assert page.input_value("#user") == "alice"
        assert page.locator("#known-users option").evaluate_all("opts => opts.map(o => o.value)") == ["alice", "bob"]
        short_items = page.locator("#short-list li[data-page-id]")
        assert short_items.count() == short["total"]
        assert "My sister Marta lives in Porto." in short_items.last.inner_text()
        bars = page.locator("#heat-chart .bar-row")
        assert bars.count() == len(segments)
        assert page.locator("#heat-chart line.tau").count() == 1
        assert page.locator("#heat-chart .tau-label").text_content() == "τ = 6"
        assert page.locator("#heat-chart rect.recency").count() == len(segments)  # drawn apart from the others
        assert page.locator("#heat-chart rect.interaction").count() == sum(s["l_interaction"] > 0 for s in segments)
        assert page.locator("#heat-chart rect.visits").count() == sum(s["n_visit"] > 0 for s in segments) > 0
        hottest = page.locator("#heat-chart .bar-row").first
        assert hottest.get_attribute("data-segment-id") == segments[0]["id"]
        assert f"N {segments[0]['n_visit']}" in hottest.locator(".bar-value").text_content()
        assert "octopus" in page.inner_text("#profile")
        assert "2025-06-15" in page.inner_text("#profile-meta")
        bees = page.locator(f'#user-knowledge li[data-fact-id="{fact}"]')
        assert "Alice keeps bees on her roof." in bees.inner_text() and "UTC · manual" in bees.inner_text()
        overview = page.inner_text("#overview")
        assert f"{short['total']} / 3" in overview and "no-llm" in overview
        counts = api.get("/v1/users/alice/stats").json()
        current = counts["knowledge"]["user"] + counts["knowledge"]["assistant"]
        closed = counts["closed_knowledge"]["user"] + counts["closed_knowledge"]["assistant"]
        assert f"{current}\ncurrent facts" in overview and f"{closed}\nclosed facts (history)" in overview

        # a query: what retrieve returns, scored, with tiers
        page.fill("#query-text", "octopus underwater cameras")
        page.click("#query-form button[type=submit]")
        page.wait_for_selector("#results-table")
        first = page.locator("#results-table tbody tr").first
        assert first.get_attribute("data-tier") == "mid"
        assert "octopus" in first.inner_text().lower()
        assert float(first.locator("td.num").inner_text()) > 0
        assert page.locator('#results-table tr[data-tier="short"]').count() == short["total"]
        assert "segment(s) visited" in page.inner_text("#results")

        # open a segment: summary, keywords, the chained pages in order
        page.click(f'#heat-chart .bar-row[data-segment-id="{octopus["id"]}"]')
        page.wait_for_selector("#segment:not([hidden])")
        assert page.inner_text("#segment-id") == octopus["id"]
        assert page.inner_text("#segment-summary") == octopus["summary"]
        assert "octopus" in page.locator("#segment-keywords li").all_inner_texts()
        in_order = page.locator("#segment-pages li[data-page-id]")
        assert in_order.evaluate_all("items => items.map(i => i.dataset.pageId)") == [ids[1], ids[2]]
        assert ALICE[1][0] in in_order.first.inner_text() and ALICE[2][0] in in_order.last.inner_text()
        assert "N_visit" in page.inner_text("#segment-heat")
        _screenshot(page)

        # delete a page: dismissing the confirmation keeps it, accepting deletes it
        dialogs: list[str] = []

        def answer(accept: bool) -> None:
            def handle(dialog: Any) -> None:
                dialogs.append(dialog.message)
                dialog.accept() if accept else dialog.dismiss()

            page.once("dialog", handle)

        delete_first = f'#segment-pages li[data-page-id="{ids[1]}"] button.delete'
        answer(False)
        page.click(delete_first)
        assert api.get(f"/v1/users/alice/pages/{ids[1]}").status_code == 200
        answer(True)
        page.click(delete_first)
        page.wait_for_selector(f'#segment-pages li[data-page-id="{ids[1]}"]', state="detached")
        assert "Delete this page" in dialogs[0] and ids[1] in dialogs[1] and len(dialogs) == 2
        assert api.get(f"/v1/users/alice/pages/{ids[1]}").json()["error"]["code"] == "not_found"
        assert page.locator("#segment-pages li[data-page-id]").count() == 1
        assert f"Deleted page {ids[1]}" in page.inner_text("#status")

        # delete a knowledge entry the same way
        answer(True)
        page.click(f'#user-knowledge li[data-fact-id="{fact}"] button.delete')
        page.wait_for_selector(f'#user-knowledge li[data-fact-id="{fact}"]', state="detached")
        assert fact not in api.get("/v1/users/alice/knowledge").text

        # another user from the picker: nothing of alice's shows
        page.fill("#user", "bob")
        page.click("#user-form button[type=submit]")
        page.wait_for_function("() => document.querySelector('#status').textContent.includes('bob')")
        assert "synthesizer" in page.inner_text("#short") and "octopus" not in page.inner_text("main")
        assert not errors, errors


def test_inspector_shows_validity_history_and_sources(page: Any, tmp_path: Path, embedder: Any) -> None:
    clock = ManualClock()
    app = create_app(settings(tmp_path), embedder=embedder, clock=clock)
    day = 86_400.0
    with live_server(app) as base, httpx.Client(base_url=base, timeout=30) as api:
        ids = seed(api, "alice", ALICE)
        # Alice moved: Lisbon (said on the first page) closed and superseded by Porto (said on the last one)
        memo = Memoryos(**settings(tmp_path), embedder=embedder, clock=clock)
        try:
            vectors = embedder.embed(["Alice lives in Lisbon.", "Alice lives in Porto."])
            common: dict[str, Any] = {"kind": "user", "method": "llm", "attribute": "residence"}
            lisbon = Fact(
                "lisbon-fact",
                text="Alice lives in Lisbon.",
                source_page_ids=[ids[0]],
                created_at=START,
                embedding=vectors[0],
                observed_at=START,
                valid_from=START,
                **common,
            )
            moved = START + 6 * 3600
            porto = Fact(
                "porto-fact",
                text="Alice lives in Porto.",
                source_page_ids=[ids[6], ids[3]],
                created_at=moved,
                embedding=vectors[1],
                observed_at=moved,
                valid_from=moved,
                **common,
            )
            memo.store.add_facts(memo.scope, [lisbon], [])
            memo.store.add_facts(memo.scope, [porto], [], [FactInvalidation("lisbon-fact", moved, moved, "porto-fact")])
        finally:
            memo.close()
        api.delete(f"/v1/users/alice/pages/{ids[3]}").raise_for_status()  # a source page deleted since
        trip = api.post(
            "/v1/users/alice/knowledge", json={"text": "Alice is at a conference in Rome.", "valid_until": START + day}
        ).json()["id"]
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

        page.goto(f"{base}/#user=alice")
        porto_item = page.locator('#user-knowledge li[data-fact-id="porto-fact"]')
        porto_item.wait_for()
        assert page.locator('#user-knowledge li[data-fact-id="lisbon-fact"]').count() == 0  # not current
        assert porto_item.locator(".validity.current").inner_text() == "current · said 2025-06-15"
        assert porto_item.locator("[data-source-page]").evaluate_all("b => b.map(x => x.title)") == [
            f"page {ids[6]}",
            f"page {ids[3]}",
        ]
        rome = page.locator(f'#user-knowledge li[data-fact-id="{trip}"]')
        assert "forgotten after 2025-06-16 15:06 UTC" in rome.inner_text()
        assert "no source pages (added by hand)" in rome.inner_text()

        # history: the closed fact appears, marked until the day it stopped holding
        page.check("#show-history")
        closed = page.locator('#user-knowledge li[data-fact-id="lisbon-fact"]')
        closed.wait_for()
        assert closed.locator(".validity.closed").inner_text().startswith("until 2025-06-15")
        assert closed.locator("button[data-invalidate]").count() == 0  # only current facts can be closed

        # one fact: its chain of versions and its source pages in full
        page.click('#user-knowledge li[data-fact-id="porto-fact"] button[data-history]')
        page.wait_for_selector("#fact:not([hidden])")
        assert page.inner_text("#fact-id") == "porto-fact" and page.inner_text("#fact-text") == "Alice lives in Porto."
        chain = page.locator("#fact-history li")
        assert chain.evaluate_all("items => items.map(i => i.dataset.historyId)") == ["lisbon-fact", "porto-fact"]
        assert "until 2025-06-15" in chain.first.inner_text() and "(this entry)" in chain.last.inner_text()
        assert "about: residence" in page.inner_text("#fact-validity")
        sources = page.locator("#fact-sources li")
        assert ALICE[6][0] in sources.first.inner_text()
        assert "is no longer stored" in sources.last.inner_text() and ids[3] in sources.last.inner_text()
        chain.first.locator("button.link").click()  # open the older version
        page.wait_for_function("() => document.querySelector('#fact-id').textContent === 'lisbon-fact'")
        assert ALICE[0][0] in page.inner_text("#fact-sources")

        # mark a current fact no longer true, through the confirmation (now: after it was said)
        clock.advance(7 * 3600)
        page.once("dialog", lambda dialog: dialog.accept())
        page.click('#user-knowledge li[data-fact-id="porto-fact"] button[data-invalidate]')
        page.wait_for_selector('#user-knowledge li.closed[data-fact-id="porto-fact"]')
        assert api.get("/v1/users/alice/knowledge/porto-fact/history").json()["items"][-1]["current"] is False
        page.uncheck("#show-history")
        page.wait_for_selector('#user-knowledge li[data-fact-id="porto-fact"]', state="detached")

        # a query shows each fact with its validity
        page.fill("#query-text", "Is Alice at a conference?")
        page.click("#query-form button[type=submit]")
        page.wait_for_selector("#results-table")
        fact_rows = page.locator('#results-table tr[data-tier="long"]').filter(has_text="Rome")
        assert fact_rows.locator(".validity.current").count() == 1
        # the browser logs the deleted source page's 404 (shown as "no longer stored"); nothing else
        assert [e for e in errors if "status of 404" not in e] == [], errors


def test_inspector_stays_usable_on_a_long_memory(browser: Any, tmp_path: Path, embedder: Any) -> None:
    """A user with a real conversation's worth of knowledge at 1400×900: the page keeps a bounded height (each
    tier scrolls on its own), a click on a heat bar brings the segment panel into view, and knowledge entries show
    when they were said, not when they were imported."""
    clock = ManualClock()
    app = create_app(settings(tmp_path), embedder=embedder, clock=clock)
    imported = START + 40 * 86_400.0  # the conversation is imported 40 days after it took place
    texts = [f"Alice mentioned fact number {i}: she keeps {i} jars of honey." for i in range(60)]
    with live_server(app) as base, httpx.Client(base_url=base, timeout=30) as api:
        ids = seed(api, "alice", ALICE)
        memo = Memoryos(**settings(tmp_path), embedder=embedder, clock=clock)
        try:
            facts = [
                Fact(
                    f"said-{i}",
                    kind="user",
                    text=text,
                    source_page_ids=[ids[i % len(ids)]],
                    created_at=imported,
                    method="extractive",
                    embedding=vector,
                    observed_at=START + i * 60,
                    valid_from=START + i * 60,
                )
                for i, (text, vector) in enumerate(zip(texts, embedder.embed(texts), strict=True))
            ]
            memo.store.add_facts(memo.scope, facts, [])
        finally:
            memo.close()
        segment = api.get("/v1/users/alice/segments").json()["items"][-1]
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        try:
            page = context.new_page()
            page.set_default_timeout(15_000)
            page.route(lambda url: not url.startswith("http://127.0.0.1:"), lambda route: route.abort())
            page.goto(f"{base}/#user=alice")
            page.wait_for_selector('#user-knowledge li[data-fact-id="said-59"]')
            assert page.locator("#user-knowledge li[data-fact-id]").count() >= 60

            # bounded: the long-term column scrolls inside itself instead of stretching the page
            height = page.evaluate("document.documentElement.scrollHeight")
            assert height <= 2 * 900, height
            column = page.evaluate("(() => { const c = document.querySelector('#long');"
                                   " return [c.scrollHeight, c.clientHeight]; })()")
            assert column[0] > column[1] + 1000, column

            # a click on a bar shows the segment where the user is looking
            page.click(f'#heat-chart .bar-row[data-segment-id="{segment["id"]}"]')
            page.wait_for_selector("#segment:not([hidden])")
            page.wait_for_function("() => document.querySelector('#segment-id').textContent.length > 0")
            top, bottom = page.evaluate("(() => { const r = document.querySelector('#segment-title')"
                                        ".getBoundingClientRect(); return [r.top, r.bottom]; })()")
            assert top >= 0 and bottom <= 900, (top, bottom)
            assert page.inner_text("#segment-id") == segment["id"]
            heat_line = page.inner_text("#segment-heat")
            assert f"heat {segment['heat']:.3f}" in heat_line
            assert ("below τ" in heat_line) == (not segment["hot"])

            # when each fact was said in the conversation, not when it was imported
            when = page.locator('#user-knowledge li[data-fact-id="said-5"] .when')
            assert when.inner_text().startswith("2025-06-15 15:") and "extractive" in when.inner_text()
            assert when.get_attribute("title") == "stored 2025-07-25 15:06 UTC"
        finally:
            context.close()


def test_inspector_asks_for_a_token(page: Any, tmp_path: Path, embedder: Any) -> None:
    app = create_app(settings(tmp_path), tokens=TokenPolicy({TOKEN: ["alice"]}), embedder=embedder)
    with live_server(app) as base, httpx.Client(base_url=base, timeout=30) as api:
        seed(api, "alice", ALICE[:2], Authorization=f"Bearer {TOKEN}")
        page.goto(f"{base}/")
        page.wait_for_selector("#token-form:not([hidden])")
        assert "needs a bearer token" in page.inner_text("#status")
        page.fill("#token", TOKEN)
        page.click("#token-form button[type=submit]")
        page.wait_for_selector("#short-list li[data-page-id]")
        assert page.locator("#short-list li[data-page-id]").count() == 2
        page.fill("#user", "bob")  # a user this token may not see
        page.click("#user-form button[type=submit]")
        page.wait_for_function("() => document.querySelector('#status').textContent.includes('forbidden')")


def _screenshot(page: Any) -> None:
    ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACT), full_page=True)
    assert ARTIFACT.stat().st_size > 10_000
    if os.environ.get("MEMORYOS_UPDATE_DOCS") == "1" or not DOCS_COPY.exists():
        DOCS_COPY.parent.mkdir(exist_ok=True)
        shutil.copyfile(ARTIFACT, DOCS_COPY)

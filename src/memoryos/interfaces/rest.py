"""The REST API and the web memory inspector: a FastAPI app over a pool of per-user memories.

`create_app(settings)` builds the app; `memoryos serve` runs it with uvicorn. Endpoints are plain functions, so
FastAPI runs each library call on its thread pool. Each call opens exactly one user's memory (the path's
user_id, after the token check), and the store scopes every query by that user: nothing of another user can
come back. The inspector at `/` is static HTML/CSS/JS from the package that calls this same API.
"""

from __future__ import annotations

import json
import logging
import os
import re
import socket
from collections.abc import AsyncIterator, Iterable, Iterator
from contextlib import asynccontextmanager, suppress
from importlib import resources
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, FastAPI, Path, Query, Request, Security
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.staticfiles import StaticFiles

from .. import __version__
from ..errors import InvalidInput
from ..memoryos import Memoryos
from ..tiers.mid_term import reaches_threshold
from . import rest_models as m
from .admission import CallGate, default_limit, default_search_limit
from .auth import Authenticator, Grant, TokenPolicy
from .http_guard import (
    ASGIApp,
    BodyLimits,
    HostPolicy,
    HttpGuard,
    Message,
    Receive,
    Scope,
    Send,
    default_max_body_bytes,
)
from .logs import LEVELS, configure_logging
from .pool import MemoryPool
from .rest_errors import ERROR_RESPONSES, install_error_handlers
from .rest_hop import GATE_STATE, SEARCH_GATE_STATE, one_hop
from .settings import effective_config
from .warmup import ModelWarmUp

log = logging.getLogger(__name__)

SETTINGS_ENV = "MEMORYOS_REST_SERVER"  # hands the settings to uvicorn's worker processes
DEFAULT_MAX_IMPORT_BYTES = 64 * 1024 * 1024  # POST .../import takes a whole export; bigger ones: `memoryos import`
IMPORT_PATH = r"^/v1/users/[^/]+/import/?$"
WEB_PACKAGE = ("memoryos.interfaces", "web")
PAGE_HEADERS = {
    # the inspector needs nothing but its own files and API: no CDN, no inline code, no framing
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
DESCRIPTION = """Mirror of the memoryos library over HTTP: add and retrieve memories, inspect and edit every tier
of one user's memory. Every `/v1/users/{user_id}/...` call touches that user's memory only.

**Auth.** Bound to a loopback address without tokens the API is open; otherwise send
`Authorization: Bearer <token>`; each token lists the user ids it may access (or `*`). Every request must name
this server in `Host` (its address, localhost, or an `--allowed-host` name), and writes must not come from
another web origin.

**Errors** are `{"error": {"code": ..., "message": ...}}` with the codes `invalid_input` (422; 400 for a body
that is not JSON or percent-escapes that are not UTF-8), `bad_request` (400, no or a malformed Host),
`input_too_large` (413: a text, meta_data or the body over its limit), `unauthorized` (401), `forbidden` (403),
`forbidden_origin` (403), `not_found` (404), `llm_not_configured` (409), `misdirected_request` (421),
`llm_error` (502), `storage_unavailable` (503), `configuration_error` / `internal_error` (500)."""

bearer = HTTPBearer(auto_error=False, description="A token from the server's --token / --tokens-file.")
Credentials = Annotated[HTTPAuthorizationCredentials | None, Security(bearer)]
# what validate_identifier accepts: no control characters, not blank
USER_ID_PATTERN = r"^[^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f][^\x00-\x1f\x7f]*$"
UserId = Annotated[
    str,
    Path(min_length=1, max_length=256, pattern=USER_ID_PATTERN, description="Whose memory.", examples=["alice"]),
]
ItemId = Annotated[str, Path(min_length=1, max_length=200)]


class Service:
    """What the endpoints share: settings, the authenticator and the per-user pool."""

    def __init__(self, settings: dict[str, Any], auth: Authenticator, objects: dict[str, Any], max_open: int):
        self.config = effective_config(settings)
        self.auth = auth
        llm = objects.pop("llm", None)
        self._own_embedder = "embedder" not in objects
        self.model_warm_up = ModelWarmUp(self.config)
        self.pool = MemoryPool(
            settings, choose_llm=(lambda _uid: llm) if llm is not None else None, max_open=max_open, **objects
        )

    def warm_up(self) -> None:
        """Load the local embedding model off the request path, so the first query does not wait for it."""
        if self.config.embedding_base_url or not self._own_embedder:
            return
        self.model_warm_up.start()


def _header(credentials: HTTPAuthorizationCredentials | None) -> str | None:
    return f"{credentials.scheme} {credentials.credentials}" if credentials else None


def service(request: Request) -> Service:
    return request.app.state.memoryos


def grant(request: Request, credentials: Credentials) -> Grant:
    return service(request).auth.authenticate(_header(credentials))


async def user_memory(request: Request, user_id: UserId, credentials: Credentials) -> AsyncIterator[Memoryos]:
    """The memory of the path's user, after checking the token may reach that user.

    Async, so that FastAPI runs it on the event loop: a sync dependency with `yield` costs two more hops to its
    thread pool per request (entering, leaving), each a wait for a thread and the interpreter lock on a busy
    server. Only opening a memory, or closing one the pool evicted, goes to a thread."""
    svc = service(request)
    svc.auth.authorize(_header(credentials), user_id)
    pool = svc.pool
    uid = pool.user(user_id)
    slot = pool.lease_open(uid)
    if slot is None:
        slot = await run_in_threadpool(pool.lease, uid)
    try:
        yield slot.memo
    finally:
        evicted = pool.release(slot)
        if evicted is not None:
            await run_in_threadpool(evicted.close)


Memory = Annotated[Memoryos, Depends(user_memory)]


# ---- shaping library dicts into the published models ----


def _segment(raw: dict[str, Any], memo: Memoryos) -> dict[str, Any]:
    cfg = memo.config
    visits, interaction = cfg.heat_alpha * raw["n_visit"], cfg.heat_beta * raw["l_interaction"]
    components = {"visits": visits, "interaction": interaction, "recency": max(0.0, raw["heat"] - visits - interaction)}
    hot = reaches_threshold(raw["heat"], cfg.mid_term_heat_threshold)  # as promotion compares, to 3 decimals
    return {**raw, "heat_components": components, "hot": hot}


def _retrieval(memo: Memoryos, result: Any) -> m.RetrievalOut:
    return m.RetrievalOut.model_validate(
        {
            **result.to_dict(),
            "user_id": memo.scope.user_id,
            "visited_segment_ids": result.visited_segment_ids,
            "context": result.to_prompt(),
        }
    )


# ---- routes ----


def _declared_query(dependant: Any) -> Iterator[str]:
    yield from (field.alias for field in dependant.query_params)
    for sub in dependant.dependencies:
        yield from _declared_query(sub)


async def strict_query(request: Request) -> None:  # async: no hop to the thread pool for this check
    """Refuse query parameters the operation does not take, or takes once but got several times.

    A misspelt `?limt=5` silently ignored, or `?min_heat=1&min_heat=9` silently read as one of them, would answer
    a question the client did not ask."""
    route = request.scope.get("route")
    declared = set(_declared_query(route.dependant)) if route is not None else set()
    seen: set[str] = set()
    for key, _value in request.query_params.multi_items():
        if key not in declared:
            allowed = ", ".join(sorted(declared)) or "none"
            raise InvalidInput(f"unknown query parameter {key!r} (this operation takes: {allowed})")
        if key in seen:
            raise InvalidInput(f"query parameter {key!r} is given more than once; give it once")
        seen.add(key)


router = APIRouter(prefix="/v1", responses=ERROR_RESPONSES, dependencies=[Depends(strict_query)])
USER = "/users/{user_id}"


@router.get("/info", tags=["service"], summary="Server settings the inspector needs")
def info(request: Request, _grant: Annotated[Grant, Depends(grant)]) -> m.ServerInfo:
    svc = service(request)
    cfg = svc.config
    return m.ServerInfo(
        version=__version__,
        default_user=cfg.user_id,
        assistant_id=cfg.assistant_id,
        mode="llm" if cfg.llm_enabled else "no-llm",
        storage_backend=cfg.storage_url().split(":", 1)[0],
        auth_required=svc.auth.required,
        heat=m.HeatSettings(
            alpha=cfg.heat_alpha,
            beta=cfg.heat_beta,
            gamma=cfg.heat_gamma,
            mu_seconds=cfg.recency_mu_seconds,
            threshold=cfg.mid_term_heat_threshold,
        ),
        capacities={
            "short_term": cfg.short_term_capacity,
            "mid_term": cfg.mid_term_capacity,
            "knowledge": cfg.long_term_knowledge_capacity,
            "retrieval_queue": cfg.retrieval_queue_capacity,
        },
    )


@router.get("/users", tags=["service"], summary="Users with stored memory (those this token may access)")
def list_users(request: Request, access: Annotated[Grant, Depends(grant)]) -> m.UserList:
    svc = service(request)
    with svc.pool.use() as memo:  # any open memory reaches the shared store
        scopes = memo.store.list_scopes()
    known = dict.fromkeys(s.user_id for s in scopes if s.assistant_id == svc.config.assistant_id)
    return m.UserList(users=access.visible(known))


@router.post(USER + "/memories", tags=["memory"], status_code=201, summary="Store one exchange (add_memory)")
@one_hop(status_code=201)
def add_memory(memo: Memory, body: m.AddMemoryRequest) -> m.PageCreated:
    page_id = memo.add_memory(body.user_input, body.agent_response, body.timestamp, body.meta_data, ttl=body.ttl)
    return m.PageCreated(user_id=memo.scope.user_id, page_id=page_id)


@router.post(USER + "/retrieve", tags=["memory"], summary="Context from every tier (counts as a visit: raises heat)")
@one_hop(search=True)
def retrieve(memo: Memory, body: m.QueryRequest) -> m.RetrievalOut:
    return _retrieval(memo, memo.retrieve(body.query, max_results=body.max_results))


@router.post(USER + "/search", tags=["memory"], summary="Like retrieve, without side effects on heat")
@one_hop(search=True)
def search(memo: Memory, body: m.QueryRequest) -> m.RetrievalOut:
    return _retrieval(memo, memo.search(body.query, max_results=body.max_results))


@router.post(
    USER + "/respond",
    tags=["memory"],
    summary="Answer with memory, then store the exchange (get_response; needs an LLM)",
    responses={
        409: {"model": m.ErrorBody, "description": "No LLM is configured (`llm_not_configured`)."},
        502: {"model": m.ErrorBody, "description": "The LLM failed or answered unusably (`llm_error`)."},
    },
)
def respond(memo: Memory, body: m.RespondRequest) -> m.ResponseOut:
    answer = memo.get_response(body.query, body.relationship_with_user, body.style_hint)
    return m.ResponseOut(user_id=memo.scope.user_id, answer=answer)


@router.get(USER + "/profile", tags=["long-term"], summary="The profile and its stored versions")
def profile(memo: Memory) -> m.ProfileOut:
    return m.ProfileOut.model_validate(
        {"user_id": memo.scope.user_id, "profile": memo.get_user_profile(), "versions": memo.profile_history()}
    )


@router.get(USER + "/knowledge", tags=["long-term"], summary="Knowledge with validity and sources, oldest first")
def list_knowledge(
    memo: Memory,
    kind: Annotated[Literal["user", "assistant"] | None, Query(description="Only this kind.")] = None,
    include_history: Annotated[
        bool, Query(description="Also the entries that stopped being true or were replaced (valid_until set).")
    ] = False,
) -> m.KnowledgeList:
    items = memo.get_knowledge(kind, include_history=include_history)
    return m.KnowledgeList.model_validate({"user_id": memo.scope.user_id, "items": items})


@router.post(USER + "/knowledge", tags=["long-term"], status_code=201, summary="Add a fact by hand")
def add_knowledge(memo: Memory, body: m.AddKnowledgeRequest) -> m.KnowledgeCreated:
    fact_id = memo.add_knowledge(body.text, body.kind, valid_until=body.valid_until)
    return m.KnowledgeCreated(user_id=memo.scope.user_id, id=fact_id)


@router.get(
    USER + "/knowledge/{fact_id}/history",
    tags=["long-term"],
    summary="A fact and the ones it replaced or was replaced by, oldest first",
)
def knowledge_history(memo: Memory, fact_id: ItemId) -> m.FactHistory:
    items = memo.fact_history(fact_id)
    return m.FactHistory.model_validate({"user_id": memo.scope.user_id, "fact_id": fact_id, "items": items})


@router.post(
    USER + "/knowledge/{fact_id}/invalidate",
    tags=["long-term"],
    summary="Mark a fact as no longer true (kept in its history, with its end)",
)
def invalidate_knowledge(
    memo: Memory, fact_id: ItemId, body: Annotated[m.InvalidateRequest | None, Body()] = None
) -> m.FactOut:
    return m.FactOut.model_validate(memo.invalidate_knowledge(fact_id, None if body is None else body.valid_until))


@router.delete(USER + "/knowledge/{fact_id}", tags=["long-term"], summary="Delete a knowledge entry")
def delete_knowledge(memo: Memory, fact_id: ItemId) -> m.Deleted:
    memo.delete_knowledge(fact_id)
    return m.Deleted(user_id=memo.scope.user_id, deleted=fact_id, pages_deleted=0)


@router.get(USER + "/pages", tags=["pages"], summary="Pages in arrival order, with filters and paging")
def list_pages(
    memo: Memory,
    tier: Annotated[Literal["short", "mid", "archive"] | None, Query(description="Only this tier.")] = None,
    segment_id: Annotated[str | None, Query(max_length=200, description="Only pages of this segment.")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> m.PageList:
    if segment_id is not None:
        matching = memo.list_pages(tier, segment_id=segment_id)
        items, total = matching[offset : offset + limit], len(matching)
    else:
        items = memo.list_pages(tier, limit=limit, offset=offset)
        counts = memo.stats()["pages"]
        total = counts[tier] if tier else sum(counts.values())
    return m.PageList.model_validate(
        {"user_id": memo.scope.user_id, "items": items, "total": total, "limit": limit, "offset": offset}
    )


@router.get(USER + "/pages/{page_id}", tags=["pages"], summary="One page")
def get_page(memo: Memory, page_id: ItemId) -> m.PageOut:
    return m.PageOut.model_validate(memo.get_page(page_id))


@router.delete(USER + "/pages/{page_id}", tags=["pages"], summary="Delete one page (delete_memory)")
def delete_page(memo: Memory, page_id: ItemId) -> m.Deleted:
    memo.delete_memory(page_id)
    return m.Deleted(user_id=memo.scope.user_id, deleted=page_id)


@router.get(USER + "/segments", tags=["segments"], summary="Mid-term segments with heat, filtered and paged")
def list_segments(
    memo: Memory,
    status: Annotated[Literal["active", "archived", "all"], Query()] = "active",
    min_heat: Annotated[float | None, Query(description="Only segments at least this hot.")] = None,
    sort: Annotated[
        Literal["heat", "created"], Query(description="heat: hottest first; created: oldest first.")
    ] = "heat",
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> m.SegmentList:
    rows = memo.list_segments(include_archived=status != "active")
    if status != "all":
        rows = [s for s in rows if s["status"] == status]
    if min_heat is not None:
        rows = [s for s in rows if s["heat"] >= min_heat]
    rows.sort(key=(lambda s: -s["heat"]) if sort == "heat" else (lambda s: s["created_at"]))
    return m.SegmentList.model_validate(
        {
            "user_id": memo.scope.user_id,
            "items": [_segment(s, memo) for s in rows[offset : offset + limit]],
            "total": len(rows),
            "limit": limit,
            "offset": offset,
            "heat_threshold": memo.config.mid_term_heat_threshold,
        }
    )


@router.get(USER + "/segments/{segment_id}", tags=["segments"], summary="One segment with its pages in order")
def get_segment(memo: Memory, segment_id: ItemId) -> m.SegmentDetail:
    raw = memo.get_segment(segment_id)
    return m.SegmentDetail.model_validate({**_segment(raw, memo), "pages": memo.list_pages(segment_id=segment_id)})


@router.delete(USER + "/segments/{segment_id}", tags=["segments"], summary="Delete a segment with its pages")
def delete_segment(memo: Memory, segment_id: ItemId) -> m.Deleted:
    removed = memo.delete_segment(segment_id)  # one transaction, chains kept whole
    return m.Deleted(user_id=memo.scope.user_id, deleted=segment_id, pages_deleted=removed)


@router.get(USER + "/stats", tags=["service"], summary="Counts per tier, storage and LLM usage")
def stats(memo: Memory) -> m.StatsOut:
    return m.StatsOut.model_validate(memo.stats())


@router.get(USER + "/export", tags=["transfer"], summary="Everything of the user, re-importable")
def export(memo: Memory) -> m.ExportOut:
    return m.ExportOut.model_validate(memo.export())


@router.post(USER + "/import", tags=["transfer"], summary="Restore an export into this (empty) user")
def import_data(
    memo: Memory, body: Annotated[dict[str, Any], Body(description="The JSON of GET .../export.")]
) -> m.Imported:
    return m.Imported(user_id=memo.scope.user_id, pages_imported=memo.import_data(body))


@router.delete(USER, tags=["transfer"], summary="Forget the user: delete everything of their memory")
def forget_user(memo: Memory, confirm: Annotated[bool, Query(description="Must be true.")] = False) -> m.Forgotten:
    if not confirm:
        raise InvalidInput("forgetting a user deletes all of their memory; pass confirm=true")
    return m.Forgotten(user_id=memo.scope.user_id, pages_deleted=memo.forget_user())


class SecurityHeaders:
    """Headers on every response: no MIME sniffing, no caching (memory changes under the inspector), and for the
    inspector's pages PAGE_HEADERS. Pure ASGI: Starlette's BaseHTTPMiddleware would pass each response through a
    task and a memory stream of its own."""

    API = ((b"x-content-type-options", "nosniff"), (b"cache-control", "no-store"))

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.page = self.API + tuple((name.lower().encode("latin-1"), value) for name, value in PAGE_HEADERS.items())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        wanted = self.API if scope["path"].startswith("/v1/") else self.page

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _value in message.get("headers", ())}
                extra = [(name, value.encode("latin-1")) for name, value in wanted if name not in present]
                message["headers"] = [*message.get("headers", ()), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _web_file(name: str) -> str:
    return str(resources.files(WEB_PACKAGE[0]).joinpath(WEB_PACKAGE[1], name))


def create_app(
    settings: dict[str, Any] | None = None,
    *,
    tokens: TokenPolicy | None = None,
    host: str = "127.0.0.1",
    allowed_hosts: Iterable[str] = (),
    max_body_bytes: int | None = None,
    max_import_bytes: int | None = None,
    max_open_users: int = 32,
    **objects: Any,
) -> FastAPI:
    """The REST API and inspector for `settings` (MemoryosConfig fields, e.g. from resolve_settings).

    `host` is where the server will listen: off loopback, or with `tokens`, every API call needs a bearer
    token. Requests must name the server in `Host` (the bound address, loopback names, or `allowed_hosts`: e.g. a
    reverse proxy's public name), and writes from another web origin are refused (see http_guard). Bodies may
    carry `max_body_bytes` (default from max_input_chars and max_meta_data_bytes), an import `max_import_bytes`.
    `objects` go to each user's Memoryos (`embedder=`, `clock=`, `llm=`), e.g. to share one model in tests.
    """
    hosts = HostPolicy(host, allowed_hosts)  # a malformed --allowed-host fails here, before anything is opened
    svc = Service(dict(settings or {}), Authenticator(tokens, host), dict(objects), max_open_users)
    cfg = svc.config
    body_limit = max_body_bytes or default_max_body_bytes(cfg.max_input_chars, cfg.max_meta_data_bytes)
    import_limit = max_import_bytes or max(DEFAULT_MAX_IMPORT_BYTES, body_limit)
    limits = BodyLimits(body_limit, ((re.compile(IMPORT_PATH), import_limit),))

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        svc.warm_up()
        try:
            yield
        finally:
            svc.model_warm_up.finish()
            svc.pool.close()

    app = FastAPI(
        title="memoryos",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # the interactive docs pages load their scripts from a CDN; /openapi.json works offline
        redoc_url=None,
    )
    app.state.memoryos = svc
    # per app, so per worker process: add, retrieve and search wait here for a place (rest_hop), retrieve and
    # search at the search gate first
    gate = CallGate(cfg.max_concurrent_calls or default_limit(cfg.embedding_threads))
    setattr(app.state, GATE_STATE, gate)
    searches = CallGate(cfg.max_concurrent_searches or default_search_limit(cfg.embedding_threads))
    setattr(app.state, SEARCH_GATE_STATE, searches)
    install_error_handlers(app)
    app.include_router(router)

    @app.get("/health", tags=["service"], summary="Liveness: the process serves requests (no auth)")
    def health() -> m.Health:
        return m.Health(version=__version__)

    @app.get("/", include_in_schema=False)
    def inspector() -> FileResponse:
        return FileResponse(_web_file("index.html"), media_type="text/html")

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> FileResponse:  # browsers ask for it on every page; an SVG icon, not a 404 in the log
        return FileResponse(_web_file("favicon.svg"), media_type="image/svg+xml")

    app.mount("/static", StaticFiles(packages=[WEB_PACKAGE]), name="static")

    app.add_middleware(SecurityHeaders)
    # outermost, so that nothing of the app (not even /health or the inspector's files) answers a foreign Host
    app.add_middleware(HttpGuard, hosts=hosts, limits=limits)
    log.info(
        "memoryos REST API: assistant=%s auth=%s tokens=%d hosts=%s max_body=%d import_body=%d concurrent_calls=%d "
        "concurrent_searches=%d",
        svc.config.assistant_id,
        "required" if svc.auth.required else "open (loopback)",
        len(svc.auth.policy),
        hosts.describe(),
        body_limit,
        import_limit,
        gate.limit,
        searches.limit,
    )
    return app


# ---- running it ----


def listening_socket(config: Any) -> socket.socket:
    """uvicorn's listening socket for worker processes, with TCP_NODELAY, which accepted connections inherit.

    uvicorn binds it as `socket(family)`, protocol 0, and asyncio sets TCP_NODELAY only on connections of a
    socket that says IPPROTO_TCP: a worker's connections kept Nagle's algorithm, so a response written in two
    parts (headers, then body) waited for the client's delayed ACK, ~40 ms per request on loopback (one worker,
    whose socket asyncio binds itself, never had this)."""
    sock: socket.socket = config.bind_socket()
    if sock.family in (socket.AF_INET, socket.AF_INET6):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def app_from_environment() -> FastAPI:
    """uvicorn's factory in each worker process: the settings come from the parent through the environment."""
    raw = os.environ.get(SETTINGS_ENV)
    if not raw:
        raise RuntimeError(f"{SETTINGS_ENV} is not set; start the server with `memoryos serve`")
    data = json.loads(raw)
    # a spawned worker starts with Python's default logging: route its records like the parent's
    configure_logging(data["log_level"], data["log_file"])
    return create_app(
        data["settings"],
        tokens=TokenPolicy.from_digests(data["tokens"]),
        host=data["host"],
        allowed_hosts=data["allowed_hosts"],
        max_body_bytes=data["max_body_bytes"],
        max_import_bytes=data["max_import_bytes"],
    )


def worker_settings(settings: dict[str, Any], workers: int) -> dict[str, Any]:
    """Each of `workers` processes embeds with its share of the cores unless embedding_threads is set: with the
    runtime's default (a thread per core) in every worker, two workers on 2 cores ran 4+ model threads that
    took turns on them (each query's threads waiting for the other worker's)."""
    if workers <= 1 or settings.get("embedding_threads") is not None:
        return settings
    return {**settings, "embedding_threads": max(1, (os.cpu_count() or 1) // workers)}


def serve(
    settings: dict[str, Any],
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    tokens: TokenPolicy | None = None,
    workers: int = 1,
    allowed_hosts: Iterable[str] = (),
    max_body_bytes: int | None = None,
    max_import_bytes: int | None = None,
) -> None:
    """Run the API with uvicorn. Several workers each open their own pool over the same store, which already
    serialises writers (SQLite locking, PostgreSQL row locks and upkeep leases). Every worker applies the same
    Host/Origin policy and body limits (they travel with the settings)."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    from .workers import Supervisor, per_worker_sockets_supported

    policy = tokens or TokenPolicy()
    Authenticator(policy, host)  # refuse an open non-loopback server before binding anything
    allowed_hosts = list(allowed_hosts)
    HostPolicy(host, allowed_hosts)  # and a malformed --allowed-host
    guard_options: dict[str, Any] = {
        "allowed_hosts": allowed_hosts,
        "max_body_bytes": max_body_bytes,
        "max_import_bytes": max_import_bytes,
    }
    cfg = effective_config(settings)
    level = logging.getLevelName(logging.getLogger().getEffectiveLevel())
    level = level if level in LEVELS else "WARNING"
    # log_config=None: our logging setup (stderr or a file) also carries uvicorn's records
    options: dict[str, Any] = {"host": host, "port": port, "log_config": None, "log_level": level.lower()}
    log.info(
        "memoryos %s REST API and inspector on http://%s:%d/ (storage %s, %d worker(s))",
        __version__,
        host if ":" not in host else f"[{host}]",
        port,
        cfg.storage_url().split(":", 1)[0],
        workers,
    )
    if workers > 1:
        if cfg.storage_url().startswith("sqlite"):
            log.info("several workers over SQLite share one file on one machine; use PostgreSQL to scale out")
        # only token digests cross the process boundary, never the tokens themselves
        log_file = next(
            (h.baseFilename for h in logging.getLogger().handlers if isinstance(h, logging.FileHandler)), None
        )
        os.environ[SETTINGS_ENV] = json.dumps(
            {
                "settings": worker_settings(settings, workers),
                "host": host,
                "tokens": policy.digests(),
                "log_level": level,
                "log_file": log_file,
                **guard_options,
            }
        )
        if per_worker_sockets_supported():  # a listening socket per worker: connections spread evenly
            Supervisor(options, workers).run()
            return
        config = uvicorn.Config(f"{__name__}:app_from_environment", factory=True, workers=workers, **options)
        with suppress(KeyboardInterrupt):
            Multiprocess(config, sockets=[listening_socket(config)]).run()
    else:
        uvicorn.run(create_app(settings, tokens=policy, host=host, **guard_options), **options)

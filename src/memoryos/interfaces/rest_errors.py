"""Every failure of the REST API as `{"error": {"code": ..., "message": ...}}` with a stable code."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match, Route

from ..errors import MemoryosError
from .auth import AuthError
from .rest_models import ErrorBody

log = logging.getLogger(__name__)

# the framework's own refusals (no route, wrong method, a body it cannot parse); typed errors carry their code
HTTP_CODES = {
    400: "invalid_input",  # e.g. a body that is not JSON
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "input_too_large",
    415: "unsupported_media_type",
    421: "misdirected_request",
}

FASTAPI_PARSE_ERROR = "There was an error parsing the body"  # FastAPI's words when json.loads fails otherwise

# documented on every operation so that clients (and schema checkers) know the shape of failures
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": description}
    for status, description in (
        (400, "The body is not JSON, or the path or query has percent-escapes that are not UTF-8 (`invalid_input`); "
         "a missing or malformed Host header (`bad_request`)."),
        (401, "Missing or invalid bearer token (`unauthorized`)."),
        (403, "The token may not access this user (`forbidden`), or a write came from another web origin "
         "(`forbidden_origin`)."),
        (404, "No such page, segment, knowledge entry or route (`not_found`)."),
        (413, "A text, the meta_data or the request body is over its limit (`input_too_large`)."),
        (421, "The Host header names another server: DNS rebinding or a missing --allowed-host "
         "(`misdirected_request`)."),
        (422, "Malformed request or argument (`invalid_input`)."),
        (500, "A bug or a misconfiguration (`internal_error`, `configuration_error`); details are logged."),
        (503, "The storage backend failed (`storage_unavailable`)."),
    )
}


def error_response(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status, headers=headers)


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for error in exc.errors()[:5]:
        where = ".".join(str(p) for p in error.get("loc", ()) if p != "body") or "body"
        parts.append(f"{where}: {error.get('msg', 'invalid')}")
    return "; ".join(parts) or "invalid request"


def _json_syntax_error(exc: RequestValidationError) -> str | None:
    """A readable message if the body was not JSON at all (FastAPI reports the parser's offset only)."""
    for error in exc.errors():
        if error.get("type") != "json_invalid":
            continue
        loc = error.get("loc", ())
        position = loc[1] if len(loc) > 1 and isinstance(loc[1], int) else None
        reason = str((error.get("ctx") or {}).get("error") or "not JSON")
        document = exc.body if isinstance(exc.body, str) else None
        if position is None or document is None:
            return f"request body is not valid JSON: {reason}"
        line = document.count("\n", 0, position) + 1
        column = position - (document.rfind("\n", 0, position) + 1) + 1
        return f"request body is not valid JSON: {reason} at line {line}, column {column}"
    return None


def _allowed_methods(request: Request) -> list[str]:
    """Every method any route offers for this path (Starlette names only those of the first route that matched)."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        if isinstance(route, Route) and route.methods and route.matches(request.scope)[0] != Match.NONE:
            methods |= route.methods
    return sorted(methods)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(MemoryosError)
    @app.exception_handler(AuthError)
    async def typed_error(_request: Request, exc: MemoryosError | AuthError) -> JSONResponse:
        """Library and auth errors carry their own `http_status` and `code`."""
        if exc.http_status >= 500:
            log.warning("request failed with %s: %s", exc.code, exc)
        headers = {"WWW-Authenticate": 'Bearer realm="memoryos"'} if exc.http_status == 401 else None
        return error_response(exc.http_status, exc.code, str(exc), headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        unparsed = _json_syntax_error(exc)
        if unparsed is not None:
            return error_response(400, "invalid_input", unparsed)
        return error_response(422, "invalid_input", _validation_message(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = HTTP_CODES.get(exc.status_code, "internal_error" if exc.status_code >= 500 else "invalid_input")
        headers = dict(getattr(exc, "headers", None) or {})
        if exc.status_code == 405:
            headers["Allow"] = ", ".join(_allowed_methods(request))
        message = str(exc.detail)
        if exc.status_code == 400 and message == FASTAPI_PARSE_ERROR:
            message = "request body is not valid JSON: not UTF-8 text, or nested too deeply"
        return error_response(exc.status_code, code, message, headers or None)

    @app.exception_handler(Exception)
    async def unexpected(_request: Request, exc: Exception) -> JSONResponse:
        # details stay in the server log: they may hold paths or connection strings
        log.exception("unexpected error while serving a request")
        return error_response(500, "internal_error", "internal server error; see the server log")

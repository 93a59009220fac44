"""Endpoints served in one trip to the thread pool.

FastAPI runs a plain (sync) endpoint on its thread pool, and when the endpoint returns a model it goes to the pool a
second time to validate that model again, before serialising it on the event loop. Every trip is a hand-off between
the event loop and a pool thread, and on a busy server each hand-off waits for the interpreter lock: per request,
that waiting (and the serialising on the one event-loop thread every request shares) is what grows with the number
of concurrent clients. `one_hop` runs the endpoint and the serialisation of its model together on one pool thread
and hands FastAPI a finished response, which it sends as it is.

The route keeps the endpoint's signature and return annotation (FastAPI reads both through `__wrapped__`), plus the
request (which OpenAPI does not describe), so its parameters, validation and the OpenAPI document are unchanged; the
body is the one FastAPI would write (`model_dump_json(by_alias=True)`, as `TypeAdapter.dump_json` does for the
response model).

The trip waits for a place at the app's call gate first (`app.state.call_gate`, interfaces/admission.py), on the
event loop, and a search (`one_hop(search=True)`: retrieve, search) before that at the search gate
(`app.state.search_gate`); a client that disconnects while waiting gives its places up, and its call is never run.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable
from typing import ParamSpec

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel

from .admission import CallGate, admitted, until_disconnected

P = ParamSpec("P")
GATE_STATE = "call_gate"  # the app's CallGate, if it has one
SEARCH_GATE_STATE = "search_gate"  # the app's gate for searches, waited at before the call gate
_REQUEST = "one_hop_request"  # the parameter through which FastAPI hands the route its request
CLIENT_GONE = 499  # never read by the client: it disconnected before its call ran


def one_hop(
    status_code: int = 200, search: bool = False
) -> Callable[[Callable[P, BaseModel]], Callable[P, Awaitable[Response]]]:
    """Decorate a sync endpoint (below the route decorator, with the route's `status_code`); `search`: a retrieve
    or search, which waits at the search gate too."""

    def decorate(endpoint: Callable[P, BaseModel]) -> Callable[P, Awaitable[Response]]:
        def call_and_encode(*args: P.args, **kwargs: P.kwargs) -> Response:
            body = endpoint(*args, **kwargs).model_dump_json(by_alias=True)
            return Response(body, status_code=status_code, media_type="application/json")

        @functools.wraps(endpoint)
        async def served(*args: P.args, **kwargs: P.kwargs) -> Response:
            request: Request = kwargs.pop(_REQUEST)  # type: ignore[assignment]
            state = request.app.state
            held = (getattr(state, SEARCH_GATE_STATE, None) if search else None, getattr(state, GATE_STATE, None))
            gates: list[CallGate] = [gate for gate in held if gate is not None]
            async with admitted(gates, gone=lambda: until_disconnected(request.receive)) as entered:
                if not entered:
                    return Response(status_code=CLIENT_GONE)
                return await run_in_threadpool(call_and_encode, *args, **kwargs)

        signature = inspect.signature(endpoint)
        parameter = inspect.Parameter(_REQUEST, inspect.Parameter.KEYWORD_ONLY, annotation=Request)
        served.__signature__ = signature.replace(  # type: ignore[attr-defined]
            parameters=[*signature.parameters.values(), parameter]
        )
        return served

    return decorate


__all__ = ["one_hop"]

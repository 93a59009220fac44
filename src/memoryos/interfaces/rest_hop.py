"""Endpoints served in one trip to the thread pool.

FastAPI runs a plain (sync) endpoint on its thread pool, and when the endpoint returns a model it goes to the pool a
second time to validate that model again, before serialising it on the event loop. Every trip is a hand-off between
the event loop and a pool thread, and on a busy server each hand-off waits for the interpreter lock: per request,
that waiting (and the serialising on the one event-loop thread every request shares) is what grows with the number
of concurrent clients. `one_hop` runs the endpoint and the serialisation of its model together on one pool thread
and hands FastAPI a finished response, which it sends as it is.

The route keeps the endpoint's signature and return annotation (FastAPI reads both through `__wrapped__`), so its
parameters, validation and the OpenAPI document are unchanged; the body is the one FastAPI would write
(`model_dump_json(by_alias=True)`, as `TypeAdapter.dump_json` does for the response model).
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import ParamSpec

from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel

P = ParamSpec("P")


def one_hop(status_code: int = 200) -> Callable[[Callable[P, BaseModel]], Callable[P, Awaitable[Response]]]:
    """Decorate a sync endpoint (below the route decorator, with the route's `status_code`)."""

    def decorate(endpoint: Callable[P, BaseModel]) -> Callable[P, Awaitable[Response]]:
        def call_and_encode(*args: P.args, **kwargs: P.kwargs) -> Response:
            body = endpoint(*args, **kwargs).model_dump_json(by_alias=True)
            return Response(body, status_code=status_code, media_type="application/json")

        @functools.wraps(endpoint)
        async def served(*args: P.args, **kwargs: P.kwargs) -> Response:
            return await run_in_threadpool(call_and_encode, *args, **kwargs)

        return served

    return decorate


__all__ = ["one_hop"]

"""One embedding executor per local model and process: concurrent callers share model calls.

A server runs each request on its own thread. If every thread called the model itself, N concurrent queries
would run N model calls at once, each wanting every core (the runtime's own thread pool): on a small machine they
fight over the cores and throughput falls as clients are added. Here one model call runs at a time, made by one
of the callers (an idle process hands nothing to another thread). Texts that arrive while the model is busy wait
and go together into its next call, so a busy server embeds its queries in batches (about half the CPU per text
of single calls here) and an idle one adds no delay at all. Long requests (an import, a consolidation, a
promotion's facts) are cut into short slices of their texts, shortest first, and the small ones that arrive
meanwhile go first into the next call: a query waits for at most one slice of background work.
Repeated short texts (the same query asked again) come from an LRU cache.
`embed_queries` goes to the model's query graph where it has one (int8, OnnxEmbedder.embed_queries) through the
same one-call-at-a-time queue, with a cache of its own: a query vector never answers for a stored text. Questions
that wait together go into one call of that graph (which runs each alone, OnnxEmbedder.embed_queries), never
into a call with stored texts.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict, deque
from collections.abc import Sequence

import numpy as np

from .. import foreground
from .embeddings import Embedder

log = logging.getLogger(__name__)

DEFAULT_MAX_BATCH = 32  # texts per model call: beyond this a batch of short queries gains nothing here
DEFAULT_CACHE_SIZE = 2048  # vectors of recent short texts (384 floats each: ~3 MB)
SMALL_REQUEST = 8  # calls of at most this many texts are queries (cached, served first); longer ones are bulk
# texts of a bulk request per model call: a query that arrives meanwhile waits for that call to end, and 8 texts
# cost no more CPU per text than 32 here (6.6-7.1 ms each at 4-32 per call, 11-12 ms alone) but take a quarter of
# the time (130 ms against 570-650 ms per call on 2 busy cores)
DEFAULT_BULK_SLICE = 8


class _Request:
    """One caller's texts, embedded slice by slice (in `order`) into `out`; `done` is set when all are."""

    def __init__(
        self, texts: list[str], small: bool, lengths: Sequence[int] | None = None, query: bool = False
    ) -> None:
        self.texts = texts
        self.small = small
        self.query = query  # for the model's query graph: never in the same model call as other texts
        # bulk requests shortest first (in tokens where the model tells them), so that each slice pads little;
        # queries in arrival order
        size = lengths if lengths is not None else [len(t) for t in texts]
        self.order = list(range(len(texts))) if small else sorted(range(len(texts)), key=lambda i: size[i])
        self.next = 0
        self.out: np.ndarray | None = None
        self.error: BaseException | None = None
        self.done = threading.Event()  # every text embedded (or failed)
        self.wake = threading.Event()  # done, or asked to make the model calls from now on


class BatchingEmbedder:
    """An Embedder that runs `inner`'s calls one at a time and batches the texts waiting for the next one."""

    def __init__(
        self,
        inner: Embedder,
        max_batch: int = DEFAULT_MAX_BATCH,
        cache_size: int = DEFAULT_CACHE_SIZE,
        small_request: int = SMALL_REQUEST,
        bulk_slice: int = DEFAULT_BULK_SLICE,
    ) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self.max_batch = max(1, max_batch)
        self.small_request = small_request
        # bulk texts per model call: a slice for each worker of a model that runs a call's batches side by side
        # (one per core), so a query that arrives meanwhile still waits for one short slice per core
        self.bulk_slice = max(1, bulk_slice) * max(1, int(getattr(inner, "workers", 1)))
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._query_cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size
        self._cache_lock = threading.Lock()
        self._queue: deque[_Request] = deque()
        self._cond = threading.Condition()
        self._busy = False  # a caller is making model calls for everyone
        # what the executor did, for tests and stats: model calls, texts they embedded, texts from the cache
        self.calls = 0
        self.embedded = 0
        self.cache_hits = 0

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(list(texts), query=False)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors for the query side of a search: the model's query graph where it has one, else `embed`."""
        return self._embed(list(texts), query=callable(getattr(self.inner, "embed_queries", None)))

    def _embed(self, texts: list[str], query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        small = query or len(texts) <= self.small_request
        cache = self._query_cache if query else self._cache
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        missing = list(range(len(texts)))
        if small and self._cache_size:
            with self._cache_lock:
                missing = []
                for i, text in enumerate(texts):
                    hit = cache.get(text)
                    if hit is None:
                        missing.append(i)
                    else:
                        cache.move_to_end(text)
                        out[i] = hit
                self.cache_hits += len(texts) - len(missing)
        if missing:
            wanted = list(dict.fromkeys(texts[i] for i in missing))  # a text asked twice is embedded once
            counter = None if small else getattr(self.inner, "token_counts", None)
            lengths = counter(wanted) if callable(counter) else None
            if not small and foreground.is_background():  # bulk, never a query
                vectors = self._submit_giving_way(wanted, lengths)
            else:
                vectors = self._submit(_Request(wanted, small, lengths, query))
            row = {text: vectors[k] for k, text in enumerate(wanted)}
            for i in missing:
                out[i] = row[texts[i]]
            if small and self._cache_size:
                with self._cache_lock:
                    for k, text in enumerate(wanted):
                        cache[text] = vectors[k].copy()
                        cache.move_to_end(text)
                    while len(cache) > self._cache_size:
                        cache.popitem(last=False)
        return out

    def _submit(self, request: _Request) -> np.ndarray:
        """Queue the request; run the model calls ourselves when nobody is (so an idle process never hands a call
        to another thread), else wait until a call has served us or we are asked to take over."""
        with self._cond:
            self._queue.append(request)
            leading = not self._busy
            self._busy = True
        if not leading:
            request.wake.wait()
        if not request.done.is_set():
            self._lead(request)
        if request.error is not None:
            raise request.error
        assert request.out is not None
        return request.out

    def _submit_giving_way(self, texts: list[str], lengths: Sequence[int] | None) -> np.ndarray:
        """A background thread's bulk request, one slice per model call, shortest first as _Request orders them,
        giving way to foreground calls before each slice (see memoryos.foreground). Only between slices: waiting
        while leading would keep every query waiting too."""
        order = _Request(texts, False, lengths).order
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(order), self.bulk_slice):
            rows = order[start : start + self.bulk_slice]
            foreground.give_way()
            part = [texts[i] for i in rows]
            out[rows] = self._submit(_Request(part, False, None if lengths is None else [lengths[i] for i in rows]))
        return out

    def _take(self) -> list[tuple[_Request, list[int]]]:
        """The next model call's texts: waiting queries first (oldest first), then slices of bulk requests (oldest
        first, at most bulk_slice texts of them in all), up to max_batch texts in all; all for the graph (stored
        texts or queries) of the first request in that order. Called with the condition held and the queue not
        empty."""
        taken: list[tuple[_Request, list[int]]] = []
        room = self.max_batch
        bulk_room = self.bulk_slice
        ordered = sorted(self._queue, key=lambda r: not r.small)  # stable: arrival order within each kind
        graph = ordered[0].query
        for request in ordered:
            if request.query != graph:
                continue
            if room <= 0 or (not request.small and bulk_room <= 0):
                break
            share = room if request.small else min(room, bulk_room)
            rows = request.order[request.next : request.next + share]
            if not rows:
                continue
            request.next += len(rows)
            room -= len(rows)
            if not request.small:
                bulk_room -= len(rows)
            taken.append((request, rows))
            if request.next >= len(request.texts):
                self._queue.remove(request)
        return taken

    def _lead(self, mine: _Request) -> None:
        """Make model calls for whatever waits until `mine` is done, then pass the lead to the oldest request
        still waiting (or leave the executor idle)."""
        while not mine.done.is_set():
            with self._cond:
                taken = self._take()
            self._call(taken)
        with self._cond:
            if self._queue:
                self._queue[0].wake.set()
            else:
                self._busy = False

    def _call(self, taken: list[tuple[_Request, list[int]]]) -> None:
        texts = [request.texts[i] for request, rows in taken for i in rows]
        model = getattr(self.inner, "embed_queries") if taken[0][0].query else self.inner.embed  # noqa: B009
        try:
            vectors = np.asarray(model(texts), dtype=np.float32)
        except BaseException as exc:  # every request of this call gets the error; the others go on
            for request, _rows in taken:
                request.error = exc
                with self._cond:
                    if request in self._queue:
                        self._queue.remove(request)
                self._finish(request)
            return
        self.calls += 1
        self.embedded += len(texts)
        start = 0
        for request, rows in taken:
            if request.out is None:
                request.out = np.empty((len(request.texts), vectors.shape[1]), dtype=np.float32)
            request.out[rows] = vectors[start : start + len(rows)]
            start += len(rows)
            if request.next >= len(request.texts) and request.error is None:
                self._finish(request)

    @staticmethod
    def _finish(request: _Request) -> None:
        request.done.set()
        request.wake.set()

"""MidTermMemory.fits, every active segment scored in one pass, gives each segment the paper's F = cosine (one
matrix product) + textutil.jaccard of keywords (case-insensitive), to the last bit."""

from __future__ import annotations

import numpy as np

from memoryos.config import MemoryosConfig
from memoryos.models import Scope
from memoryos.textutil import jaccard
from memoryos.tiers.mid_term import MidTermMemory


def test_fits_equals_fit_for_every_segment() -> None:
    rng = np.random.default_rng(5)
    keywords = [("Pottery", "kiln"), ("hiking", "Yosemite", "lake"), (), ("pottery",), ("Chess", "chess")]
    matrix = rng.standard_normal((len(keywords), 16)).astype(np.float32)
    ids = [f"s{i}" for i in range(len(keywords))]
    query = rng.standard_normal(16).astype(np.float32)
    asked = ["pottery", "Kiln", "weekend"]
    mid = MidTermMemory(None, Scope("u", "a"), MemoryosConfig())  # type: ignore[arg-type]
    scores = mid.fits(query, asked, (ids, keywords, matrix))
    cosines = matrix @ query
    for sid, words, cosine in zip(ids, keywords, cosines, strict=True):
        assert scores[sid] == float(cosine) + jaccard(words, asked)
    assert scores["s0"] == float(cosines[0]) + 2 / 3  # two words shared of three, one in another case
    assert scores["s4"] == float(cosines[4])  # no word shared
    assert mid.fits(query, [], (ids, keywords, matrix))["s2"] == float(cosines[2])

"""What a memory learnt from a LoCoMo conversation, scored against the annotators' observations.

The gold is the `observation` field of a LoCoMo file: per session and per speaker, short facts, each with the
turn id(s) it was read from. The definition (issue 12), so that numbers compare across runs:

- fact and observation texts lose both speakers' names and personal pronouns (also "user"/"assistant", the
  names memoryos itself uses for the two sides), then are compared by MiniLM cosine (memoryos's own embedder);
- a fact *supports* an observation of its own speaker (user facts: speaker_a, assistant facts: speaker_b) when
  the cosine is >= 0.5 and one of the observation's evidence turns is in one of the fact's source pages; a fact
  citing more than 3 pages supports nothing;
- recall = share of a speaker's observations supported by some fact; precision = share of facts that support
  one; wrong-person = share of facts whose best match over all observations (cosine >= 0.5) is an observation
  about the other speaker;
- a profile line is supported when some speaker_a observation has cosine >= 0.5 with it (no provenance check).

Wrong-person facts are also counted by what made them so (not part of the definition, a reading aid): a *tie*
(an observation of the fact's own speaker matches exactly as well: both were annotated with the same text once
names are removed), and an observation of the other speaker that *names the fact's speaker* ("Nate is keen to try
Joanna's cake" best matching Joanna's "User loves making this cake": about the fact's speaker's own thing, filed
under the other one).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ._locomo_data import parse_evidence

SUPPORT_COSINE = 0.5
MAX_SOURCE_PAGES = 3
KINDS = {"user": "a", "assistant": "b"}  # memoryos knowledge kind -> LoCoMo speaker side

_PRONOUNS = [
    "i",
    "me",
    "my",
    "mine",
    "myself",
    "you",
    "your",
    "yours",
    "yourself",
    "yourselves",
    "he",
    "him",
    "his",
    "himself",
    "she",
    "her",
    "hers",
    "herself",
    "we",
    "us",
    "our",
    "ours",
    "ourselves",
    "they",
    "them",
    "their",
    "theirs",
    "themselves",
]
# a pronoun with its contraction ("I'm", "she's", "they've"): the verb left behind carries nothing either
_PRONOUN_RE = re.compile(r"\b(?:" + "|".join(_PRONOUNS) + r")(?:['’](?:m|s|re|ve|d|ll))?\b", re.IGNORECASE)
_SPACES_RE = re.compile(r"\s+")

Embed = Callable[[list[str]], np.ndarray]


@dataclass(frozen=True)
class Observation:
    side: str  # "a" (speaker_a, the user) or "b" (speaker_b, the assistant)
    text: str
    evidence: tuple[str, ...]  # turn ids
    session: int


def load_observations(path: str | Path) -> dict[str, list[Observation]]:
    """sample_id -> the annotators' observations of that conversation, evidence ids repaired like questions'."""
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    items = [raw] if isinstance(raw, dict) else raw
    out: dict[str, list[Observation]] = {}
    for index, item in enumerate(items):
        conv = item["conversation"]
        sides = {conv["speaker_a"]: "a", conv["speaker_b"]: "b"}
        known = {str(t["dia_id"]) for key, turns in conv.items() if re.fullmatch(r"session_\d+", key) for t in turns}
        found: list[Observation] = []
        for key, by_speaker in (item.get("observation") or {}).items():
            match = re.search(r"session_(\d+)", key)
            session = int(match.group(1)) if match else 0
            for speaker, rows in by_speaker.items():
                if speaker not in sides:
                    continue
                for row in rows:
                    text, evidence = row[0], row[1] if len(row) > 1 else []
                    ids = parse_evidence(evidence if isinstance(evidence, list) else [evidence], known)
                    if str(text).strip() and ids:
                        found.append(Observation(sides[speaker], str(text).strip(), tuple(ids), session))
        out[str(item.get("sample_id", f"conv-{index}"))] = found
    return out


def strip_speakers(text: str, names: Sequence[str]) -> str:
    """The text without the speakers' names (possessives included) and personal pronouns."""
    words = [re.escape(n) for n in (*names, "the user", "user", "the assistant", "assistant") if n.strip()]
    text = re.sub(r"\b(?:" + "|".join(words) + r")(?:['’]s)?\b", " ", text, flags=re.IGNORECASE)
    return _SPACES_RE.sub(" ", _PRONOUN_RE.sub(" ", text)).strip()


def _unit(embed: Embed, texts: list[str], dim: int) -> np.ndarray:
    if not texts:
        return np.zeros((0, dim), dtype=np.float32)
    vectors = np.asarray(embed(texts), dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1.0, norms)


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def score_facts(
    facts: list[dict[str, Any]],
    observations: list[Observation],
    page_turns: dict[str, list[str]],
    names: Sequence[str],
    embed: Embed,
    dim: int,
) -> dict[str, Any]:
    """Precision, recall and wrong-person of user and assistant facts (dicts as `get_knowledge` returns them).
    `page_turns`: page id -> the turn ids it holds (from the pages' meta_data)."""
    obs_vectors = _unit(embed, [strip_speakers(o.text, names) for o in observations], dim)
    obs_sides = np.array([o.side for o in observations])
    result: dict[str, Any] = {}
    for kind, side in KINDS.items():
        mine = [f for f in facts if f.get("kind") == kind]
        own = [i for i, o in enumerate(observations) if o.side == side]
        fact_vectors = _unit(embed, [strip_speakers(str(f.get("text", "")), names) for f in mine], dim)
        sims = fact_vectors @ obs_vectors.T if len(observations) else np.zeros((len(mine), 0), np.float32)
        supported: set[int] = set()
        supporting = wrong = too_many_pages = ties = names_speaker = 0
        speaker = names[0 if side == "a" else 1] if len(names) > 1 else ""
        first_name = speaker.split()[0] if speaker.strip() else ""
        for row, fact in enumerate(mine):
            sources = [str(p) for p in fact.get("source_page_ids") or []]
            turns = {t for p in sources for t in page_turns.get(p, [])}
            hits = set()
            if len(sources) > MAX_SOURCE_PAGES:
                too_many_pages += 1
            else:
                hits = {
                    i for i in own if sims[row, i] >= SUPPORT_COSINE and turns.intersection(observations[i].evidence)
                }
            supported |= hits
            supporting += bool(hits)
            if sims.shape[1]:
                best = int(np.argmax(sims[row]))
                if sims[row, best] >= SUPPORT_COSINE and obs_sides[best] != side:
                    wrong += 1
                    own_best = max((float(sims[row, i]) for i in range(len(observations)) if obs_sides[i] == side),
                                   default=-1.0)  # fmt: skip
                    if own_best >= float(sims[row, best]) - 1e-6:
                        ties += 1
                    elif first_name and re.search(r"\b" + re.escape(first_name) + r"\b", observations[best].text):
                        names_speaker += 1
        n_pages = [len(f.get("source_page_ids") or []) for f in mine]
        result[kind] = {
            "facts": len(mine),
            "observations": len(own),
            "supporting_facts": supporting,
            "supported_observations": len(supported),
            "wrong_person_facts": wrong,
            "wrong_person_ties": ties,
            "wrong_person_other_names_speaker": names_speaker,
            "facts_citing_over_3_pages": too_many_pages,
            "precision": _ratio(supporting, len(mine)),
            "recall": _ratio(len(supported), len(own)),
            "wrong_person": _ratio(wrong, len(mine)),
            "citing_over_3_pages": _ratio(too_many_pages, len(mine)),
            "mean_source_pages": round(float(np.mean(n_pages)), 2) if n_pages else None,
        }
    return result


def profile_lines(profile: str) -> list[str]:
    """The claims of a profile: its non-empty lines without list markers; headings (ending in ':') are not."""
    lines = [re.sub(r"^\s*(?:[-*•]|\d+[.)])\s*", "", line).strip() for line in profile.splitlines()]
    return [line for line in lines if line and not line.endswith(":")]


def score_profile(
    profile: str, observations: list[Observation], names: Sequence[str], embed: Embed, dim: int
) -> dict[str, Any]:
    lines = profile_lines(profile)
    user_obs = [o for o in observations if o.side == "a"]
    line_vectors = _unit(embed, [strip_speakers(line, names) for line in lines], dim)
    obs_vectors = _unit(embed, [strip_speakers(o.text, names) for o in user_obs], dim)
    best = (line_vectors @ obs_vectors.T).max(axis=1) if len(lines) and len(user_obs) else np.zeros(len(lines))
    supported = int((best >= SUPPORT_COSINE).sum())
    return {
        "chars": len(profile),
        "lines": len(lines),
        "supported_lines": supported,
        "supported_share": _ratio(supported, len(lines)),
    }


def score_segments(segments: list[dict[str, Any]]) -> dict[str, Any]:
    """Segments (all of them, archived included) as `list_segments` returns them."""
    sizes = [int(s.get("page_count") or 0) for s in segments]
    total = sum(sizes)
    return {
        "segments": len(sizes),
        "pages": total,
        "largest": max(sizes, default=0),
        "largest_share": _ratio(max(sizes, default=0), total),
        "mean_size": round(total / len(sizes), 2) if sizes else None,
    }


def pooled(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Overall numbers from per-conversation ones: counts summed, shares recomputed from the sums (micro
    average), the largest segment share as the worst conversation's and its mean."""
    out: dict[str, Any] = {}
    seg = [r["segments"] for r in rows]
    shares = [s["largest_share"] for s in seg if s["largest_share"] is not None]
    out["segments"] = {
        "segments": sum(s["segments"] for s in seg),
        "pages": sum(s["pages"] for s in seg),
        "largest_share": max(shares, default=None),
        "largest_share_mean": round(float(np.mean(shares)), 4) if shares else None,
        "mean_size": _ratio(sum(s["pages"] for s in seg), sum(s["segments"] for s in seg)),
    }
    for kind in KINDS:
        facts = [r["facts"][kind] for r in rows]
        n_facts = sum(f["facts"] for f in facts)
        n_obs = sum(f["observations"] for f in facts)
        out[kind] = {
            "facts": n_facts,
            "observations": n_obs,
            "precision": _ratio(sum(f["supporting_facts"] for f in facts), n_facts),
            "recall": _ratio(sum(f["supported_observations"] for f in facts), n_obs),
            "wrong_person": _ratio(sum(f["wrong_person_facts"] for f in facts), n_facts),
            "wrong_person_ties": sum(f.get("wrong_person_ties", 0) for f in facts),
            "wrong_person_other_names_speaker": sum(f.get("wrong_person_other_names_speaker", 0) for f in facts),
            "citing_over_3_pages": _ratio(sum(f["facts_citing_over_3_pages"] for f in facts), n_facts),
        }
    profiles = [r["profile"] for r in rows]
    lines = sum(p["lines"] for p in profiles)
    out["profile"] = {
        "chars_max": max((p["chars"] for p in profiles), default=0),
        "chars_mean": round(float(np.mean([p["chars"] for p in profiles])), 1) if profiles else None,
        "supported_share": _ratio(sum(p["supported_lines"] for p in profiles), lines),
    }
    return out

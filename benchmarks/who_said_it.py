"""Why facts count as the wrong person's: every wrong-person fact of the no-LLM memory on LoCoMo, with its page, the
other speaker's observation it matched and the best one of its own speaker, sorted into causes.

    python -m benchmarks.who_said_it [--data PATH] [--limit N] [--paces burst,paced] [--name NAME] [--out DIR]

The memory is built as `benchmarks.knowledge` builds it (each pace, every segment promoted: the *all* variant) and
scored with the issue 12 definition (`benchmarks._fact_metrics`). Each wrong-person fact gets the first cause
that applies, in this order (a reading aid; the issue's number is unchanged):

- `supports_own`: it also supports an observation of its own speaker whose evidence turn is on the fact's page
  (the definition's own provenance test says the speaker said it);
- `other_obs_from_own_turn`: the other speaker's observation it matched cites a turn of the fact's speaker (the
  annotators filed the speaker's words under the other one);
- `other_obs_names_speaker`: that observation names the fact's speaker ("Nate is keen to try Joanna's cake");
- `near_tie`: an observation of its own speaker matches within 0.05 of the other's (the topic is both's);
- `topic_of_other`: the rest (the other speaker's observation is clearly nearer).

Each fact is also tagged with what its text and page show: `we` (a first-person plural: "User and others"),
`quote` (a quotation mark), `second_person`, `names_other` (the other speaker's name), `question`, `keyed` (it
carries an attribute key), and `echo` (MiniLM cosine >= 0.5 between the fact and a sentence of the other
speaker's turn just before it), with the same tags counted over every fact of that speaker for comparison.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from memoryos.providers.statements import read_side
from memoryos.textutil import sentences

from ._common import DEFAULT_DATA, RESULTS_DIR, local_model, machine, quiet_environment, write_results
from ._fact_metrics import KINDS, MAX_SOURCE_PAGES, SUPPORT_COSINE, load_observations, strip_speakers
from ._locomo_data import Conversation, load
from .knowledge import CachingEmbedder, learned, page_records

CAUSES = ("supports_own", "other_obs_from_own_turn", "other_obs_names_speaker", "near_tie", "topic_of_other")
NEAR = 0.05
ECHO_COSINE = 0.5


def _unit(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1.0, norms)


def _tags(fact: dict[str, Any], other_name: str, echo: float) -> list[str]:
    text = str(fact["text"])
    tags = []
    if "and others" in text:
        tags.append("we")
    if re.search(r"[\"“”]", text):
        tags.append("quote")
    if re.search(r"\b(?:you|your|yours)\b", text, re.IGNORECASE):
        tags.append("second_person")
    if other_name and re.search(r"\b" + re.escape(other_name.split()[0]) + r"\b", text):
        tags.append("names_other")
    if text.rstrip().endswith("?"):
        tags.append("question")
    if fact.get("attribute"):
        tags.append("keyed")
    if echo >= ECHO_COSINE:
        tags.append("echo")
    return tags


def conversation(conv: Conversation, observations: list[Any], pace: str, embed: CachingEmbedder) -> dict[str, Any]:
    names = [conv.speaker_a, conv.speaker_b]
    records = page_records(conv)
    index = {meta["dia_ids"][0]: i for i, (_, _, _, meta) in enumerate(records)}
    speaker_of = {t.dia_id: t.speaker for t in conv.turns}
    out: dict[str, Any] = {"wrong": [], "tags_all": {}, "scored": []}
    listed, facts = learned(conv, pace, embed, "memoryos-who-")
    pages = {p["id"]: p for p in listed}
    obs_vectors = _unit(embed.embed([strip_speakers(o.text, names) for o in observations]))
    for kind, side in KINDS.items():
        me, other = (conv.speaker_a, conv.speaker_b) if side == "a" else (conv.speaker_b, conv.speaker_a)
        mine = [f for f in facts if f.get("kind") == kind]
        if not mine:
            continue
        sims = _unit(embed.embed([strip_speakers(str(f["text"]), names) for f in mine])) @ obs_vectors.T
        own = [i for i, o in enumerate(observations) if o.side == side]
        all_tags: Counter[str] = Counter()
        for row, fact in enumerate(mine):
            sources = [pages.get(str(p), {}) for p in fact.get("source_page_ids") or []]
            turns = [t for p in sources for t in (p.get("meta_data") or {}).get("dia_ids", [])]
            echo = _echo(fact, sources, records, index, kind, embed, names)
            tags = _tags(fact, other, echo)
            all_tags.update(tags)
            best = int(np.argmax(sims[row]))
            hits = [
                i
                for i in own
                if len(sources) <= MAX_SOURCE_PAGES
                and sims[row, i] >= SUPPORT_COSINE
                and set(turns).intersection(observations[i].evidence)
            ]
            wrong = bool(sims[row, best] >= SUPPORT_COSINE and observations[best].side != side)
            out["scored"].append(
                {
                    "kind": kind,
                    "text": str(fact["text"]),
                    "tags": tags,
                    "wrong": wrong,
                    "hits": [f"{conv.sample_id}:{i}" for i in hits],
                }
            )
            if not wrong:
                continue
            own_best = max(own, key=lambda i: float(sims[row, i]))
            seen = observations[best]
            if hits:
                cause = "supports_own"
            elif any(speaker_of.get(t) == me for t in seen.evidence):
                cause = "other_obs_from_own_turn"
            elif re.search(r"\b" + re.escape(me.split()[0]) + r"\b", seen.text):
                cause = "other_obs_names_speaker"
            elif float(sims[row, own_best]) >= float(sims[row, best]) - NEAR:
                cause = "near_tie"
            else:
                cause = "topic_of_other"
            out["wrong"].append(
                {
                    "conversation": conv.sample_id,
                    "pace": pace,
                    "kind": kind,
                    "fact": fact["text"],
                    "attribute": fact.get("attribute"),
                    "cause": cause,
                    "tags": tags,
                    "other_observation": seen.text,
                    "other_evidence": list(seen.evidence),
                    "cosine": round(float(sims[row, best]), 3),
                    "own_observation": observations[own_best].text,
                    "own_cosine": round(float(sims[row, own_best]), 3),
                    "pages": [{"user": p.get("user_input"), "agent": p.get("agent_response")} for p in sources],
                }
            )
        out["tags_all"][kind] = dict(all_tags)
        out.setdefault("facts", {})[kind] = len(mine)
        out.setdefault("observations", {})[kind] = len(own)
    return out


# filters the causes suggest, measured rather than made: what each would drop (a reading aid)
_DEMONSTRATIVE_RE = re.compile(
    r"\b(?:this|that|these|those)\s+(?!(?:is|was|are|were|'s|has|had|will|would|can|could|makes?|made|way|time|day|"
    r"week|month|year|weekend|morning|evening|night|summer|winter|spring|fall)\b)[a-z]+",
    re.IGNORECASE,
)
FILTERS: dict[str, Any] = {
    "echo": lambda f: "echo" in f["tags"],
    "we": lambda f: "we" in f["tags"],
    "unresolved_demonstrative": lambda f: bool(_DEMONSTRATIVE_RE.search(f["text"])),
    "generic_belief": lambda f: bool(
        re.match(r"^User (?:really |strongly |truly )?(?:believes|thinks|feels|knows)\b", f["text"])
    ),
}


def filter_effects(scored: list[dict[str, Any]], n_observations: int) -> dict[str, Any]:
    """Per filter: facts it drops, of them wrong-person and supporting, and precision, recall and wrong-person of
    the facts it keeps (user facts)."""
    out: dict[str, Any] = {}
    for name, drops in {"none": lambda f: False, **FILTERS}.items():
        kept = [f for f in scored if not drops(f)]
        gone = [f for f in scored if drops(f)]
        out[name] = {
            "dropped": len(gone),
            "dropped_wrong_person": sum(f["wrong"] for f in gone),
            "dropped_supporting": sum(bool(f["hits"]) for f in gone),
            "precision": round(sum(bool(f["hits"]) for f in kept) / len(kept), 4) if kept else None,
            "recall": round(len({h for f in kept for h in f["hits"]}) / n_observations, 4) if n_observations else None,
            "wrong_person": round(sum(f["wrong"] for f in kept) / len(kept), 4) if kept else None,
        }
    return out


def _echo(
    fact: dict[str, Any],
    sources: list[dict[str, Any]],
    records: list[tuple[str, str, float, dict[str, Any]]],
    index: dict[str, int],
    kind: str,
    embed: CachingEmbedder,
    names: list[str],
) -> float:
    """The highest cosine between the fact and a sentence of the other speaker's turn just before it (the user
    answers the previous page's agent side; the agent, its own page's user side)."""
    best = 0.0
    for page in sources:
        dia = (page.get("meta_data") or {}).get("dia_ids") or []
        i = index.get(dia[0]) if dia else None
        if i is None:
            continue
        before = (records[i - 1][1] if i > 0 else "") if kind == "user" else records[i][0]
        said = [s for s in sentences(read_side(before).text) if len(s.split()) >= 3]
        if not said:
            continue
        vectors = _unit(embed.embed([strip_speakers(s, names) for s in said]))
        fact_vector = _unit(embed.embed([strip_speakers(str(fact["text"]), names)]))
        best = max(best, float((fact_vector @ vectors.T).max()))
    return best


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=str(DEFAULT_DATA))
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--paces", default="burst,paced")
    parser.add_argument("--name", default="who_said_it", help="results file name (no .json)")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR, help="results directory")
    args = parser.parse_args(argv)
    quiet_environment()
    embed = CachingEmbedder(local_model())
    observations = load_observations(args.data)
    result: dict[str, Any] = {"machine": machine(), "data": args.data, "paces": {}}
    for pace in args.paces.split(","):
        rows = [conversation(c, observations[c.sample_id], pace, embed) for c in load(args.data, args.limit)]
        summary: dict[str, Any] = {}
        for kind in KINDS:
            wrong = [w for r in rows for w in r["wrong"] if w["kind"] == kind]
            n_facts = sum(r.get("facts", {}).get(kind, 0) for r in rows)
            tags_all: Counter[str] = Counter()
            for r in rows:
                tags_all.update(r["tags_all"].get(kind, {}))
            scored = [f for r in rows for f in r["scored"] if f["kind"] == kind]
            n_obs = sum(r.get("observations", {}).get(kind, 0) for r in rows)
            summary[kind] = {
                "filters_measured": filter_effects(scored, n_obs),
                "facts": n_facts,
                "wrong_person": len(wrong),
                "causes": {c: sum(w["cause"] == c for w in wrong) for c in CAUSES},
                "tags_wrong": dict(Counter(t for w in wrong for t in w["tags"])),
                "tags_all_facts": dict(tags_all),
            }
            print(f"{pace} {kind}: {len(wrong)} of {n_facts} wrong-person; causes {summary[kind]['causes']}")
            print(f"    tags of the wrong ones {summary[kind]['tags_wrong']}; of all facts {dict(tags_all)}")
        for name, effect in summary["user"]["filters_measured"].items():
            print(f"    filter {name}: {effect}")
        result["paces"][pace] = {"summary": summary, "wrong": [w for r in rows for w in r["wrong"]]}
    write_results(args.name, result, args.out)
    return result


if __name__ == "__main__":
    main()

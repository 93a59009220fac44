"""Why an observation of a speaker is not learnt: every observation of the no-LLM memory on LoCoMo that no fact
supports, sorted into the first cause that applies.

    python -m benchmarks.user_misses [--data PATH] [--limit N] [--paces burst] [--kinds user] [--name NAME] [--out DIR]

The memory is built as `benchmarks.knowledge` builds it (each pace, every segment promoted: the *all* variant) and
scored with the issue 12 definition (`benchmarks._fact_metrics`). An observation is *missed* when no fact of its
speaker supports it (cosine >= 0.5 and citing the page of one of its evidence turns, with at most 3 pages). Each
miss gets the first cause that applies (a reading aid; the issue's numbers are unchanged):

- `gold_cites_other_turn`: every evidence turn is the other speaker's (the memory cannot learn it from that page);
- `too_many_pages`: a fact matches (>= 0.5) and cites the page, but cites more than 3 pages (merged into a fact said
  on other pages too: `keep` adds pages);
- `filtered:<test>`: the sentence of the evidence turn that matches best (as the fact it would make, >= 0.5) is
  dropped by a test of `statements.may_be_about_self` (`question`, `not_a_fact_start`, `pep_talk`,
  `second_person`, `names_other`, `echo_too`, `length`, `wish_about_pronoun`, `question_start`,
  `no_informative_words`), or is passed over by the turn's rules (`no_subject`: the speaker is not its subject;
  `not_specific`: small talk by `is_specific`);
- `chosen_but_reworded`: that sentence is the page's fact, but the fact's text (resolved, with a detail) is below 0.5;
- `another_statement_chosen`: that sentence is a candidate the rules would take, but the turn's fact is another
  statement (one unkeyed fact per turn, `fact_extraction.MAX_FACTS_PER_TURN`);
- `candidate_not_learnt`: that sentence would be taken and no fact cites the page (an echo, a mention of a known
  fact, or merged away);
- `learnt_on_other_page`: no sentence of the turn reaches 0.5, but a fact said elsewhere does (the observation sums
  up what was said on several pages, or its topic is common);
- `worded_below_cosine`: a fact cites the page, no sentence of the turn and no fact reaches 0.5
  (`whole_turn_reaches` counts how many of these the whole turn, as one text, would reach);
- `nothing_on_page`: no fact cites the page and nothing reaches 0.5.

The order puts the evidence page first: a miss whose own sentence would match is counted by what dropped it, even
where a fact elsewhere matches a common topic.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from memoryos.providers.reported_speech import own_words
from memoryos.providers.statements import (
    _ECHO_RE,
    _MAX_WORDS,
    _MIN_WORDS,
    _NOT_A_FACT_RE,
    _QUESTION_START_RE,
    _SECOND_PERSON_RE,
    _WISH_ABOUT_PRONOUN_RE,
    clean_sentence,
    fact_text,
    informative_words,
    is_specific,
    names_someone,
    pep_talk,
    read_side,
    speaker_is_subject,
)
from memoryos.textutil import sentences

from ._common import DEFAULT_DATA, RESULTS_DIR, local_model, machine, quiet_environment, write_results
from ._fact_metrics import KINDS, MAX_SOURCE_PAGES, SUPPORT_COSINE, Observation, load_observations, strip_speakers
from ._locomo_data import Conversation, load
from .knowledge import CachingEmbedder, learned

SUBJECTS = {"user": "User", "assistant": "Assistant"}


def _unit(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1.0, norms)


def sentence_test(raw: str, own: list[str], other: list[str]) -> tuple[str, str]:
    """(the sentence cleaned as the rules clean it, the first rule that passes it over or "candidate")."""
    sentence = clean_sentence(raw, [*other, *own])
    said = own_words(sentence)
    words = said.split()
    if not sentence or not _MIN_WORDS <= len(words) <= _MAX_WORDS:
        return sentence, "length"
    checks = (
        ("question", said.rstrip().endswith("?")),
        ("not_a_fact_start", bool(_NOT_A_FACT_RE.match(said))),
        ("question_start", bool(_QUESTION_START_RE.match(said))),
        ("pep_talk", pep_talk(said)),
        ("wish_about_pronoun", bool(_WISH_ABOUT_PRONOUN_RE.match(said))),
        ("second_person", bool(_SECOND_PERSON_RE.search(said))),
        ("names_other", names_someone(said, other)),
        ("echo_too", bool(_ECHO_RE.search(said))),
        ("no_informative_words", not informative_words(said)),
    )
    for name, failed in checks:
        if failed:
            return sentence, name
    if not speaker_is_subject(said):
        return sentence, "no_subject"
    if not is_specific(said):
        return sentence, "not_specific"
    return sentence, "candidate"


def _same_statement(sentence: str, fact: str) -> bool:
    """The fact was made from this sentence (most of its informative words are the fact's)."""
    words = set(informative_words(sentence))
    return bool(words) and len(words & set(informative_words(fact))) >= 0.8 * len(words)


def conversation(
    conv: Conversation, observations: list[Observation], pace: str, embed: CachingEmbedder, kinds: list[str]
) -> list[dict[str, Any]]:
    names = [conv.speaker_a, conv.speaker_b]
    speaker_of = {t.dia_id: t.speaker for t in conv.turns}
    listed, facts = learned(conv, pace, embed, "memoryos-miss-")
    page_of_turn = {t: p["id"] for p in listed for t in (p.get("meta_data") or {}).get("dia_ids", [])}
    pages = {p["id"]: p for p in listed}
    rows: list[dict[str, Any]] = []
    for kind in kinds:
        side = KINDS[kind]
        me, them = (conv.speaker_a, conv.speaker_b) if side == "a" else (conv.speaker_b, conv.speaker_a)
        mine = [f for f in facts if f.get("kind") == kind]
        own = [o for o in observations if o.side == side]
        if not own:
            continue
        obs_vectors = _unit(embed.embed([strip_speakers(o.text, names) for o in own]))
        fact_vectors = _unit(embed.embed([strip_speakers(str(f["text"]), names) for f in mine]))
        sims = obs_vectors @ fact_vectors.T if mine else np.zeros((len(own), 0))
        fact_pages = [[str(p) for p in f.get("source_page_ids") or []] for f in mine]
        for row, obs in enumerate(own):
            evidence_pages = {page_of_turn[t] for t in obs.evidence if t in page_of_turn}
            citing = [j for j, ps in enumerate(fact_pages) if evidence_pages.intersection(ps)]
            supported = any(
                len(fact_pages[j]) <= MAX_SOURCE_PAGES and sims[row, j] >= SUPPORT_COSINE for j in citing
            )
            if supported:
                continue
            record: dict[str, Any] = {"conversation": conv.sample_id, "pace": pace, "kind": kind}
            record.update(observation=obs.text, evidence=list(obs.evidence))
            best_any = int(np.argmax(sims[row])) if mine else -1
            record["best_fact"] = str(mine[best_any]["text"]) if mine else None
            record["best_fact_cosine"] = round(float(sims[row, best_any]), 3) if mine else None
            on_page = max(citing, key=lambda j: float(sims[row, j]), default=-1)
            record["page_fact"] = str(mine[on_page]["text"]) if on_page >= 0 else None
            record["page_fact_cosine"] = round(float(sims[row, on_page]), 3) if on_page >= 0 else None
            # the speaker's sentences on the evidence pages, each as the fact it would make, and its rule
            said = []
            for pid in sorted(evidence_pages):
                page = pages[pid]
                text = read_side(page.get("user_input" if kind == "user" else "agent_response") or "").text
                said += [(pid, raw, *sentence_test(raw, [me], [them])) for raw in sentences(text)]
            turns_mine = [t for t in obs.evidence if speaker_of.get(t) == me]
            if said:
                texts = [strip_speakers(fact_text(s or raw, SUBJECTS[kind], 0.0), names) for _, raw, s, _ in said]
                cos = (_unit(embed.embed(texts)) @ obs_vectors[row][:, None])[:, 0]
                top = int(np.argmax(cos))
                record["best_sentence"] = said[top][1]
                record["best_sentence_rule"] = said[top][3]
                record["best_sentence_cosine"] = round(float(cos[top]), 3)
                whole = " ".join(raw for _, raw, _, _ in said)
                whole_vector = _unit(embed.embed([strip_speakers(whole, names)]))[0]
                record["whole_turn_cosine"] = round(float(whole_vector @ obs_vectors[row]), 3)
            else:
                top, cos = -1, np.zeros(0)
            if not turns_mine:
                cause = "gold_cites_other_turn"
            elif any(sims[row, j] >= SUPPORT_COSINE and len(fact_pages[j]) > MAX_SOURCE_PAGES for j in citing):
                cause = "too_many_pages"
            elif top >= 0 and cos[top] >= SUPPORT_COSINE:
                rule = said[top][3]
                if rule != "candidate":
                    cause = f"filtered:{rule}"
                elif any(_same_statement(said[top][2], str(mine[j]["text"])) for j in citing):
                    cause = "chosen_but_reworded"
                elif citing:
                    cause = "another_statement_chosen"
                else:
                    cause = "candidate_not_learnt"
            elif mine and sims[row, best_any] >= SUPPORT_COSINE:
                cause = "learnt_on_other_page"
            elif citing:
                cause = "worded_below_cosine"
            else:
                cause = "nothing_on_page"
            record["cause"] = cause
            rows.append(record)
    return rows


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=str(DEFAULT_DATA))
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--paces", default="burst")
    parser.add_argument("--kinds", default="user")
    parser.add_argument("--name", default="user_misses", help="results file name (no .json)")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR, help="results directory")
    args = parser.parse_args(argv)
    quiet_environment()
    embed = CachingEmbedder(local_model())
    observations = load_observations(args.data)
    kinds = args.kinds.split(",")
    result: dict[str, Any] = {"machine": machine(), "data": args.data, "paces": {}}
    for pace in args.paces.split(","):
        rows = [
            r
            for c in load(args.data, args.limit)
            for r in conversation(c, observations[c.sample_id], pace, embed, kinds)
        ]
        summary: dict[str, Any] = {}
        for kind in kinds:
            mine = [r for r in rows if r["kind"] == kind]
            causes = Counter(r["cause"] for r in mine)
            whole = sum(
                1
                for r in mine
                if r["cause"] == "worded_below_cosine" and r.get("whole_turn_cosine", 0) >= SUPPORT_COSINE
            )
            summary[kind] = {"missed": len(mine), "causes": dict(causes.most_common()), "whole_turn_reaches": whole}
            print(f"{pace} {kind}: {len(mine)} missed; {dict(causes.most_common())}; whole turn reaches {whole}")
        result["paces"][pace] = {"summary": summary, "missed": rows}
    write_results(args.name, result, args.out)
    return result


if __name__ == "__main__":
    main()

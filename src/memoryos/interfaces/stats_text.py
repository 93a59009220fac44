"""`Memoryos.stats()` as lines a person reads at a terminal (`memoryos stats`; --json gives the dict itself)."""

from __future__ import annotations

from typing import Any


def plural(count: int, noun: str, many: str | None = None) -> str:
    """'1 page', '2 pages' (`many` for irregular plurals)."""
    return f"{count:,} {noun if count == 1 else (many or noun + 's')}"


def _size(n: Any) -> str:
    if not isinstance(n, int | float):
        return "size unknown"
    size = float(n)
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{int(size)} bytes" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError("unreachable")


def _llm_state(llm: dict[str, Any]) -> str:
    state = str(llm.get("state", "unknown"))
    parts = [state + (f" since {llm['since']}" if llm.get("since") else "")]
    if llm.get("consecutive_failures"):
        parts.append(plural(int(llm["consecutive_failures"]), "failure") + " in a row")
    done_without = int(llm.get("extractive_batches") or 0) + int(llm.get("extractive_promotions") or 0)
    if done_without:
        parts.append(plural(done_without, "step") + " done without it")
    if llm.get("last_error"):
        parts.append(f"last error: {llm['last_error']}")
    return "; ".join(parts)


def _usage(usage: dict[str, dict[str, int]]) -> list[str]:
    lines = []
    for purpose, row in sorted(usage.items()):
        text = f"{purpose}: {plural(row.get('calls', 0), 'call')}"
        if row.get("failures"):
            text += f" ({row['failures']:,} failed)"
        text += f", {row.get('prompt_tokens', 0):,} prompt + {row.get('completion_tokens', 0):,} completion tokens"
        lines.append(text)
    return lines


def _knowledge(current: dict[str, int], closed: dict[str, int]) -> str:
    text = f"{plural(current.get('user', 0), 'current fact')} about the user, {current.get('assistant', 0):,} about "
    text += "the assistant"
    ended = closed.get("user", 0) + closed.get("assistant", 0)
    if ended:
        text += f"; {plural(ended, 'closed fact')} in the history"
    return text


def stats_lines(stats: dict[str, Any]) -> list[str]:
    """One labelled line per part of the stats; keys a store does not report are left out, not guessed."""
    pages, segments = stats.get("pages", {}), stats.get("segments", {})
    knowledge, storage, upkeep = stats.get("knowledge", {}), stats.get("storage", {}), stats.get("upkeep", {})
    rows: list[tuple[str, str]] = [
        (
            "pages",
            f"{pages.get('short', 0):,} short-term, {pages.get('mid', 0):,} mid-term, "
            f"{pages.get('archive', 0):,} archived",
        ),
        ("segments", f"{segments.get('active', 0):,} active, {segments.get('archived', 0):,} archived"),
        ("knowledge", _knowledge(knowledge, stats.get("closed_knowledge", {}))),
        ("profile", plural(int(stats.get("profile_versions", 0)), "version")),
    ]
    if storage:
        parts = [str(storage.get("backend", "?"))]
        where = storage.get("path") or storage.get("url")
        if where:
            parts.append(str(where))
        if "bytes" in storage:
            parts.append(_size(storage["bytes"]))
        rows.append(("storage", " · ".join(parts)))
    if upkeep:
        parts = ["in the background" if upkeep.get("background") else "inline"]
        parts.append(plural(int(upkeep.get("waiting_pages", 0)), "page") + " waiting")
        if upkeep.get("segments_to_reanalyze"):
            parts.append(plural(int(upkeep["segments_to_reanalyze"]), "segment") + " to analyse again")
        if upkeep.get("failures"):
            parts.append(plural(int(upkeep["failures"]), "failure"))
        if upkeep.get("last_error"):
            parts.append(f"last error: {upkeep['last_error']}")
        rows.append(("upkeep", "; ".join(parts)))
    rows.append(("LLM", _llm_state(stats.get("llm", {}))))
    rows += [("LLM calls" if i == 0 else "", line) for i, line in enumerate(_usage(stats.get("llm_usage", {})))]
    header = f"memory of {stats.get('user_id', '?')} (assistant {stats.get('assistant_id', '?')}), "
    header += f"{stats.get('mode', '?')} mode"
    width = max(len(label) for label, _ in rows)
    return [header] + [f"  {label:<{width}}  {value}" for label, value in rows]

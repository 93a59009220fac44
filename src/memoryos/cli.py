"""The `memoryos` command line: a thin shell over the library (one command, one library call)."""

from __future__ import annotations

import functools
import inspect
import json
import logging
import sys
import typing
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.text import Text

from . import __version__
from .errors import LLMNotConfigured, MemoryosError
from .interfaces.cli_help import PlainHelpGroup
from .interfaces.stats_text import plural
from .interfaces.terminal import json_for_terminal, visible

if TYPE_CHECKING:
    from .interfaces.auth import TokenPolicy

app = typer.Typer(
    cls=PlainHelpGroup,
    help="memoryos: a memory operating system for personalized AI agents.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
)
err = Console(stderr=True, soft_wrap=True)
out = Console(highlight=False, soft_wrap=True)

ConfigOpt = Annotated[
    Path | None,
    typer.Option("--config", "-c", help="JSON config file with MemoryOS settings (user_id, llm_model, ...)."),
]
UserOpt = Annotated[str | None, typer.Option("--user", "-u", help="User id (default: the config's user_id).")]
AssistantOpt = Annotated[
    str | None, typer.Option("--assistant", "-a", help="Assistant id (default: the config's assistant_id).")
]
DataOpt = Annotated[
    str | None,
    typer.Option("--data", "-d", envvar="MEMORYOS_DATA", help="Data directory of the embedded store."),
]
StorageOpt = Annotated[
    str | None,
    typer.Option(
        "--storage",
        envvar="MEMORYOS_STORAGE",
        help="Storage URL: sqlite:///path/memoryos.db (default, under --data) or postgresql://user@host/db.",
    ),
]
AllowedHostOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--allowed-host",
        help="HTTP: another host name clients may use to reach this server (repeatable), e.g. a reverse proxy's "
        "public name. Requests naming any other Host get 421; bound to 0.0.0.0/:: without it, any Host passes.",
    ),
]
MaxBodyOpt = Annotated[
    int | None,
    typer.Option(
        min=1, help="HTTP: largest request body in bytes (default: room for two max_input_chars texts and meta_data)."
    ),
]
MaxCallsOpt = Annotated[
    int | None,
    typer.Option(
        "--max-concurrent-calls",
        help="Library calls (add, retrieve, search, tools) one server process runs at once; the others wait their "
        "turn in arrival order. Default: eight per core the query model may use "
        "(env MEMORYOS_MAX_CONCURRENT_CALLS, config max_concurrent_calls).",
    ),
]
MaxSearchesOpt = Annotated[
    int | None,
    typer.Option(
        "--max-concurrent-searches",
        help="Of those, retrieve and search calls one server process runs at once (CPU-bound: more than one per core "
        "only waits on the interpreter lock). Default: one per core the query model may use "
        "(env MEMORYOS_MAX_CONCURRENT_SEARCHES, config max_concurrent_searches).",
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]


# ---- plumbing ----


@contextmanager
def _errors() -> Iterator[None]:
    """Typed library errors end the command with a clear message on stderr and the error's exit status (1; 2 for
    a missing LLM)."""
    try:
        yield
    except MemoryosError as exc:
        _error(exc)
        raise typer.Exit(exc.exit_status) from exc
    except OSError as exc:  # a file the user named: unreadable, unwritable, a directory...
        _error(exc)
        raise typer.Exit(1) from exc


def _line(*parts: str | tuple[str, str]) -> Text:
    """One line of output that shows stored text, ids and messages literally: never read as Rich markup, with
    control characters made visible. Parts are plain strings or (text, style) pairs."""
    line = Text()
    for part in parts:
        text, style = part if isinstance(part, tuple) else (part, "")
        line.append(visible(text), style=style)
    return line


def _error(message: object) -> None:
    err.print(_line(("error:", "red"), " ", str(message)))


@contextmanager
def _memory(settings: dict[str, Any], **overrides: Any) -> Iterator[Any]:
    """One Memoryos for one command, typed errors ending the command. Upkeep runs inline so that every command
    leaves the store settled."""
    from .interfaces.settings import open_memory

    with _errors():
        memo = open_memory(settings, **{"background_upkeep": False, **overrides})
        try:
            yield memo
        finally:
            memo.close()


@dataclass(frozen=True)
class Target:
    """Whose memory a command works on. Its fields are the options every memory command shares (@with_target)."""

    config: ConfigOpt = None
    user: UserOpt = None
    assistant: AssistantOpt = None
    data: DataOpt = None
    storage: StorageOpt = None

    def settings(self) -> dict[str, Any]:
        """The settings from --config, the environment and the flags; a bad config ends the command."""
        from .interfaces.settings import resolve_settings

        with _errors():
            return resolve_settings(
                self.config,
                user_id=self.user,
                assistant_id=self.assistant,
                data_storage_path=self.data,
                storage=self.storage,
            )

    @contextmanager
    def memory(self, **overrides: Any) -> Iterator[Any]:
        """The open memory (see _memory); typed errors from the command's body end the command too."""
        with _memory(self.settings(), **overrides) as memo:
            yield memo


Command = TypeVar("Command", bound=Callable[..., Any])


def with_target(command: Command) -> Command:
    """The shared options in place of the command's `target: Target` parameter (so they appear where it stands in
    --help); the command is called with the Target they make."""
    shared = typing.get_type_hints(Target, include_extras=True)  # name: Annotated[type, typer.Option(...)]
    hints = typing.get_type_hints(command, include_extras=True)
    parameters: list[inspect.Parameter] = []
    for parameter in inspect.signature(command).parameters.values():
        if parameter.name == "target":
            kind = parameter.kind
            parameters += [inspect.Parameter(n, kind, default=None, annotation=a) for n, a in shared.items()]
        else:
            parameters.append(parameter.replace(annotation=hints[parameter.name]))

    @functools.wraps(command)
    def run(**options: Any) -> Any:
        target = Target(**{name: options.pop(name) for name in shared})
        return command(target=target, **options)

    run.__signature__ = inspect.Signature(parameters, return_annotation=hints.get("return"))  # type: ignore[attr-defined]
    run.__annotations__ = {p.name: p.annotation for p in parameters}  # what typer reads, resolved
    return typing.cast(Command, run)


def _print_json(data: Any) -> None:
    typer.echo(json_for_terminal(data))


def _clip(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---- commands ----


def _print_version(value: bool) -> None:
    if value:
        typer.echo(__version__)
        raise typer.Exit()


@app.callback()
def _root(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log what memoryos does (to stderr).")] = False,
    version: Annotated[
        bool, typer.Option("--version", help="Print the version and exit.", is_eager=True, callback=_print_version)
    ] = False,
) -> None:
    """memoryos: short-, mid- and long-term memory for AI agents. Every command has --help."""
    from .interfaces.logs import configure_logging

    configure_logging("INFO" if verbose else "WARNING")


@app.command()
def demo(data: DataOpt = None) -> None:
    """Run the quick-start demo on the embedded defaults (no LLM, no network)."""
    from .demo import run

    with _errors():
        run(data)


@app.command()
@with_target
def add(
    user_input: Annotated[str, typer.Argument(help="What the user said.")],
    agent_response: Annotated[str, typer.Argument(help="What the agent answered.")] = "",
    timestamp: Annotated[str | None, typer.Option("--timestamp", "-t", help="ISO 8601 time (default: now).")] = None,
    meta: Annotated[str | None, typer.Option("--meta", help="Metadata as a JSON object.")] = None,
    ttl: Annotated[
        str | None,
        typer.Option(
            "--ttl",
            help="Forget the exchange this long after now: seconds, or a number with s, m, h, d or w (30d). "
            "Default: the config's memory_ttl_seconds (none: kept).",
        ),
    ] = None,
    target: Target = Target(),
    as_json: JsonOpt = False,
) -> None:
    """Store one exchange in short-term memory."""
    meta_data = _json_object(meta, "--meta")
    lifetime = _duration(ttl, "--ttl")
    with target.memory() as memo:
        page_id = memo.add_memory(user_input, agent_response, timestamp=timestamp, meta_data=meta_data, ttl=lifetime)
        if as_json:
            _print_json({"page_id": page_id, "user_id": memo.scope.user_id})
        else:
            typer.echo(page_id)


@app.command()
@with_target
def search(
    query: Annotated[str, typer.Argument(help="What to look for.")],
    max_results: Annotated[
        int | None,
        typer.Option(
            "--max-results", "--max", "-n", min=0, help="At most this many retrieved pages (--max: its old name)."
        ),
    ] = None,
    target: Target = Target(),
    as_json: JsonOpt = False,
) -> None:
    """Search every tier of a user's memory (no side effects on heat)."""
    from .interfaces.validity import validity

    with target.memory() as memo:
        result = memo.search(query, max_results=max_results)
    if as_json:
        _print_json(result.to_dict())
        return
    if not (result.pages or result.short_term or result.user_knowledge or result.profile):
        out.print(_line("(nothing found)"))
    for item in result.pages:
        out.print(_line((f"{item.score:.4f}", "bold"), f" [{item.tier}] {item.page.id}  {_iso(item.page.timestamp)}"))
        out.print(_line(f"    user: {_clip(item.page.user_input)}"))
        if item.page.agent_response:
            out.print(_line(f"    agent: {_clip(item.page.agent_response)}"))
    if result.short_term:
        out.print(_line("\n", ("recent (short-term):", "bold")))
        for page in result.short_term:
            out.print(_line(f"  {page.id}  {_clip(page.user_input, 120)}"))
    for label, facts in (
        ("about the user", result.user_knowledge),
        ("said by the assistant", result.assistant_knowledge),
    ):
        if facts:
            out.print(_line("\n", (f"knowledge {label}:", "bold")))
            for fact in facts:
                out.print(_line(f"  - {fact.fact.text}  ", (f"({validity(fact.to_dict())})", "dim")))
    if result.profile:
        out.print(_line("\n", ("profile:", "bold"), " ", result.profile))


@app.command()
@with_target
def profile(
    knowledge: Annotated[bool, typer.Option(help="Include knowledge entries.")] = True,
    target: Target = Target(),
    as_json: JsonOpt = False,
) -> None:
    """Show a user's long-term profile (and knowledge)."""
    with target.memory() as memo:
        result: dict[str, Any] = {"user_id": memo.scope.user_id, "profile": memo.get_user_profile()}
        if knowledge:
            result["user_knowledge"] = memo.get_knowledge("user")
            result["assistant_knowledge"] = memo.get_knowledge("assistant")
    if as_json:
        _print_json(result)
        return
    out.print(_line(result["profile"] or "(no profile yet: it grows as conversations are consolidated and promoted)"))
    for key, label in (("user_knowledge", "about the user"), ("assistant_knowledge", "said by the assistant")):
        if result.get(key):
            out.print(_line("\n", (f"knowledge {label}:", "bold")))
            for fact in result[key]:
                out.print(_line(f"  - {fact['text']}  ", (f"({fact['id']})", "dim")))


@app.command()
@with_target
def knowledge(
    fact_id: Annotated[
        str | None, typer.Argument(help="A knowledge id: show how that fact changed (its history), oldest first.")
    ] = None,
    kind: Annotated[str | None, typer.Option("--kind", "-k", help="Only user or assistant knowledge.")] = None,
    history: Annotated[
        bool, typer.Option("--history", help="Also facts that stopped being true or were replaced.")
    ] = False,
    target: Target = Target(),
    as_json: JsonOpt = False,
) -> None:
    """Knowledge entries with their validity (current, or until when) and source pages."""
    if kind not in (None, "user", "assistant"):
        raise typer.BadParameter("must be user or assistant", param_hint="--kind")
    with target.memory() as memo:
        uid = memo.scope.user_id
        facts = (
            memo.fact_history(fact_id)
            if fact_id is not None
            else memo.get_knowledge(kind, include_history=history)
        )
    if as_json:
        key = "history" if fact_id is not None else "knowledge"
        _print_json({"user_id": uid, **({"fact_id": fact_id} if fact_id else {}), key: facts})
        return
    if fact_id is not None:
        out.print(_line((f"history of {fact_id}, oldest first:", "bold")))
        for fact in facts:
            _print_fact(fact, mark="*" if fact["id"] == fact_id else "-")
        return
    if not facts:
        out.print(_line("(no knowledge yet: it grows as conversations are consolidated and promoted)"))
    for kind_name, label in (("user", "about the user"), ("assistant", "said by the assistant")):
        chosen = [f for f in facts if f["kind"] == kind_name]
        if chosen:
            out.print(_line((f"knowledge {label}:", "bold")))
            for fact in chosen:
                _print_fact(fact)


def _print_fact(fact: dict[str, Any], mark: str = "-") -> None:
    from .interfaces.validity import is_current, validity

    sources = ", ".join(fact["source_page_ids"]) or "none"
    out.print(_line(f"  {mark} {fact['text']}  ", (f"({fact['id']})", "dim")))
    state = "green" if is_current(fact) else "yellow"
    out.print(_line("      ", (validity(fact), state), f" · {fact['method']} · source pages: {sources}"))


@app.command("add-knowledge")
@with_target
def add_knowledge(
    text: Annotated[str, typer.Argument(help="The fact, e.g. 'Tom is allergic to peanuts.'")],
    kind: Annotated[str, typer.Option("--kind", "-k", help="user or assistant.")] = "user",
    valid_until: Annotated[
        str | None,
        typer.Option("--valid-until", help="ISO 8601 time after now when it stops holding; it is forgotten then."),
    ] = None,
    target: Target = Target(),
    as_json: JsonOpt = False,
) -> None:
    """Add a fact by hand (a near-duplicate of a known fact returns that fact's id)."""
    with target.memory() as memo:
        fact_id = memo.add_knowledge(text, kind, valid_until=valid_until)
        uid = memo.scope.user_id
    if as_json:
        _print_json({"id": fact_id, "user_id": uid})
    else:
        typer.echo(visible(fact_id))


@app.command()
@with_target
def invalidate(
    fact_id: Annotated[str, typer.Argument(help="Id of the knowledge entry that is no longer true.")],
    valid_until: Annotated[
        str | None, typer.Option("--valid-until", help="ISO 8601 time it stopped being true (default: now).")
    ] = None,
    target: Target = Target(),
    as_json: JsonOpt = False,
) -> None:
    """Mark a fact as no longer true: it leaves current knowledge and stays in its history with its end."""
    with target.memory() as memo:
        closed = memo.invalidate_knowledge(fact_id, valid_until)
    if as_json:
        _print_json(closed)
    else:
        _print_fact(closed)


@app.command()
@with_target
def stats(
    target: Target = Target(),
    as_json: JsonOpt = False,
) -> None:
    """Counts per tier, segments, knowledge, storage and LLM usage of a user."""
    with target.memory() as memo:
        result = memo.stats()
    if as_json:
        _print_json(result)
    else:
        from .interfaces.stats_text import stats_lines

        for line in stats_lines(result):
            out.print(_line(line))


@app.command()
@with_target
def delete(
    page_id: Annotated[str, typer.Argument(help="Id of the page to delete.")],
    target: Target = Target(),
    as_json: JsonOpt = False,
) -> None:
    """Delete one page (exchange) of a user by id."""
    with target.memory() as memo:
        memo.delete_memory(page_id)
        uid = memo.scope.user_id
    if as_json:
        _print_json({"deleted": page_id, "user_id": uid})
    else:
        typer.echo(visible(f"deleted {page_id}"))


@app.command("forget-user")
@with_target
def forget_user(
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    target: Target = Target(),
    as_json: JsonOpt = False,
) -> None:
    """Delete everything of a user: pages, segments, profile and knowledge."""
    with target.memory() as memo:
        uid = memo.scope.user_id
        if not yes and not typer.confirm(f"Delete all memory of user {uid!r}?", err=True):
            raise typer.Exit(1)
        removed = memo.forget_user()
    if as_json:
        _print_json({"user_id": uid, "pages_deleted": removed})
    else:
        typer.echo(visible(f"forgot user {uid}: {plural(removed, 'page')} deleted"))


@app.command("import")
@with_target
def import_(
    file: Annotated[
        Path,
        typer.Argument(
            help="JSON, JSONL, LoCoMo or memoryos-export file, or a data directory of the original MemoryOS.",
            exists=True,
        ),
    ],
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            help="auto, json, jsonl, locomo, export or memoryos-original (auto: from the content).",
        ),
    ] = "auto",
    conversation: Annotated[
        list[int] | None,
        typer.Option("--conversation", "-n", help="LoCoMo: import only this conversation (0-based; repeatable)."),
    ] = None,
    batch_size: Annotated[int, typer.Option(min=1, help="Texts embedded per batch.")] = 64,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    target: Target = Target(),
    as_json: JsonOpt = False,
) -> None:
    """Bulk-import conversations. Re-running skips what is already imported (an interrupted import resumes).

    JSON: a list of {user_input, agent_response, timestamp?, meta_data?, ttl?}; JSONL: one such object a line;
    LoCoMo: speaker_a is the user, each conversation becomes the user named by its sample_id unless --user is
    given; export: the output of `memoryos export`, restored into an empty user (its own user unless --user);
    memoryos-original: the original MemoryOS's data_storage_path (users/*/, assistants/*/), every user or --user,
    with --assistant's knowledge (default: its only assistant); a user already imported is skipped.
    """
    from .interfaces import import_files
    from .original_format import ORIGINAL_FORMAT, looks_like_original

    if fmt not in import_files.FORMATS:
        raise typer.BadParameter(f"must be one of {', '.join(import_files.FORMATS)}", param_hint="--format")
    if fmt == ORIGINAL_FORMAT or (fmt == "auto" and looks_like_original(file)):
        _import_original(file, target, batch_size, quiet or as_json, as_json)
        return
    with _errors():
        source = import_files.read_source(file, fmt, conversation)  # type: ignore[arg-type]
    settings = target.settings()
    reports = []
    if source.export is not None:
        dump = source.export
        with _memory(
            settings,
            user_id=target.user or dump.get("user_id"),
            assistant_id=target.assistant or dump.get("assistant_id"),
        ) as memo:
            reports.append(import_files.import_export(memo, dump))
    else:
        from .interfaces.settings import effective_config

        with _errors():  # every record of every user is checked before anything is written
            limits = effective_config(settings)
            import_files.check_records(source.records, limits.max_input_chars, limits.max_meta_data_bytes)
        groups: dict[str | None, list[import_files.Record]] = {}
        for record in source.records:
            groups.setdefault(None if target.user else record.user_id, []).append(record)
        with _progress(quiet or as_json) as progress:
            for uid, records in groups.items():
                task = progress.add_task(
                    visible(f"importing into {uid or settings.get('user_id', 'default user')}"), total=len(records)
                )
                reports.append(
                    _import_group(settings, uid, records, batch_size, lambda n, t=task: progress.advance(t, n))
                )
    for report in reports:
        report.format = source.format
    if as_json:
        _print_json([r.to_dict() for r in reports])
    else:
        for r in reports:
            typer.echo(
                visible(f"{r.user_id}: {r.imported} imported, {r.skipped} already there ({r.total} in {file.name})")
            )


def _import_original(directory: Path, target: Target, batch_size: int, quiet: bool, as_json: bool) -> None:
    from .interfaces.settings import effective_config
    from .migrate import import_original

    settings = target.settings()
    with _errors(), _progress(quiet) as progress:
        task = progress.add_task(visible(f"importing {directory.name or directory}"), total=None)
        report = import_original(
            directory,
            users=[target.user] if target.user else None,
            assistant_id=target.assistant,
            config=effective_config(settings),
            batch_size=batch_size,
            progress=lambda done, total: progress.update(task, completed=done, total=total),
        )
    if as_json:
        _print_json(report.to_dict())
        return
    for note in report.notes:
        err.print(_line(("note:", "yellow"), " ", note))
    for user in report.users:
        for note in user.notes:
            err.print(_line(("note:", "yellow"), " ", f"{user.user_id}: {note}"))
        if user.status != "imported":
            typer.echo(visible(f"{user.user_id}: already imported, skipped"))
            continue
        typer.echo(
            visible(
                f"{user.user_id}: {user.short_term_pages + user.mid_term_pages} pages ({user.short_term_pages} "
                f"short-term, {user.mid_term_pages} mid-term in {user.segments} segment"
                f"{'' if user.segments == 1 else 's'}), "
                f"{'a profile' if user.profile_versions else 'no profile'}, {user.user_knowledge} user and "
                f"{user.assistant_knowledge} assistant knowledge entries (assistant {user.assistant_id})"
            )
        )


def _import_group(settings: dict[str, Any], uid: str | None, records: list[Any], batch_size: int, advance: Any) -> Any:
    from .interfaces import import_files
    from .interfaces.settings import effective_config
    from .memoryos import make_embedder

    overrides: dict[str, Any] = {"user_id": uid} if uid else {}
    config = effective_config({**settings, **overrides})
    prefetcher = import_files.PrefetchEmbedder(lambda: make_embedder(config))
    with _memory(settings, embedder=prefetcher, **overrides) as memo:
        report = import_files.import_records(memo, records, prefetcher, batch_size, advance)
        memo.flush()
    return report


@contextmanager
def _progress(disable: bool) -> Iterator[Any]:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    description = TextColumn("{task.description}", markup=False)  # descriptions name users: never markup
    columns = (description, BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err, disable=disable) as progress:
        yield progress


@app.command()
@with_target
def export(
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file (default: stdout).")] = None,
    target: Target = Target(),
) -> None:
    """Everything of a user as JSON (pages with tier, segments, profile versions, knowledge); re-importable."""
    with target.memory() as memo:
        dump = memo.export()
    if output is None:
        typer.echo(json_for_terminal(dump))
    else:
        with _errors():
            output.write_text(json.dumps(dump, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        err.print(_line(f"exported {plural(len(dump['pages']), 'page')} of {dump['user_id']} to {output}"))


@app.command()
@with_target
def chat(
    relationship: Annotated[str, typer.Option(help="How the assistant relates to the user.")] = "friend",
    style: Annotated[str, typer.Option(help="A style hint for the answers.")] = "",
    target: Target = Target(),
) -> None:
    """Chat with an assistant that remembers (needs an OpenAI-compatible LLM). /exit or an empty line quits."""
    from .interfaces.settings import effective_config

    settings = target.settings()
    with _errors():
        if not effective_config(settings).llm_enabled:
            raise LLMNotConfigured("memoryos chat")
    interactive = sys.stdin.isatty()
    with _memory(settings, background_upkeep=True) as memo:
        if interactive:
            err.print(_line(f"memoryos chat with memory of {memo.scope.user_id!r}; /exit or an empty line quits"))
        while True:
            line = _read_line("you> " if interactive else "")
            if line is None or not line.strip() or line.strip() in ("/exit", "/quit"):
                break
            try:
                answer = memo.get_response(line.strip(), relationship_with_user=relationship, style_hint=style)
            except MemoryosError as exc:
                _error(exc)
                continue
            typer.echo(visible(f"assistant> {answer}" if interactive else answer))
        memo.flush(timeout=60)


def _read_line(prompt: str) -> str | None:
    try:
        return input(prompt) if prompt else sys.stdin.readline() or None
    except EOFError:
        return None


@app.command()
@with_target
def mcp(
    transport: Annotated[str, typer.Option("--transport", "-t", help="stdio or http (streamable HTTP).")] = "stdio",
    host: Annotated[str, typer.Option(help="HTTP: interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="HTTP: port.")] = 8765,
    path: Annotated[str, typer.Option(help="HTTP: endpoint path.")] = "/mcp",
    sampling: Annotated[
        bool, typer.Option(help="Without a configured LLM, ask the client's model (MCP sampling) if it can.")
    ] = True,
    log_level: Annotated[str, typer.Option(help="DEBUG, INFO, WARNING or ERROR.")] = "INFO",
    log_file: Annotated[str | None, typer.Option(help="Log to this file instead of stderr.")] = None,
    token: Annotated[
        list[str] | None,
        typer.Option("--token", envvar="MEMORYOS_TOKEN", help="HTTP: a bearer token that may reach every user."),
    ] = None,
    tokens_file: Annotated[
        Path | None,
        typer.Option(help='HTTP: JSON {"tokens": {"<token>": ["alice", "bob"] or "*"}}: per-token user ids.'),
    ] = None,
    allowed_host: AllowedHostOpt = None,
    max_body_bytes: MaxBodyOpt = None,
    max_concurrent_calls: MaxCallsOpt = None,
    max_concurrent_searches: MaxSearchesOpt = None,
    target: Target = Target(),
) -> None:
    """Serve memory to agents over MCP: stdio (Claude Desktop, Cursor, Cline, VS Code) or streamable HTTP.

    Nothing but protocol messages goes to stdout; logs go to stderr or --log-file. Over HTTP, a server bound
    beyond 127.0.0.1, or given tokens, requires `Authorization: Bearer <token>`.
    """
    if transport not in ("stdio", "http"):
        raise typer.BadParameter("must be stdio or http", param_hint="--transport")
    _log_to(log_level, log_file)
    try:
        from .interfaces.mcp_server import MemoryServer
    except ImportError as exc:
        _error(f"memoryos mcp needs the MCP SDK: pip install 'memoryos[mcp]' ({exc})")
        raise typer.Exit(2) from exc
    settings = _with_max_calls(target.settings(), max_concurrent_calls, max_concurrent_searches)
    with _errors():
        server = MemoryServer(settings, sampling=sampling, tokens=_token_policy(token, tokens_file))
        try:
            server.serve(
                transport,  # type: ignore[arg-type]
                host=host,
                port=port,
                path=path,
                allowed_hosts=allowed_host or (),
                max_body_bytes=max_body_bytes,
            )
        except KeyboardInterrupt:
            logging.getLogger(__name__).info("stopped")


@app.command()
def serve(
    host: Annotated[
        str, typer.Option(help="Interface to listen on. Anything but loopback requires a token.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    token: Annotated[
        list[str] | None,
        typer.Option(
            "--token",
            envvar="MEMORYOS_TOKEN",
            help="A bearer token that may access every user (repeatable; prefer the environment variable, "
            "command lines are visible to other local users).",
        ),
    ] = None,
    tokens_file: Annotated[
        Path | None,
        typer.Option("--tokens-file", help='JSON {"tokens": {"<token>": ["alice", "bob"], "<other>": "*"}}.'),
    ] = None,
    workers: Annotated[int, typer.Option(min=1, help="uvicorn worker processes (PostgreSQL to scale out).")] = 1,
    max_concurrent_calls: MaxCallsOpt = None,
    max_concurrent_searches: MaxSearchesOpt = None,
    allowed_host: AllowedHostOpt = None,
    max_body_bytes: MaxBodyOpt = None,
    max_import_bytes: Annotated[
        int | None,
        typer.Option(min=1, help="Largest body of POST .../import, in bytes (default 64 MiB or --max-body-bytes)."),
    ] = None,
    storage: Annotated[
        str | None, typer.Option("--storage", help="Storage URL (default: SQLite under --data; or postgresql://...).")
    ] = None,
    log_level: Annotated[str, typer.Option(help="DEBUG, INFO, WARNING or ERROR.")] = "INFO",
    log_file: Annotated[str | None, typer.Option(help="Log to this file instead of stderr.")] = None,
    config: ConfigOpt = None,
    user: UserOpt = None,
    assistant: AssistantOpt = None,
    data: DataOpt = None,
) -> None:
    """Serve the REST API and the web memory inspector at http://HOST:PORT/ (OpenAPI at /openapi.json)."""
    _log_to(log_level, log_file)
    try:
        from .interfaces.rest import serve as serve_rest
    except ImportError as exc:
        _error(f"memoryos serve needs FastAPI and uvicorn: pip install 'memoryos[rest]' ({exc})")
        raise typer.Exit(2) from exc
    settings = Target(config, user, assistant, data, storage).settings()  # not @with_target: its own option order
    settings = _with_max_calls(settings, max_concurrent_calls, max_concurrent_searches)
    with _errors():
        serve_rest(
            settings,
            host=host,
            port=port,
            tokens=_token_policy(token, tokens_file),
            workers=workers,
            allowed_hosts=allowed_host or (),
            max_body_bytes=max_body_bytes,
            max_import_bytes=max_import_bytes,
        )


def _with_max_calls(
    settings: dict[str, Any], max_calls: int | None, max_searches: int | None = None
) -> dict[str, Any]:
    """The servers' --max-concurrent-calls and --max-concurrent-searches over the config and environment, checked
    like every setting."""
    pairs = (("max_concurrent_calls", max_calls), ("max_concurrent_searches", max_searches))
    given = {k: v for k, v in pairs if v is not None}
    if not given:
        return settings
    from .config import build_config

    settings = {**settings, **given}
    with _errors():
        build_config(settings)
    return settings


def _log_to(log_level: str, log_file: str | None) -> None:
    """The servers' --log-level and --log-file."""
    from .interfaces.logs import LEVELS, configure_logging

    if log_level.upper() not in LEVELS:
        raise typer.BadParameter(f"must be one of {', '.join(LEVELS)}", param_hint="--log-level")
    configure_logging(log_level, log_file)


def _token_policy(tokens: list[str] | None, tokens_file: Path | None) -> TokenPolicy:
    """The servers' --token (every user) and --tokens-file (per-token users), merged."""
    from .interfaces.auth import TokenPolicy

    policy = TokenPolicy.from_tokens(tokens or [])
    return policy.merged(TokenPolicy.from_file(tokens_file)) if tokens_file is not None else policy


@app.command()
@with_target
def check(
    repair: Annotated[
        bool, typer.Option("--repair", help="Rebuild derived data: vectors, lexical index, counts.")
    ] = False,
    full: Annotated[
        bool, typer.Option("--full", help="Re-embed every page to compare vectors (not a sample).")
    ] = False,
    target: Target = Target(),
    as_json: JsonOpt = False,
) -> None:
    """Verify a user's memory: tiers, segments, chain links, counts, vectors against texts, lexical index."""
    sample = None if full else 200
    with target.memory() as memo, _progress(as_json) as progress:
        task = progress.add_task("checking: embedding pages again", total=None)

        def follow(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        problems = memo.check(sample=sample, progress=follow)
        repaired = None
        if repair and problems:
            progress.reset(task, description="repairing: embedding every page again", total=None)
            repaired = memo.repair(progress=follow)
            progress.reset(task, description="checking the repair", total=None)
        remaining = memo.check(sample=sample, progress=follow) if repaired is not None else problems
    if as_json:
        _print_json({"problems": problems, "repaired": repaired, "remaining": remaining})
    else:
        for line in problems:
            out.print(_line(f"problem: {line}"))
        if repaired is not None:
            out.print(_line(f"repaired: {repaired}"))
        out.print(_line("ok" if not remaining else f"{plural(len(remaining), 'problem')} remain"))
    if remaining:
        raise typer.Exit(1)


@app.command()
def doctor(
    config: ConfigOpt = None,
    timeout: Annotated[float, typer.Option(min=1, help="Seconds to wait for each request.")] = 20.0,
    as_json: JsonOpt = False,
) -> None:
    """Call the configured LLM endpoint once and report what works: reachable, auth, model, JSON mode,
    reasoning blocks, latency. Exit status 1 when upkeep could not use it."""
    from .interfaces.settings import effective_config
    from .providers.probe import probe_llm

    with _errors():
        report = probe_llm(effective_config(Target(config).settings()), timeout=timeout)
    if as_json:
        _print_json(report.to_dict())
    else:
        out.print(_line(("LLM endpoint ", "bold"), report.endpoint, "  model ", report.model))
        marks = {True: ("ok", "green"), False: ("FAIL", "red"), None: ("note", "yellow")}
        for check in report.checks:
            out.print(_line(f"  {check.name:<11}", marks[check.ok], "  ", check.detail))
        out.print(_line("usable for upkeep" if report.ok else "not usable: memoryos degrades to extractive mode"))
    if not report.ok:
        raise typer.Exit(1)


@app.command()
def migrate(
    source: Annotated[str, typer.Option("--from", help="Source storage URL, e.g. sqlite:///data/memoryos.db.")],
    target: Annotated[str, typer.Option("--to", help="Target storage URL, e.g. postgresql://user@host/db.")],
    user: Annotated[str | None, typer.Option("--user", "-u", help="Copy only this user (default: everyone).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Copy memory between backends; verified by counts and an export comparison of every copied user."""
    from .migrate import copy_memory

    with _errors():
        report = copy_memory(source, target, user_id=user)
    if as_json:
        _print_json({"scopes": report.scopes, "pages": report.pages})
    else:
        for scope in report.scopes:
            n = {key: value if isinstance(value, int) else 0 for key, value in scope.items()}
            counts = [plural(n["pages"], "page"), plural(n["segments"], "segment")]
            counts.append(plural(n["knowledge"], "knowledge entry", "knowledge entries"))
            out.print(_line(f"copied {scope['user_id']}/{scope['assistant_id']}: {', '.join(counts)}, verified"))
        out.print(_line(f"{plural(len(report.scopes), 'user')}, {plural(report.pages, 'page')}"))


@app.command(
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True, "allow_interspersed_args": False}
)
def bench(
    name: Annotated[str, typer.Argument(help="Benchmark module: benchmarks.NAME (locomo, speed, llmcost, ...).")],
    args: Annotated[list[str] | None, typer.Argument(help="Arguments passed to the benchmark.")] = None,
) -> None:
    """Run a benchmark from a checkout: `memoryos bench locomo --help` shows the benchmark's own options."""
    from .interfaces.bench import BenchmarkMissing, run_benchmark

    try:
        code = run_benchmark(name, list(args or []))
    except BenchmarkMissing as exc:
        _error(exc)
        raise typer.Exit(2) from exc
    raise typer.Exit(code)


# ---- helpers ----


def _json_object(text: str | None, option: str) -> dict[str, Any] | None:
    if text is None:
        return None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise typer.BadParameter(f"not valid JSON: {exc}", param_hint=option) from exc
    if not isinstance(value, dict):
        raise typer.BadParameter("must be a JSON object", param_hint=option)
    return value


_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def _duration(text: str | None, option: str) -> float | None:
    """Seconds from '3600', '90m', '12h', '30d' or '2w' (the library checks the range)."""
    if text is None:
        return None
    value = text.strip().lower()
    unit = _UNITS.get(value[-1:], 0)
    try:
        number = float(value[:-1] if unit else value)
    except ValueError:
        message = "expected seconds or a number with s, m, h, d or w (e.g. 30d)"
        raise typer.BadParameter(message, param_hint=option) from None
    return number * (unit or 1)


def _iso(timestamp: float) -> str:
    from .models import iso

    return iso(timestamp)[:19].replace("T", " ")


def main() -> None:
    app()

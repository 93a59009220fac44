"""Credentials inside URLs never reach a log, an error message, `stats` or an export.

Storage URLs (`postgresql://user:PASSWORD@host/db`) and LLM or embedding endpoints
(`http://user:SECRET@host/v1?api-key=SECRET`) may carry secrets. Everything memoryos shows passes through here:

- `redact_url(url)`: the password of the userinfo and the values of credential-like query (and fragment)
  parameters become `***`; the scheme, user name, host, port, path and other parameters stay, so a log still says
  where memoryos connects and as whom.
- `redact_text(text)`: the same for every URL inside free text (error messages of drivers and clients), plus
  `password=…`-style pairs of connection strings and bare `api-key=…` parameters.
- `redact_settings(settings)`: a settings mapping for logs: secret fields masked, URL fields redacted.
- `install_log_redaction()`: the third-party loggers that print request URLs (httpx, openai, psycopg) get a
  filter that redacts their records, tracebacks included.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from urllib.parse import unquote_plus

MASK = "***"

# parameter names (lower case, without "-" and "_") whose values are secrets; and name parts that make one
_SECRET_NAMES = frozenset(
    {"key", "apikey", "sig", "signature", "pwd", "pass", "passwd", "password", "secret", "token", "auth"}
)
_SECRET_PARTS = ("password", "passwd", "secret", "token", "apikey", "accesskey", "signature", "credential", "auth")
# settings fields shown as *** when set: a word of their name (split on "_") is one of these
_SECRET_FIELD_WORDS = frozenset({"key", "apikey", "token", "secret", "password", "passwd", "credential", "credentials"})

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")
# a URL inside text: scheme:// up to whitespace or an angle bracket; quotes are allowed inside (a password may hold
# one) and trailing punctuation is given back
_URL_IN_TEXT = re.compile(r"\b[A-Za-z][A-Za-z0-9+.\-]*://[^\s<>]+")
_TRAILING = "'\".,;:)]}>"
# name=value pairs outside URLs: libpq connection strings (password='x y'), query strings in messages (?api-key=x)
# (an unquoted value runs to whitespace, "&" or ";": better a closing bracket masked too than a secret's tail shown)
_PAIR = re.compile(r"(?<![\w\-])([A-Za-z][\w\-]*)(\s*=\s*)('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|[^\s&;]+)")


def is_secret_name(name: str) -> bool:
    """Whether a parameter called `name` carries a credential (case, `-` and `_` do not matter)."""
    squeezed = unquote_plus(name).lower().replace("-", "").replace("_", "")
    return squeezed in _SECRET_NAMES or any(part in squeezed for part in _SECRET_PARTS)


def _redact_params(params: str) -> str:
    pieces = re.split(r"([&;])", params)
    for i in range(0, len(pieces), 2):
        name, eq, _value = pieces[i].partition("=")
        if eq and is_secret_name(name):
            pieces[i] = f"{name}={MASK}"
    return "".join(pieces)


def redact_url(url: str) -> str:
    """`url` with the userinfo password and credential-like query and fragment parameters replaced by `***`.

    `postgresql://memoryos:pw@db:5432/mem?sslmode=require&password=pw` → `postgresql://memoryos:***@db:5432/mem?
    sslmode=require&password=***`. Anything that is not a URL is returned with the same rules applied as far as
    they go. Malformed URLs err on the side of hiding: a password holding `/`, `?` or `#` unencoded is still
    masked up to the last `@`."""
    if not isinstance(url, str):
        return url
    scheme = _SCHEME.match(url)
    if scheme is None:
        return redact_text(url) if ("=" in url or "://" in url) else url
    prefix, rest = url[: scheme.end()], url[scheme.end() :]
    end = _first(rest, "/?#")
    at = rest.rfind("@", 0, end)
    if at < 0 and ":" in rest[:end] and "@" in rest[end : _first(rest, "?#", end)]:
        # "user:pa/ss@host": a password holding "/" unencoded; whatever it is, hide up to the last "@" before any
        # query (this also masks the port of a URL with "@" in its path: better mangled than leaked)
        at = rest.rfind("@", 0, _first(rest, "?#", end))
    userinfo = ""
    if at >= 0:
        user, colon, _password = rest[:at].partition(":")
        userinfo, rest = (f"{user}:{MASK}@" if colon else f"{user}@"), rest[at + 1 :]
    cut = _first(rest, "?#")
    head, tail = rest[:cut], rest[cut:]
    if tail.startswith("?"):
        query, hash_, fragment = tail[1:].partition("#")
        tail = "?" + _redact_params(query) + hash_ + _redact_params(fragment)
    elif tail:
        tail = "#" + _redact_params(tail[1:])
    return f"{prefix}{userinfo}{head}{tail}"


def _first(text: str, chars: str, start: int = 0) -> int:
    """Index of the first of `chars` in `text` from `start`, or len(text)."""
    found = [i for i in (text.find(ch, start) for ch in chars) if i >= 0]
    return min(found) if found else len(text)


def redact_text(text: str) -> str:
    """Free text (an error message, a log line) with every URL redacted and every credential-like `name=value`
    pair (connection strings, query strings) masked."""
    if not isinstance(text, str) or not text:
        return text

    def url(match: re.Match[str]) -> str:
        found = match.group()
        kept = found.rstrip(_TRAILING)
        return redact_url(kept) + found[len(kept) :]

    def pair(match: re.Match[str]) -> str:
        name, eq, _value = match.groups()
        return f"{name}{eq}{MASK}" if is_secret_name(name) else match.group()

    return _PAIR.sub(pair, _URL_IN_TEXT.sub(url, text))


def redact_settings(settings: Mapping[str, object]) -> dict[str, object]:
    """A settings mapping fit for a log line: fields named like secrets are `***` when set, URLs are redacted,
    and nested mappings get the same treatment."""
    shown: dict[str, object] = {}
    for name, value in settings.items():
        if value is None or value == "":
            shown[name] = value
        elif _SECRET_FIELD_WORDS.intersection(name.lower().split("_")):
            shown[name] = MASK
        elif isinstance(value, Mapping):
            shown[name] = redact_settings(value)
        elif isinstance(value, str):
            shown[name] = redact_url(value) if _SCHEME.match(value) else redact_text(value)
        else:
            shown[name] = value
    return shown


class RedactingFilter(logging.Filter):
    """Redacts a record's message (and its traceback) in place; never drops a record."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken record is the handler's business
            return True
        redacted = redact_text(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and not record.exc_text:
            # formatted here only when the traceback holds something to hide; otherwise the handler's own
            # formatter does it as usual
            text = self._formatter.formatException(record.exc_info)
            if redact_text(text) != text:
                record.exc_text = redact_text(text)
        elif record.exc_text:
            record.exc_text = redact_text(record.exc_text)
        if record.stack_info:
            record.stack_info = redact_text(record.stack_info)
        return True


_FILTER = RedactingFilter()
# loggers of the libraries memoryos hands URLs to, which print request URLs or connection errors
THIRD_PARTY_LOGGERS = ("httpx", "httpx2", "httpcore", "openai", "openai._base_client", "psycopg", "psycopg.pool")
# memoryos's own loggers that write foreign exceptions (their texts and tracebacks) as they are
OWN_LOGGERS = (
    "memoryos",
    "memoryos.upkeep.worker",
    "memoryos.providers.llm",
    "memoryos.interfaces.pool",
    "memoryos.interfaces.warmup",
    "memoryos.interfaces.rest_errors",
    "memoryos.interfaces.mcp_server",
    "memoryos.storage.postgres",
)


def install_log_redaction(*names: str) -> None:
    """Attach the redacting filter to these loggers (default: the third-party and memoryos loggers above);
    idempotent. Importing memoryos does it once; handlers of the shells carry the filter too."""
    for name in names or (*THIRD_PARTY_LOGGERS, *OWN_LOGGERS):
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)


def install_log_redaction_for(client: object) -> None:
    """The HTTP library under an `openai` client (httpx or a fork of it) logs every request URL: redact the
    logger of whichever library this client really uses."""
    inner = getattr(client, "_client", None)
    for cls in type(inner).__mro__:
        package = cls.__module__.split(".")[0]
        if package not in ("openai", "builtins"):
            install_log_redaction(package)
            return


def redacting_filter() -> logging.Filter:
    """The filter itself, for handlers (the shells put it on theirs, so every record they write is redacted)."""
    return _FILTER

"""Bearer tokens for the HTTP shells (the REST API and the HTTP MCP transport), independent of any web framework.

The rule: a server bound to a loopback address with no token configured is open (a developer's own machine);
anything else requires `Authorization: Bearer <token>`, and each token names the user ids it may reach ("*" for
all). A server that would be reachable from elsewhere without a token refuses to start. Token values never
appear in logs, errors or reprs.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from ..errors import ConfigError

log = logging.getLogger(__name__)

ALL_USERS = "*"
MIN_TOKEN_LENGTH = 8


class AuthError(Exception):
    """A request that may not proceed. Like `MemoryosError`s, it carries what an HTTP shell answers with:
    `http_status` and `code`."""

    http_status: ClassVar[int] = 401
    code: ClassVar[str] = "unauthorized"


class Unauthorized(AuthError):
    """No token, a malformed header or an unknown token."""


class Forbidden(AuthError):
    """A valid token that does not cover the requested user."""

    http_status = 403
    code = "forbidden"


@dataclass(frozen=True)
class Grant:
    """What one authenticated request may reach."""

    users: frozenset[str] | None  # None: every user
    label: str  # safe to log: never the token itself

    def allows(self, user_id: str) -> bool:
        return self.users is None or user_id in self.users

    def visible(self, user_ids: Iterable[str]) -> list[str]:
        return [u for u in user_ids if self.allows(u)]


OPEN = Grant(users=None, label="open (loopback, no token configured)")


def _digest(token: str) -> bytes:
    # comparing fixed-length digests keeps the comparison constant-time even across token lengths
    return hashlib.sha256(token.encode("utf-8")).digest()


class TokenPolicy:
    """Tokens and the users each may reach. Build it with `from_mapping`, `from_file` or `from_tokens`."""

    def __init__(self, grants: Mapping[str, Iterable[str] | str] | None = None) -> None:
        self._entries: list[tuple[bytes, Grant]] = []
        for number, (token, users) in enumerate((grants or {}).items(), start=1):
            if not isinstance(token, str) or len(token.strip()) < MIN_TOKEN_LENGTH or token != token.strip():
                raise ConfigError(
                    f"token #{number} is unusable: tokens need at least {MIN_TOKEN_LENGTH} characters "
                    "and no surrounding whitespace"
                )
            self._entries.append((_digest(token), Grant(_user_set(users, number), f"token #{number}")))

    @classmethod
    def from_mapping(cls, data: object, source: str = "tokens") -> TokenPolicy:
        """`{"tokens": {"<token>": ["alice", "bob"], "<other>": "*"}}` (or the inner mapping alone)."""
        if isinstance(data, Mapping) and "tokens" in data:
            data = data["tokens"]
        if not isinstance(data, Mapping):
            raise ConfigError(f'{source}: expected an object mapping each token to a list of user ids or "*"')
        return cls(data)

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> TokenPolicy:
        file = Path(path)
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise ConfigError(f"token file {file} does not exist") from exc
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"cannot read token file {file}: {exc.__class__.__name__}") from exc
        except json.JSONDecodeError as exc:
            # the position only: the message could quote part of a secret
            raise ConfigError(f"token file {file} is not valid JSON (line {exc.lineno})") from None
        return cls.from_mapping(data, f"token file {file}")

    @classmethod
    def from_tokens(cls, tokens: Iterable[str]) -> TokenPolicy:
        """Tokens that may reach every user (e.g. `--token`)."""
        return cls(dict.fromkeys(tokens, ALL_USERS))

    def digests(self) -> list[dict[str, object]]:
        """The policy without the tokens themselves (SHA-256 digests), e.g. to hand it to worker processes."""
        return [
            {"sha256": digest.hex(), "users": None if grant.users is None else sorted(grant.users)}
            for digest, grant in self._entries
        ]

    @classmethod
    def from_digests(cls, entries: Iterable[Mapping[str, object]]) -> TokenPolicy:
        policy = cls()
        for number, entry in enumerate(entries, start=1):
            users = entry.get("users")
            if users is not None and not isinstance(users, (list, tuple)):
                raise ConfigError(f"token #{number}: users must be a list of user ids")
            allowed = None if users is None else frozenset(str(u) for u in users)
            policy._entries.append((bytes.fromhex(str(entry["sha256"])), Grant(allowed, f"token #{number}")))
        return policy

    def merged(self, other: TokenPolicy) -> TokenPolicy:
        combined = TokenPolicy()
        entries = [*self._entries, *other._entries]
        combined._entries = [(d, Grant(g.users, f"token #{n}")) for n, (d, g) in enumerate(entries, start=1)]
        return combined

    def __bool__(self) -> bool:
        return bool(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"TokenPolicy({len(self._entries)} token(s))"

    def match(self, token: str) -> Grant | None:
        """The grant of a presented token, comparing against every configured token in constant time."""
        presented = _digest(token)
        found: Grant | None = None
        for digest, grant in self._entries:
            if hmac.compare_digest(presented, digest) and found is None:
                found = grant  # no early exit: timing does not tell which entry matched
        return found


def _user_set(users: Iterable[str] | str, number: int) -> frozenset[str] | None:
    if users == ALL_USERS:
        return None
    if isinstance(users, str) or not isinstance(users, Iterable):
        raise ConfigError(f'token #{number}: users must be a list of user ids or "*"')
    listed = list(users)
    if not listed or not all(isinstance(u, str) and u for u in listed):
        raise ConfigError(f'token #{number}: users must be a non-empty list of user ids or "*"')
    return None if ALL_USERS in listed else frozenset(listed)


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name other than localhost could resolve anywhere


class Authenticator:
    """Applies the rule to one request's Authorization header and the user it wants to reach."""

    def __init__(self, policy: TokenPolicy | None, host: str = "127.0.0.1") -> None:
        self.policy = policy or TokenPolicy()
        self.required = bool(self.policy) or not is_loopback(host)
        if self.required and not self.policy:
            raise ConfigError(
                f"refusing to serve on {host} without a token: anyone who can reach it could read every user's "
                "memory. Configure a token (--token / --tokens-file) or bind 127.0.0.1."
            )

    def authenticate(self, authorization: str | None) -> Grant:
        if not self.required:
            return OPEN
        if not authorization:
            raise Unauthorized("this server requires an 'Authorization: Bearer <token>' header")
        scheme, _, token = authorization.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("the Authorization header must be 'Bearer <token>'")
        grant = self.policy.match(token.strip())
        if grant is None:
            log.info("rejected a request with an unknown bearer token")
            raise Unauthorized("the bearer token is not valid")
        return grant

    def authorize(self, authorization: str | None, user_id: str) -> Grant:
        grant = self.authenticate(authorization)
        if not grant.allows(user_id):
            log.info("%s may not reach user %r", grant.label, user_id)
            raise Forbidden(f"this token may not access the memory of user {user_id!r}")
        return grant

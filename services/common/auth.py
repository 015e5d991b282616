"""Bearer tokens: who is calling (a firm, a provider, an operator) and as whom.

Tokens are never in code. They come from a JSON file (``WELFARE_TOKENS_FILE``)
or the environment (``WELFARE_TOKENS``, the same JSON), which stores only
their SHA-256 digests::

    {"tokens": [{"sha256": "<hex>", "role": "firm", "subject": "ceramiche-rossi",
                 "issued_at": "2027-01-10T09:00:00+00:00",
                 "expires_at": "2027-04-10T09:00:00+00:00"}]}

``issued_at`` and ``expires_at`` are optional (files written before they
existed have neither); a token past its ``expires_at`` is refused with 401
saying so. ``welfare tokens issue`` creates a token, prints it once and records
its digest; ``welfare tokens list`` and ``revoke`` read and edit the file.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import json
import logging
import os
import secrets
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

from fastapi import Depends, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from services.common.access_log import note_caller
from services.common.i18n import N_
from services.common.refusals import Worded
from services.common.settings import Settings

log = logging.getLogger(__name__)


class Role(StrEnum):
    FIRM = "firm"
    PROVIDER = "provider"
    OPERATOR = "operator"


@dataclass(frozen=True)
class Principal:
    role: Role
    subject: str  # the firm id, the provider id, or the operator's name


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class StoredToken:
    """One entry of the tokens file: never the token, only its digest."""

    sha256: str
    principal: Principal
    issued_at: datetime | None = None
    expires_at: datetime | None = None

    def expired(self, now: datetime) -> bool:
        return self.expires_at is not None and now >= self.expires_at


class TokenExpired(Exception):
    """The token is known, but past its expiry: the caller is told that, not just 401."""

    def __init__(self, token: StoredToken) -> None:
        super().__init__(f"this bearer token expired at {token.expires_at.isoformat()}")
        self.token = token


# How long after a change the tokens file is read at every look-up (TokenStore):
# longer than any file system's timestamp granularity that matters here.
RACY_S = 2.0


class TokenStore:
    """Token digests from the environment and from a file; the file is read
    again when it changes, so a token issued now works without a restart, and
    one revoked now is refused from the next request on.

    Each look-up costs one ``stat`` of the file and a dict look-up: the file is
    parsed again only when its inode, size or modification time changed. It is
    replaced atomically (``issue``, ``revoke``), so a read sees the old file or
    the new one, never half of one. A file's time only moves with the kernel's
    clock tick, and a replaced file may get the inode the old one had: two
    changes of the same size in one tick would look like one. So a file changed
    less than ``RACY_S`` before it was read is read again at each look-up until
    it is older than that (as git does with its index).
    """

    def __init__(self, entries: list[dict], file: Path | None = None) -> None:
        self._fixed = _principals(entries)
        self._file = file
        self._file_stamp: tuple[int, int, int, int] | None = None
        self._from_file: list[StoredToken] = []
        self._by_digest = _by_digest(self._fixed)
        self._reading = threading.Lock()
        self._racy = False  # read less than RACY_S after it was written

    @classmethod
    def from_settings(cls, settings: Settings) -> TokenStore:
        entries = json.loads(settings.tokens).get("tokens", []) if settings.tokens else []
        store = cls(entries, settings.tokens_file)
        store.announce()
        return store

    def count(self) -> int:
        self.refresh()
        return len(self._fixed) + len(self._from_file)

    def announce(self) -> None:
        """One line at start: how many tokens, from where; loud when there are none,
        since every request would then be refused with 401 and nothing else says why."""
        source = f"the file {self._file}" if self._file else "WELFARE_TOKENS"
        if self._file is not None and not self._file.exists():
            source = f"the file {self._file}, which does not exist,"
        n = self.count()
        if n:
            log.info("%d bearer token(s) loaded from %s", n, source)
        else:
            log.warning("no bearer tokens loaded from %s: every request will be refused "
                        "with 401; issue one with `welfare tokens issue --role ROLE --subject "
                        "ID` and point WELFARE_TOKENS_FILE at its file", source)

    def _stamp(self) -> tuple[int, int, int, int] | None:
        try:
            stat = os.stat(self._file)
        except FileNotFoundError:
            return None
        return (stat.st_dev, stat.st_ino, stat.st_mtime_ns, stat.st_size)

    def stale(self) -> bool:
        """Whether the file changed since it was last read (one ``stat``)."""
        return self._file is not None and (self._racy or self._stamp() != self._file_stamp)

    def refresh(self) -> None:
        """Read the file again if it changed since it was last read."""
        if not self.stale():
            return
        with self._reading:  # one reader at a time; the others then find it read
            stamp = self._stamp()
            if stamp == self._file_stamp and not self._racy:
                return
            try:
                self._from_file = (
                    _principals(json.loads(self._file.read_text()).get("tokens", []))
                    if stamp else [])
                self._by_digest = {**_by_digest(self._from_file), **_by_digest(self._fixed)}
                self._racy = stamp is not None and time.time_ns() - stamp[2] < RACY_S * 1e9
            except (OSError, ValueError, KeyError) as exc:
                # Keep the tokens read last: a broken file must not lock everyone out
                # (said once per change of the file, not at every request).
                log.error("tokens file %s not read, keeping the %d token(s) read before: %s",
                          self._file, len(self._from_file), exc)
                self._racy = False
            self._file_stamp = stamp

    def authenticate(self, token: str, now: datetime | None = None) -> Principal | None:
        """The token's Principal; None if unknown; ``TokenExpired`` if past its expiry."""
        self.refresh()
        return self.known(token, now)

    def known(self, token: str, now: datetime | None = None) -> Principal | None:
        """As ``authenticate``, from the tokens as last read (call ``refresh`` first)."""
        # Looked up by the token's SHA-256, not the token: how long the look-up
        # takes says nothing an attacker could use to build a token that matches.
        stored = self._by_digest.get(digest(token))
        if stored is None:
            return None
        if stored.expired(now or datetime.now(UTC)):
            raise TokenExpired(stored)
        return stored.principal


def _by_digest(tokens: list[StoredToken]) -> dict[str, StoredToken]:
    # The first entry of a digest wins, as when the list was searched in order.
    found: dict[str, StoredToken] = {}
    for stored in tokens:
        found.setdefault(stored.sha256, stored)
    return found


def _principals(entries: list[dict]) -> list[StoredToken]:
    return [_stored(e) for e in entries]


def _stored(entry: dict) -> StoredToken:
    return StoredToken(entry["sha256"], Principal(Role(entry["role"]), entry["subject"]),
                       _instant(entry.get("issued_at")), _instant(entry.get("expires_at")))


def _instant(text: str | None) -> datetime | None:
    if not text:
        return None
    moment = datetime.fromisoformat(text)
    # A date or time written by hand without a zone is read as UTC, not local time.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def issue(path: Path, role: Role, subject: str, expires_at: datetime | None = None) -> str:
    """Create a token for (role, subject), store its digest in ``path``, return it.

    ``expires_at`` (timezone-aware) is when services stop accepting it; None: never.
    """
    token = secrets.token_urlsafe(32)
    entry = {"sha256": digest(token), "role": role.value, "subject": subject,
             "issued_at": datetime.now(UTC).isoformat(timespec="seconds"),
             "expires_at": expires_at.astimezone(UTC).isoformat(timespec="seconds")
             if expires_at else None}
    with _locked(path):
        data = _read(path)
        data["tokens"].append(entry)
        _replace_atomically(path, json.dumps(data, indent=2) + "\n")
    return token


def stored_tokens(path: Path) -> list[StoredToken]:
    """The entries of the tokens file, in the order they were issued."""
    return _principals(_read(path)["tokens"])


class RevokeRefused(ValueError):
    """Nothing or too much matched: the file is left as it was."""


def revoke(path: Path, *, subject: str | None = None, role: Role | None = None,
           digest_prefix: str | None = None) -> list[StoredToken]:
    """Remove the tokens of ``subject`` (of ``role`` if given), or the one token whose
    digest starts with ``digest_prefix``; return those removed. A prefix matching
    several tokens removes none: revoking someone else's token by accident is worse
    than being asked for a longer prefix."""
    if (subject is None) == (digest_prefix is None):
        raise RevokeRefused("give either a subject or a digest prefix")
    prefix = (digest_prefix or "").lower()

    def chosen(entry: dict) -> bool:
        if digest_prefix is not None:
            return entry["sha256"].startswith(prefix)
        return entry["subject"] == subject and (role is None or entry["role"] == role.value)

    with _locked(path):
        data = _read(path)
        removed = [e for e in data["tokens"] if chosen(e)]
        if not removed:
            what = (f"digest starting with {digest_prefix!r}" if digest_prefix is not None else
                    f"subject {subject!r}" + (f" and role {role.value}" if role else ""))
            raise RevokeRefused(f"no token in {path} has the {what}")
        if digest_prefix is not None and len(removed) > 1:
            raise RevokeRefused(f"{len(removed)} tokens have a digest starting with "
                                f"{digest_prefix!r}: give a longer prefix (nothing revoked)")
        data["tokens"] = [e for e in data["tokens"] if not chosen(e)]
        _replace_atomically(path, json.dumps(data, indent=2) + "\n")
    return _principals(removed)


def _read(path: Path) -> dict:
    return json.loads(path.read_text()) if path.exists() else {"tokens": []}


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive lock beside ``path``: several `welfare tokens issue` at once
    each add their token, none lost."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path.with_name(path.name + ".lock"), os.O_CREAT | os.O_RDWR, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _replace_atomically(path: Path, text: str) -> None:
    """Write a sibling file and rename it over ``path``: a reader (a service
    reloading its tokens) sees the old file or the new one, never half of one."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


_bearer = HTTPBearer(auto_error=False)


class AuthRefused(Worded, HTTPException):
    """A 401 or 403 kept as a message of the catalogue, its values and a ``code``, so
    that ``create_api`` says it in the request's language; ``detail`` is the English."""

    def __init__(self, status_code: int, code: str, message: str,
                 headers: dict[str, str] | None = None, **values: object) -> None:
        self.code = code
        self.message = message
        self.values = values
        super().__init__(status_code, detail=message.format(**values) if values else message,
                         headers=headers)


def authenticator(store: TokenStore):
    """A FastAPI dependency giving the caller's Principal, or 401."""

    async def authenticate(
        credentials: HTTPAuthorizationCredentials | None = Depends(_bearer),
    ) -> Principal:
        # On the event loop: a stat and a dict look-up (a sync dependency cost a
        # worker thread per request); the file, when it changed, is read in one.
        if store.stale():
            await asyncio.to_thread(store.refresh)
        try:
            principal = store.known(credentials.credentials) if credentials else None
        except TokenExpired as expired:
            raise AuthRefused(
                status.HTTP_401_UNAUTHORIZED, "token_expired",
                N_("this bearer token expired at {expires_at}; ask the operator for a new "
                   "one (welfare tokens issue)"),
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
                expires_at=expired.token.expires_at.isoformat(),
            ) from None
        if principal is None:
            if store.count() == 0:  # the operator's mistake, not the caller's: say it
                code = "no_tokens_configured"
                message = N_("a valid bearer token is required, and this service has none "
                             "configured (WELFARE_TOKENS_FILE or WELFARE_TOKENS)")
            else:
                code = "token_invalid" if credentials else "token_missing"
                message = N_("a valid bearer token is required")
            raise AuthRefused(status.HTTP_401_UNAUTHORIZED, code, message,
                              headers={"WWW-Authenticate": "Bearer"})
        note_caller(principal.role.value, principal.subject)  # for the access log
        return principal

    return authenticate


# "only operators may do this": the roles a refusal names, in the plural, as words
# of the catalogue (a role's value is a code, not a word).
_ALLOWED = {
    (Role.OPERATOR,): N_("only operators may do this"),
    (Role.FIRM,): N_("only firms may do this"),
    (Role.PROVIDER,): N_("only providers may do this"),
    (Role.FIRM, Role.OPERATOR): N_("only firms or operators may do this"),
    (Role.PROVIDER, Role.OPERATOR): N_("only providers or operators may do this"),
}
_SUBJECT = {
    Role.FIRM: N_("this token may not act for firm '{subject}'"),
    Role.PROVIDER: N_("this token may not act for provider '{subject}'"),
    Role.OPERATOR: N_("this token may not act for operator '{subject}'"),
}


def require_role(principal: Principal, *roles: Role) -> None:
    if principal.role not in roles:
        if tuple(roles) in _ALLOWED:
            raise AuthRefused(status.HTTP_403_FORBIDDEN, "role_forbidden", _ALLOWED[tuple(roles)])
        raise AuthRefused(status.HTTP_403_FORBIDDEN, "role_forbidden",
                          N_("only {roles} may do this"),
                          roles=" or ".join(f"{r.value}s" for r in roles))


def require_subject(principal: Principal, role: Role, subject: str) -> None:
    """A firm acts only for itself, a provider likewise; operators for anyone."""
    if principal.role == Role.OPERATOR:
        return
    if principal.role != role or principal.subject != subject:
        raise AuthRefused(status.HTTP_403_FORBIDDEN, "identity_forbidden", _SUBJECT[role],
                          subject=subject)


@contextlib.contextmanager
def no_tokens_warning() -> Iterator[None]:
    """Silence the warning that a service has no tokens, for the length of the block.

    For tools that build a service only to read it (its AsyncAPI channels, its
    Kafka ACLs): the warning is for a service that will serve. The level is put
    back, or the warning would be lost for every later service in the process.
    """
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        yield
    finally:
        log.setLevel(level)

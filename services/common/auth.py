"""Bearer tokens: who is calling (a firm, a provider, an operator) and as whom.

Tokens are never in code. They come from a JSON file (``WELFARE_TOKENS_FILE``)
or the environment (``WELFARE_TOKENS``, the same JSON), which stores only
their SHA-256 digests::

    {"tokens": [{"sha256": "<hex>", "role": "firm", "subject": "ceramiche-rossi"}]}

``welfare tokens issue`` creates a token, prints it once and records its digest.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from fastapi import Depends, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from services.common.settings import Settings


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


class TokenStore:
    """Token digests from the environment and from a file; the file is read
    again when it changes, so a token issued now works without a restart."""

    def __init__(self, entries: list[dict], file: Path | None = None) -> None:
        self._fixed = _principals(entries)
        self._file = file
        self._file_stamp: tuple[int, int] | None = None
        self._from_file: list[tuple[str, Principal]] = []

    @classmethod
    def from_settings(cls, settings: Settings) -> TokenStore:
        entries = json.loads(settings.tokens).get("tokens", []) if settings.tokens else []
        return cls(entries, settings.tokens_file)

    def _entries(self) -> list[tuple[str, Principal]]:
        if self._file is not None:
            try:
                stat = self._file.stat()
                stamp = (stat.st_mtime_ns, stat.st_size)
            except FileNotFoundError:
                stamp = None
            if stamp != self._file_stamp:
                self._from_file = (
                    _principals(json.loads(self._file.read_text()).get("tokens", []))
                    if stamp else [])
                self._file_stamp = stamp
        return self._fixed + self._from_file

    def authenticate(self, token: str) -> Principal | None:
        wanted = digest(token)
        for stored, principal in self._entries():
            if hmac.compare_digest(stored, wanted):
                return principal
        return None


def _principals(entries: list[dict]) -> list[tuple[str, Principal]]:
    return [(e["sha256"], Principal(Role(e["role"]), e["subject"])) for e in entries]


def issue(path: Path, role: Role, subject: str) -> str:
    """Create a token for (role, subject), store its digest in ``path``, return it."""
    token = secrets.token_urlsafe(32)
    data = json.loads(path.read_text()) if path.exists() else {"tokens": []}
    data["tokens"].append({"sha256": digest(token), "role": role.value, "subject": subject})
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n")
    path.chmod(0o600)
    return token


_bearer = HTTPBearer(auto_error=False)


def authenticator(store: TokenStore):
    """A FastAPI dependency giving the caller's Principal, or 401."""

    def authenticate(
        credentials: HTTPAuthorizationCredentials | None = Depends(_bearer),
    ) -> Principal:
        principal = store.authenticate(credentials.credentials) if credentials else None
        if principal is None:
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                detail="a valid bearer token is required",
                headers={"WWW-Authenticate": "Bearer"},
            )
        return principal

    return authenticate


def require_role(principal: Principal, *roles: Role) -> None:
    if principal.role not in roles:
        allowed = " or ".join(f"{r.value}s" for r in roles)
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail=f"only {allowed} may do this")


def require_subject(principal: Principal, role: Role, subject: str) -> None:
    """A firm acts only for itself, a provider likewise; operators for anyone."""
    if principal.role == Role.OPERATOR:
        return
    if principal.role != role or principal.subject != subject:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, detail=f"this token may not act for {role.value} {subject!r}"
        )

"""Who is logged in: a bearer token exchanged for a signed, HttpOnly session cookie.

The cookie (Starlette's SessionMiddleware: signed with itsdangerous, HttpOnly,
SameSite=Lax) carries only a random session id, the CSRF token and the chosen
language. The bearer token itself stays in this process's memory, never in the
browser: a copied cookie is useless once the console restarts or the person
logs out, and the token cannot be read back from it.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, replace
from pathlib import Path

from fastapi import Request

from services.common.auth import Principal
from services.common.i18n import DEFAULT_LANGUAGE, LANGUAGES
from services.common.settings import Settings

SECRET_FILE = "console-secret"


@dataclass(frozen=True)
class Login:
    token: str
    principal: Principal
    # The session's language as this request chose it: the services are asked in it
    # (services.console.apis), so that what they refuse is said in the page's language.
    language: str = DEFAULT_LANGUAGE
    # The firm's or provider's name, read once at login, for the header ("Impresa:
    # Ceramiche Rossi (MO-F0001)"); None where the service could not say it.
    name: str | None = None


class Sessions:
    """Session id -> the login behind it; in memory: the console has no database."""

    def __init__(self) -> None:
        self._logins: dict[str, Login] = {}

    def open(self, request: Request, login: Login) -> None:
        self.close(request)
        sid = secrets.token_urlsafe(32)
        self._logins[sid] = login
        request.session["sid"] = sid
        # A new CSRF token at login: one seen before logging in is worth nothing after.
        request.session["csrf"] = secrets.token_urlsafe(32)

    def close(self, request: Request) -> None:
        sid = request.session.pop("sid", None)
        if sid:
            self._logins.pop(sid, None)

    def current(self, request: Request) -> Login | None:
        sid = request.session.get("sid")
        login = self._logins.get(sid) if sid else None
        return replace(login, language=chosen_language(request)) if login else None


def chosen_language(request: Request) -> str:
    """``?lang=en`` switches and is remembered in the session; Italian first."""
    chosen = request.query_params.get("lang")
    if chosen in LANGUAGES:
        request.session["lang"] = chosen
    return request.session.get("lang", DEFAULT_LANGUAGE)


def csrf_token(request: Request) -> str:
    if "csrf" not in request.session:
        request.session["csrf"] = secrets.token_urlsafe(32)
    return request.session["csrf"]


def csrf_valid(request: Request, sent: str | None) -> bool:
    expected = request.session.get("csrf")
    return bool(expected and sent and hmac.compare_digest(expected, sent))


def session_secret(settings: Settings) -> str:
    """``WELFARE_CONSOLE_SECRET``, else one generated once into the data directory,
    so that sessions survive a restart of the console on the same machine."""
    if settings.console_secret is not None:
        return settings.console_secret.get_secret_value()
    path = Path(settings.data_dir) / SECRET_FILE
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    path.touch(mode=0o600)
    path.write_text(secret + "\n")
    return secret

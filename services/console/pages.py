"""Rendering a page: the template, the reader's language, the login and the CSRF token."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from services.common.i18n import Names, formats, words
from services.console.session import chosen_language, csrf_token
from services.console.texts import console_texts
from services.scenario.municipalities import municipalities

TEMPLATES = Path(__file__).parent / "templates"


def language_of(request: Request) -> str:
    """``?lang=en`` switches and is remembered in the session; Italian first."""
    return chosen_language(request)  # the session keeps it (services/console/session.py)


class Pages:
    def __init__(self) -> None:
        self.env = Environment(loader=FileSystemLoader(TEMPLATES),
                               autoescape=select_autoescape(["html"]),
                               trim_blocks=True, lstrip_blocks=True)
        self.env.globals.update(place_name=place_name, places=places)

    def render(self, request: Request, template: str, status: int = 200,
               login: Any = None, **context: Any) -> HTMLResponse:
        t = console_texts(language_of(request))
        html = self.env.get_template(template).render(
            _=t._, ngettext=t.ngettext, t=t, formats=formats, words=words, Names=Names,
            lang=t.language, login=login, csrf=csrf_token(request),
            path=request.url.path, request=request, **context)
        return HTMLResponse(html, status_code=status)


def place_name(code: str) -> str:
    """"Modena (036023)": the municipality's name next to its ISTAT code."""
    found = municipalities().get(code)
    return f"{found.name} ({code})" if found else code


def places(codes: list[str], most: int = 6) -> str:
    shown = ", ".join(place_name(c) for c in codes[:most])
    return shown + (f" … (+{len(codes) - most})" if len(codes) > most else "")

"""``GET /templates/{file}`` (under a service's ``/v1``): its upload kinds' templates, as files."""

# No ``from __future__ import annotations``: the route's annotations name locals
# (``names``, ``authenticate``) that FastAPI could not resolve from strings.

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path
from fastapi.responses import Response

from services.common.i18n import N_, texts
from services.common.i18n.language import language_of_request
from services.common.refusals import NotFound
from services.common.spreadsheets.columns import FileKind
from services.common.spreadsheets.templates import CSV_TYPE, XLSX_TYPE, files


def template_routes(kinds: tuple[FileKind, ...], authenticate) -> APIRouter:
    api = APIRouter(tags=["templates"])  # included in a service's /v1 router
    names = ", ".join(name for kind in kinds for name in _names(kind))

    @api.get("/templates/{file}", summary="A template to fill in: CSV or XLSX, with its "
                                          "columns explained", description=f"Files: {names}.")
    async def template(file: Annotated[str, Path(description=names)],
                       _caller: Annotated[object, Depends(authenticate)],
                       accept_language: Annotated[str | None, Header()] = None) -> Response:
        t = texts(language_of_request(accept_language))
        for kind in kinds:
            if file in _names(kind):
                content = files(kind, t)[file]
                media = XLSX_TYPE if file.endswith(".xlsx") else CSV_TYPE
                return Response(content, media_type=media, headers={
                    "Content-Disposition": f'attachment; filename="{file}"'})
        raise NotFound(N_("no template '{file}'; the templates are {names}"), file=file,
                       names=names)

    return api


def _names(kind: FileKind) -> tuple[str, ...]:
    return (f"{kind.name}.csv", f"{kind.name}-istruzioni.csv", f"{kind.name}.xlsx")

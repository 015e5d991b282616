"""A round's exports as downloads: contracts CSV/XLSX, the round report PDF, a firm's
statement PDF, a provider's award PDF (services/operator/exports builds the bytes).

The round is read through the matcher's API with the caller's token
(services/operator/adapters/rounds.py). The contracts and the report: operators only, as
the matcher's round detail is. A firm's statement: an operator, or that firm's
own token, which reads from the matcher only its own slice of a committed round
(``GET /v1/rounds/{id}/firms/{firm}``, services/matcher/adapters/round_slices.py); a
provider's award likewise. Another firm's or provider's token gets 403 before
anything is read. The language is ``?lang=it|en``, else the request's
``Accept-Language``, else Italian.
"""

# No ``from __future__ import annotations``: the routes' annotations name locals
# (``operator``) that FastAPI could not resolve from strings.

from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Query
from fastapi.responses import Response

from schemas.types import Identifier
from services.common.auth import Principal, Role, require_role, require_subject
from services.common.http import REFUSALS
from services.common.i18n import N_, Texts, texts
from services.common.i18n.language import language_of_request
from services.common.refusals import Conflict, NotFound, Word
from services.operator.adapters import exports
from services.operator.api import RoundReader, bearer_token

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_TYPE = "application/pdf"
LanguageChoice = Annotated[Literal["it", "en"] | None,
                           Query(description="it or en; else Accept-Language, else Italian")]


def _file_response(media_type: str) -> dict:
    """The OpenAPI of a download: what a 200 holds (a file, not JSON)."""
    return {200: {"content": {media_type: {}}, "description": "the file, as an attachment"}}


def downloads_router(*, authenticate: Callable[..., Principal],
                     rounds: RoundReader) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["exports"], responses=REFUSALS)

    def operator(principal: Annotated[Principal, Depends(authenticate)]) -> Principal:
        require_role(principal, Role.OPERATOR)
        return principal

    def language(lang: LanguageChoice = None,
                 accept_language: Annotated[str | None, Header()] = None) -> Texts:
        return texts(lang or language_of_request(accept_language))

    async def completed_round(round_id: Identifier,
                              _principal: Annotated[Principal, Depends(operator)],
                              token: Annotated[str, Depends(bearer_token)]) -> dict[str, Any]:
        """The round, read as the calling operator; only a completed one has contracts."""
        found = await rounds.get_round(token, round_id)
        if found is None:
            raise NotFound(N_("no round '{round_id}'"), round_id=round_id)
        if found.get("status") != "completed":
            raise Conflict(N_("round '{round_id}' is {status}: its contracts can be exported "
                              "once it has completed"),
                           round_id=round_id, status=Word(found.get("status")))
        return found

    Round = Annotated[dict, Depends(completed_round)]
    Language = Annotated[Texts, Depends(language)]
    Caller = Annotated[Principal, Depends(authenticate)]
    Token = Annotated[str, Depends(bearer_token)]

    async def round_for(principal: Principal, token: str, round_id: str, role: Role,
                        subject: str) -> dict[str, Any]:
        """The whole round for an operator; for the firm or provider itself, its slice."""
        require_role(principal, role, Role.OPERATOR)
        require_subject(principal, role, subject)
        if principal.role == Role.OPERATOR:
            return await completed_round(round_id, principal, token)
        if role == Role.FIRM:
            found = await rounds.round_of_firm(token, round_id, subject)
            if found is None:
                raise NotFound(N_("no committed round '{round_id}' with firm '{firm_id}'"),
                               round_id=round_id, firm_id=subject)
            return found
        found = await rounds.round_of_provider(token, round_id, subject)
        if found is None:
            raise NotFound(N_("no committed round '{round_id}' with a contract of provider "
                              "'{provider_id}'"), round_id=round_id, provider_id=subject)
        return found

    @router.get("/rounds/{round_id}/report.pdf", response_class=Response,
                responses=_file_response(PDF_TYPE),
                summary="The round report as PDF: outcome, contracts, firms, unmet demand")
    async def report(round_id: Identifier, detail: Round, t: Language) -> Response:
        return _file(exports.round_report_pdf(t, detail), PDF_TYPE, f"{round_id}-report.pdf")

    @router.get("/rounds/{round_id}/contracts.csv", response_class=Response,
                responses=_file_response(CSV_TYPE), summary="The round's contracts as CSV, "
                "one row per firm line (Italian: ';' and decimal comma; English: ',')")
    async def contracts_csv(round_id: Identifier,
                            detail: Round,
                            t: Language) -> Response:
        return _file(exports.contracts_csv(t, detail), CSV_TYPE, f"{round_id}-contracts.csv")

    @router.get("/rounds/{round_id}/contracts.xlsx", response_class=Response,
                responses=_file_response(XLSX_TYPE),
                summary="The round's contracts as XLSX, one row per firm line")
    async def contracts_xlsx(round_id: Identifier,
                             detail: Round,
                             t: Language) -> Response:
        return _file(exports.contracts_xlsx(t, detail), XLSX_TYPE,
                     f"{round_id}-contracts.xlsx")

    @router.get("/rounds/{round_id}/firms/{firm_id}/statement.pdf", response_class=Response,
                responses=_file_response(PDF_TYPE),
                summary="A firm's statement of the round: what it gets, at what price, "
                        "why the rest is not served and the smallest change")
    async def statement(round_id: Identifier, firm_id: Identifier, principal: Caller,
                        token: Token, t: Language) -> Response:
        detail = await round_for(principal, token, round_id, Role.FIRM, firm_id)
        # A round without the firm raises exports.NotInRound: a 404, in the reader's words.
        content = exports.firm_statement_pdf(t, detail, firm_id)
        return _file(content, PDF_TYPE, f"{round_id}-{firm_id}-statement.pdf")

    @router.get("/rounds/{round_id}/providers/{provider_id}/award.pdf", response_class=Response,
                responses=_file_response(PDF_TYPE),
                summary="A provider's award of the round: its group contracts and the "
                        "firm lines to staff")
    async def award(round_id: Identifier, provider_id: Identifier, principal: Caller,
                    token: Token, t: Language) -> Response:
        detail = await round_for(principal, token, round_id, Role.PROVIDER, provider_id)
        content = exports.provider_award_pdf(t, detail, provider_id)  # or NotInRound: 404
        return _file(content, PDF_TYPE, f"{round_id}-{provider_id}-award.pdf")

    return router


def _file(content: bytes, media_type: str, filename: str) -> Response:
    return Response(content, media_type=media_type,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


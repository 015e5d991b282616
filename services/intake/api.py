"""Intake's HTTP API: firms, their survey answers and their demand lines.

Every route needs a bearer token. A firm reads and writes only its own data;
an operator may act for any firm, except on survey answers: employee-level
data is handled by the firm alone. Pseudonyms travel only in request bodies,
never in URLs, so that no access log records them.
"""

# No ``from __future__ import annotations``: FastAPI reads the routes'
# annotations at run time, the local ``Caller`` alias among them.
import asyncio
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, File, Path, Query, UploadFile

from schemas.types import Identifier
from services.common.auth import Principal, Role, require_role, require_subject
from services.common.http import REFUSALS
from services.common.i18n import N_
from services.common.refusals import Invalid, must_match
from services.common.spreadsheets.downloads import template_routes
from services.intake.adapters.lines_csv import LINES, parse_lines
from services.intake.adapters.survey_csv import SURVEY, parse_survey
from services.intake.requests import (
    AnswerIn,
    FirmEnrolment,
    FirmView,
    FirmWithDemand,
    LineSubmission,
    Withdrawal,
    answers_for,
)
from services.intake.service_layer import demand, firms, lines, survey
from services.intake.service_layer.context import Intake, Receipt
from services.intake.service_layer.demand import FirmDemand
from services.intake.service_layer.survey import SurveyOutcome

FirmId = Annotated[Identifier, Path()]
LineId = Annotated[Identifier, Path()]
Replace = Annotated[bool, Query(
    description="drop the firm's answers not in this submission, in the same transaction")]
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
# The whole request: an upload of MAX_UPLOAD_BYTES and its multipart framing.
MAX_BODY_BYTES = MAX_UPLOAD_BYTES + 1024 * 1024
UPLOAD = ("CSV (';' or ',' separated, UTF-8 or Windows-1252, decimal comma or point) or "
          "XLSX, as Excel and LibreOffice save them; a template is at /v1/templates/")


async def upload_bytes(file: UploadFile) -> bytes:
    content = await file.read(MAX_UPLOAD_BYTES + 1)
    if len(content) > MAX_UPLOAD_BYTES:
        raise Invalid("file", N_("larger than {size} MiB"),
                      size=MAX_UPLOAD_BYTES // (1024 * 1024))
    return content


def routes(intake: Intake, authenticate: Callable, wake: Callable[[], None]) -> APIRouter:
    api = APIRouter(prefix="/v1", responses=REFUSALS)
    Caller = Annotated[Principal, Depends(authenticate)]

    async def run(use_case: Callable, *args, **kwargs):
        """Database work off the event loop; then wake the relay to publish at once."""
        result = await asyncio.to_thread(use_case, intake, *args, **kwargs)
        wake()
        return result

    def for_firm(caller: Principal, firm_id: str) -> None:
        require_subject(caller, Role.FIRM, firm_id)

    def firm_itself(caller: Principal, firm_id: str) -> None:
        require_role(caller, Role.FIRM)
        require_subject(caller, Role.FIRM, firm_id)

    @api.get("/firms", tags=["firms"], summary="List enrolled firms (operator)")
    async def list_firms(caller: Caller) -> list[str]:
        require_role(caller, Role.OPERATOR)
        return await asyncio.to_thread(firms.firm_ids, intake)

    @api.get("/demand", tags=["demand"],
             summary="Every enrolled firm with its published lines (operator)")
    async def every_firms_demand(caller: Caller) -> list[FirmWithDemand]:
        """What an operator's overview shows, in one request instead of two per firm
        (a 1k-line network has some 500 firms)."""
        require_role(caller, Role.OPERATOR)

        def read() -> list[FirmWithDemand]:
            found = []
            for firm_id in firms.firm_ids(intake):
                record = firms.firm(intake, firm_id)
                found.append(FirmWithDemand(
                    profile=FirmView(network_id=record.network_id, firm=record.profile,
                                     entity_version=record.version),
                    demand=demand.firm_demand(intake, firm_id)))
            return found

        return await asyncio.to_thread(read)

    @api.put("/firms/{firm_id}", tags=["firms"],
             summary="Enrol a firm (operator) or update its profile (operator or the firm)")
    async def put_firm(firm_id: FirmId, body: FirmEnrolment, caller: Caller) -> Receipt:
        for_firm(caller, firm_id)
        must_match("body.firm.firm_id", body.firm.firm_id, firm_id)
        return await run(firms.enrol_firm, body.network_id, body.firm,
                         may_enrol=caller.role == Role.OPERATOR)

    @api.get("/firms/{firm_id}", tags=["firms"], summary="A firm's profile")
    async def get_firm(firm_id: FirmId, caller: Caller) -> FirmView:
        for_firm(caller, firm_id)
        found = await asyncio.to_thread(firms.firm, intake, firm_id)
        return FirmView(network_id=found.network_id, firm=found.profile,
                        entity_version=found.version)

    @api.post("/firms/{firm_id}/survey", tags=["survey"],
              summary="Submit or replace employees' answers (the firm), as JSON")
    async def post_answers(firm_id: FirmId, body: list[AnswerIn], caller: Caller,
                           replace: Replace = False) -> SurveyOutcome:
        firm_itself(caller, firm_id)
        return await run(survey.submit_answers, firm_id, answers_for(firm_id, body),
                         replace_all=replace)

    @api.post("/firms/{firm_id}/survey.csv", tags=["survey"],
              summary="Submit or replace employees' answers (the firm), as a CSV or XLSX sheet",
              description=UPLOAD + "survey.xlsx. All of the file, or none.")
    async def post_survey_csv(
            firm_id: FirmId, caller: Caller,
            file: Annotated[UploadFile, File(description="survey.csv or survey.xlsx")],
            replace: Replace = False) -> SurveyOutcome:
        firm_itself(caller, firm_id)
        answers = parse_survey(await upload_bytes(file), firm_id, file.filename,
                               file.content_type)
        return await run(survey.submit_answers, firm_id, answers, replace_all=replace)

    @api.post("/firms/{firm_id}/survey/withdrawals", tags=["survey"],
              summary="Withdraw employees' answers by pseudonym (the firm)")
    async def withdraw_answers(firm_id: FirmId, body: Withdrawal, caller: Caller) -> SurveyOutcome:
        firm_itself(caller, firm_id)
        return await run(survey.withdraw_answers, firm_id, body.pseudonyms)

    @api.delete("/firms/{firm_id}/survey", tags=["survey"],
                summary="Withdraw all of the firm's answers (the firm)")
    async def withdraw_survey(firm_id: FirmId, caller: Caller) -> SurveyOutcome:
        firm_itself(caller, firm_id)
        return await run(survey.withdraw_answers, firm_id, None)

    @api.put("/firms/{firm_id}/demand/{line_id}", tags=["demand"],
             summary="Submit or replace a line the firm aggregated (at least k respondents)")
    async def put_line(firm_id: FirmId, line_id: LineId, body: LineSubmission,
                       caller: Caller) -> Receipt:
        for_firm(caller, firm_id)
        must_match("body.line.line_id", body.line.line_id, line_id)
        # In a worker thread, in one transaction with the lines of requests that came
        # meanwhile (service_layer.group_commit); then the relay publishes at once.
        receipt = await demand.put_line(intake, firm_id, body.line)
        wake()
        return receipt

    @api.delete("/firms/{firm_id}/demand/{line_id}", tags=["demand"],
                summary="Withdraw a line the firm aggregated")
    async def delete_line(firm_id: FirmId, line_id: LineId, caller: Caller) -> Receipt:
        for_firm(caller, firm_id)
        receipt = await demand.withdraw_line(intake, firm_id, line_id)
        wake()
        return receipt

    @api.post("/firms/{firm_id}/lines.csv", tags=["demand"],
              summary="Submit or replace many lines the firm aggregated, as a CSV or XLSX sheet",
              description=UPLOAD + "lines.xlsx. All of the file, or none; the firm's "
                                   "lines not in it stand.")
    async def post_lines_csv(
            firm_id: FirmId, caller: Caller,
            file: Annotated[UploadFile, File(description="lines.csv or lines.xlsx")]
    ) -> list[Receipt]:
        for_firm(caller, firm_id)
        parsed = parse_lines(await upload_bytes(file), intake.k, file.filename,
                             file.content_type)
        return await run(lines.put_lines, firm_id, parsed)

    @api.get("/firms/{firm_id}/demand", tags=["demand"],
             summary="The firm's published lines, and how many answers are withheld")
    async def get_demand(firm_id: FirmId, caller: Caller) -> FirmDemand:
        for_firm(caller, firm_id)
        return await asyncio.to_thread(demand.firm_demand, intake, firm_id)

    api.include_router(template_routes((SURVEY, LINES), authenticate))
    return api


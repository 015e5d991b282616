"""The console's routes: log in and out, the operator's, the firm's and the provider's pages.

Every page needs a session (else it goes to the login page); each person sees
only their own pages (another identity's page is 403, in words, with nothing
of it shown); every form carries the session's CSRF token, checked on POST.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import replace
from pathlib import Path
from urllib.parse import quote

import httpx
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import (
    HTMLResponse,
    JSONResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from schemas.types import Category
from services.common.auth import Role, TokenExpired, TokenStore
from services.common.i18n.words import TAGS
from services.console import files, forms
from services.console.awards import DECLINE_REASONS, award_rows
from services.console.apis import ApiRefused, Apis, ServiceDown, ServiceUrls
from services.console.charts import bar_chart, coverage_legend, demand_capacity_chart, network_map
from services.console.comparison import compare, previous_committed
from services.console.editing import line_and_offer_forms, offer_context, values_of
from services.console.network import book_of, forget, freshness, network_of
from services.console.outcome import firm_outcome
from services.console.pages import Pages, language_of
from services.console.report import build_report
from services.console.round_network import round_network
from services.console.session import Login, Sessions, csrf_valid
from services.console.texts import L_, console_texts, say

STATIC = Path(__file__).parent / "static"
COOKIE = "welfare_console"
RUNNING = ("requested", "running")


class Denied(Exception):
    """This login may not see this page: 403, and nothing of the page."""


class NoSession(Exception):
    """No login (or its token was revoked): to the login page."""


def console_app(app: FastAPI, *, tokens: TokenStore, urls: ServiceUrls, secret: str,
                client: httpx.AsyncClient) -> FastAPI:
    pages = Pages()
    sessions = Sessions()
    app.add_middleware(SessionMiddleware, secret_key=secret, session_cookie=COOKIE,
                       max_age=8 * 3600, same_site="lax", https_only=False)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    router = APIRouter(include_in_schema=False)

    def login_of(request: Request, *roles: Role) -> Login:
        login = sessions.current(request)
        if login is None:
            raise NoSession()
        if roles and login.principal.role not in roles:
            raise Denied()
        return login

    def apis(login: Login) -> Apis:
        return Apis(client, urls, login.token, login.language)

    def own(login: Login, role: Role, subject: str) -> None:
        """A firm sees only its own pages, a provider likewise; an operator any."""
        p = login.principal
        if p.role != Role.OPERATOR and (p.role != role or p.subject != subject):
            raise Denied()

    @app.exception_handler(NoSession)
    async def to_login(request: Request, _exc: NoSession) -> Response:
        return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)

    @app.exception_handler(Denied)
    async def denied(request: Request, _exc: Denied) -> Response:
        return pages.render(request, "error.html", status=403,
                            login=sessions.current(request),
                            title=L_("You may not see this page"),
                            message=L_("This page belongs to someone else. You are logged in "
                                       "with a token that may not open it."))

    @app.exception_handler(ApiRefused)
    async def refused(request: Request, exc: ApiRefused) -> Response:
        if exc.status == 401:  # the token was revoked or expired meanwhile
            sessions.close(request)
            return RedirectResponse("/login", status_code=303)
        if exc.status == 403:
            return await denied(request, Denied())
        return pages.render(request, "error.html", status=502 if exc.status >= 500 else
                            exc.status, login=sessions.current(request),
                            title=L_("A service refused the request"), detail=exc.detail,
                            message=L_("The service answered with an error; what it said is "
                                       "below."))

    @app.exception_handler(ServiceDown)
    async def down(request: Request, exc: ServiceDown) -> Response:
        return pages.render(request, "error.html", status=503, login=sessions.current(request),
                            title=L_("A service does not answer"), detail=str(exc),
                            message=L_("Try again in a minute; if it lasts, tell the "
                                       "network's operator."))

    # --- logging in and out ------------------------------------------------------
    @router.get("/login")
    async def login_page(request: Request, next: str = "/") -> Response:
        return pages.render(request, "login.html", next=_local(next), error=None)

    @router.post("/login")
    async def login(request: Request) -> Response:
        form = await request.form()
        language_of(request)
        if not csrf_valid(request, form.get("csrf")):
            return _csrf_refused(request, pages)
        token = str(form.get("token", "")).strip()
        error = None
        try:
            principal = tokens.authenticate(token) if token else None
        except TokenExpired:
            principal, error = None, L_("This token has expired: ask the network's operator "
                                        "for a new one.")
        if principal is None:
            error = error or L_("This token is not valid: check that you copied all of it.")
            return pages.render(request, "login.html", status=401, next=_local(
                str(form.get("next", "/"))), error=error)
        login = Login(token, principal, language_of(request))
        sessions.open(request, replace(login, name=await _name_of(apis(login), principal)))
        return RedirectResponse(_local(str(form.get("next", "/"))), status_code=303)

    @router.post("/logout")
    async def logout(request: Request) -> Response:
        form = await request.form()
        if not csrf_valid(request, form.get("csrf")):
            return _csrf_refused(request, pages)
        sessions.close(request)
        return RedirectResponse("/login", status_code=303)

    @router.get("/")
    async def home(request: Request) -> Response:
        login = login_of(request)
        p = login.principal
        target = {Role.OPERATOR: "/network", Role.FIRM: f"/firms/{quote(p.subject)}",
                  Role.PROVIDER: f"/providers/{quote(p.subject)}"}[p.role]
        return RedirectResponse(target, status_code=303)

    # --- the operator ------------------------------------------------------------
    @router.get("/network")
    async def overview(request: Request) -> Response:
        login = login_of(request, Role.OPERATOR)
        t = console_texts(language_of(request))
        network = await network_of(apis(login), login.token)
        weeks, table = network.demand_and_capacity()
        charts = [{"category": category,
                   "svg": demand_capacity_chart(
                       t, say(t, "Units asked and places offered per week: {category}",
                              category=_category(t, category)), weeks, per_week),
                   "rows": [(w, d, c) for w, (d, c) in per_week.items()]}
                  for category, per_week in table.items()]
        book = freshness(t, await book_of(apis(login), network.network_id))
        return pages.render(request, "overview.html", login=login, network=network,
                            charts=charts, weeks=weeks, book=book)

    @router.get("/rounds")
    async def rounds(request: Request) -> Response:
        login = login_of(request, Role.OPERATOR)
        network = await network_of(apis(login), login.token)
        listed = await apis(login).rounds(network.network_id)
        return pages.render(request, "rounds.html", login=login, network=network,
                            rounds=listed, form=_default_round_form(network), errors={})

    @router.post("/rounds")
    async def start_dry_run(request: Request) -> Response:
        login = login_of(request, Role.OPERATOR)
        form = dict(await request.form())
        if not csrf_valid(request, form.get("csrf")):
            return _csrf_refused(request, pages)
        t = console_texts(language_of(request))
        result, body = forms.dry_run(t, form)
        network = await network_of(apis(login), login.token)
        if body is None:
            listed = await apis(login).rounds(network.network_id)
            return pages.render(request, "rounds.html", status=422, login=login,
                                network=network, rounds=listed, form=form,
                                errors=result.errors)
        started = await apis(login).start_round(network.network_id, body)
        return RedirectResponse(f"/rounds/{quote(started['round_id'])}", status_code=303)

    @router.get("/rounds/{round_id}")
    async def round_page(request: Request, round_id: str, comune: str | None = None,
                         provider: str | None = None) -> Response:
        login = login_of(request, Role.OPERATOR)
        t = console_texts(language_of(request))
        detail = await apis(login).round(round_id)
        if detail["status"] in RUNNING:
            return pages.render(request, "progress.html", login=login, round=detail,
                                progress=_progress(t, detail))
        # The round as it was solved (its own lines and names), not today's network.
        network = round_network(detail)
        changes = comparison = None
        if detail["status"] == "completed":  # both asked at once: each is a round trip
            changes, comparison = await asyncio.gather(
                _changes(apis(login), round_id), _comparison(t, apis(login), detail, network))
        report = build_report(t, detail, network, comune, provider)
        figure = network_map(t, report.places, comune,
                             lambda code: f"/rounds/{quote(round_id)}?comune={code}#comune")
        firm_chart = bar_chart(t, say(t, "Coverage per firm"), report.bars)
        return pages.render(request, "round.html", login=login, round=detail, report=report,
                            map_svg=figure, firm_chart=firm_chart,
                            legend=coverage_legend(t), changes=changes,
                            comparison=comparison)

    @router.post("/rounds/{round_id}/commit")
    async def commit_dry_run(request: Request, round_id: str) -> Response:
        """Commit what the operator reviewed: this dry run's result, not a new solve."""
        login = login_of(request, Role.OPERATOR)
        form = await request.form()
        if not csrf_valid(request, form.get("csrf")):
            return _csrf_refused(request, pages)
        committed = await apis(login).commit_round(round_id)
        return RedirectResponse(f"/rounds/{quote(committed['round_id'])}", status_code=303)

    @router.get("/rounds/{round_id}/progress.json")
    async def round_progress(request: Request, round_id: str) -> Response:
        login = login_of(request, Role.OPERATOR)
        t = console_texts(language_of(request))
        detail = await apis(login).round(round_id)
        return JSONResponse({"status": detail["status"], **_progress(t, detail)})

    # --- a firm ------------------------------------------------------------------
    async def firm_page(request: Request, login: Login, firm_id: str, status: int = 200,
                        form: dict | None = None, errors: dict | None = None,
                        refused: str | None = None, saved: str | None = None,
                        upload: dict | None = None, withdrawn: str | None = None) -> Response:
        t = console_texts(language_of(request))
        profile = await apis(login).firm(firm_id)
        demand = await apis(login).firm_demand(firm_id)
        outcome = await firm_outcome(t, apis(login), profile, demand)
        # Survey answers are employee-level: the firm alone sends them (intake's rule).
        kinds = [k for k in files.FIRM_KINDS
                 if k != "survey" or login.principal.role == Role.FIRM]
        return pages.render(request, "firm.html", status=status, login=login,
                            profile=profile, demand=demand, outcome=outcome,
                            categories=[c.value for c in Category],
                            form=form or _default_line_form(demand), errors=errors or {},
                            refused=refused, saved=saved, withdrawn=withdrawn, kinds=kinds,
                            tag_codes=list(TAGS),
                            uploads=files.UPLOADS, templates=files.template_files,
                            upload=upload or {}, accepted=_flash(request, f"firm:{firm_id}"))

    @router.get("/firms/{firm_id}")
    async def firm(request: Request, firm_id: str, saved: str | None = None,
                   withdrawn: str | None = None) -> Response:
        login = login_of(request, Role.FIRM, Role.OPERATOR)
        own(login, Role.FIRM, firm_id)
        return await firm_page(request, login, firm_id, saved=saved, withdrawn=withdrawn)

    @router.post("/firms/{firm_id}/lines")
    async def add_line(request: Request, firm_id: str) -> Response:
        login = login_of(request, Role.FIRM, Role.OPERATOR)
        own(login, Role.FIRM, firm_id)
        form = values_of(await request.form())
        if not csrf_valid(request, form.get("csrf")):
            return _csrf_refused(request, pages)
        t = console_texts(language_of(request))
        result, line = forms.demand_line(t, form)
        if line is None:
            return await firm_page(request, login, firm_id, status=422, form=form,
                                   errors=result.errors)
        try:
            await apis(login).put_line(firm_id, line)
        except ApiRefused as exc:
            if exc.status not in (409, 422):
                raise
            return await firm_page(request, login, firm_id, status=422, form=form,
                                   refused=exc.detail)
        forget(login.token)
        return RedirectResponse(f"/firms/{quote(firm_id)}?saved={quote(line['line_id'])}",
                                status_code=303)

    # --- spreadsheets and downloads (helper "files") ------------------------------
    async def upload_file(request: Request, login: Login, owner: str, subject: str,
                          allowed: tuple, page) -> Response:
        """A spreadsheet to intake or supply: on success a notice of what was taken,
        on refusal the page again with each error's row and column (nothing saved)."""
        form = await request.form()
        if not csrf_valid(request, form.get("csrf")):
            return _csrf_refused(request, pages)
        t = console_texts(language_of(request))
        kind = str(form.get("kind", allowed[0] if len(allowed) == 1 else ""))
        if kind not in allowed:
            return await page(request, login, subject, status=422, upload={
                "kind": kind, "problem": say(t, "Choose what the file holds.")})
        sent, problem = await files.read_upload(t, form.get("file"))
        if sent is None:
            return await page(request, login, subject, status=422,
                              upload={"kind": kind, "problem": problem})
        target = files.UPLOADS[kind]
        try:
            answer = await apis(login).upload(target.service,
                                              target.path.format(subject=quote(subject)),
                                              sent, t.language)
        except ApiRefused as exc:
            if exc.status not in (400, 409, 413, 415, 422):
                raise
            return await page(request, login, subject, status=422, upload={
                "kind": kind, "file": sent.filename, "detail": exc.detail,
                "errors": exc.errors})
        forget(login.token)
        request.session[_FLASH] = {"for": f"{owner}:{subject}",
                                   "said": files.accepted(t, kind, answer, sent.filename)}
        return RedirectResponse(request.url.path.rsplit("/", 1)[0] + "#upload-h",
                                status_code=303)

    async def passed_on(request: Request, login: Login, service: str, path: str) -> Response:
        """A service's file, streamed back with its type and name, to the person's token."""
        found = await apis(login).download(service, path, language_of(request))
        return StreamingResponse(found.chunks(), headers=found.headers)

    @router.post("/firms/{firm_id}/upload")
    async def firm_upload(request: Request, firm_id: str) -> Response:
        login = login_of(request, Role.FIRM, Role.OPERATOR)
        own(login, Role.FIRM, firm_id)
        return await upload_file(request, login, "firm", firm_id, files.FIRM_KINDS,
                                 firm_page)

    @router.post("/providers/{provider_id}/upload")
    async def provider_upload(request: Request, provider_id: str) -> Response:
        login = login_of(request, Role.PROVIDER, Role.OPERATOR)
        own(login, Role.PROVIDER, provider_id)
        return await upload_file(request, login, "provider", provider_id, ("offers",),
                                 provider_page)

    @router.get("/templates/{file}")
    async def template(request: Request, file: str) -> Response:
        login = login_of(request)
        service = files.template_service(file)
        if service is None:
            return pages.render(request, "error.html", status=404, login=login,
                                title=L_("No such template"),
                                message=L_("The templates are linked from your page."))
        return await passed_on(request, login, service, f"/v1/templates/{quote(file)}")

    @router.get("/rounds/{round_id}/contracts.csv")
    @router.get("/rounds/{round_id}/contracts.xlsx")
    @router.get("/rounds/{round_id}/report.pdf")
    async def round_file(request: Request, round_id: str) -> Response:
        login = login_of(request, Role.OPERATOR)
        file = request.url.path.rsplit("/", 1)[1]  # one of the three paths above
        return await passed_on(request, login, "operator",
                               f"/v1/rounds/{quote(round_id)}/{file}")

    @router.get("/firms/{firm_id}/rounds/{round_id}/statement.pdf")
    async def firm_statement(request: Request, firm_id: str, round_id: str) -> Response:
        login = login_of(request, Role.FIRM, Role.OPERATOR)
        own(login, Role.FIRM, firm_id)
        return await passed_on(request, login, "operator", f"/v1/rounds/{quote(round_id)}"
                               f"/firms/{quote(firm_id)}/statement.pdf")

    @router.get("/providers/{provider_id}/rounds/{round_id}/award.pdf")
    async def provider_award(request: Request, provider_id: str, round_id: str) -> Response:
        login = login_of(request, Role.PROVIDER, Role.OPERATOR)
        own(login, Role.PROVIDER, provider_id)
        return await passed_on(request, login, "operator", f"/v1/rounds/{quote(round_id)}"
                               f"/providers/{quote(provider_id)}/award.pdf")

    # --- a provider --------------------------------------------------------------
    async def provider_page(request: Request, login: Login, provider_id: str,
                            status: int = 200, sent: str | None = None,
                            errors: dict | None = None, form: dict | None = None,
                            refused: str | None = None, upload: dict | None = None,
                            offer: dict | None = None) -> Response:
        t = console_texts(language_of(request))
        profile = await apis(login).provider(provider_id)
        offers = await apis(login).offers(provider_id)
        awards = award_rows(t, await apis(login).provider_awards(provider_id))
        return pages.render(request, "provider.html", status=status, login=login,
                            profile=profile, offers=[o.get("offer", o) for o in offers],
                            awards=awards, reasons=DECLINE_REASONS, sent=sent,
                            errors=errors or {}, form=form or {}, refused=refused,
                            templates=files.template_files, upload=upload or {},
                            accepted=_flash(request, f"provider:{provider_id}"),
                            **offer_context(offer or {}))

    @router.get("/providers/{provider_id}")
    async def provider(request: Request, provider_id: str, sent: str | None = None,
                       offer_saved: str | None = None,
                       offer_withdrawn: str | None = None) -> Response:
        login = login_of(request, Role.PROVIDER, Role.OPERATOR)
        own(login, Role.PROVIDER, provider_id)
        return await provider_page(request, login, provider_id, sent=sent, offer={
            "saved": offer_saved, "withdrawn": offer_withdrawn})

    @router.post("/providers/{provider_id}/awards/{contract_id}/answer")
    async def answer_award(request: Request, provider_id: str, contract_id: str) -> Response:
        """Accept or decline an award from the page; supply publishes the answer."""
        login = login_of(request, Role.PROVIDER, Role.OPERATOR)
        own(login, Role.PROVIDER, provider_id)
        form = dict(await request.form())
        if not csrf_valid(request, form.get("csrf")):
            return _csrf_refused(request, pages)
        t = console_texts(language_of(request))
        # What the answer names comes from the matcher's list, not from the form:
        # the page answers the award as the matcher holds it now.
        award = next((a for a in await apis(login).provider_awards(provider_id)
                      if a["contract_id"] == contract_id), None)
        if award is None or not award["answerable"]:
            return await provider_page(request, login, provider_id, status=409, refused=say(
                t, "This award can no longer be answered: a later round replaced or "
                   "withdrew it."))
        body, errors = forms.contract_answer(t, form, DECLINE_REASONS)
        if body is None:
            return await provider_page(request, login, provider_id, status=422,
                                       errors={contract_id: errors}, form=form)
        body.update(round_id=award["answer_round_id"], entity_version=award["next_version"])
        try:
            await apis(login).answer_contract(provider_id, award["answer_contract_id"], body)
        except ApiRefused as exc:
            if exc.status not in (404, 409, 422):
                raise
            return await provider_page(request, login, provider_id, status=422,
                                       refused=exc.detail)
        return RedirectResponse(f"/providers/{quote(provider_id)}?sent={quote(contract_id)}"
                                f"#award-{quote(contract_id)}", status_code=303)

    line_and_offer_forms(router, pages, login_of, apis, own, provider_page,
                         _csrf_refused)
    app.include_router(router)
    return app


_FLASH = "accepted"


def _flash(request: Request, subject: str) -> list[str]:
    """What the last upload took, shown once, on the page of the one who sent it."""
    found = request.session.get(_FLASH)
    if not found or found.get("for") != subject:
        return []
    request.session.pop(_FLASH)
    return list(found.get("said") or [])


def _local(target: str) -> str:
    """Only a path of this console: a login link must not send anyone elsewhere."""
    return target if target.startswith("/") and not target.startswith("//") else "/"


def _csrf_refused(request: Request, pages: Pages) -> HTMLResponse:
    return pages.render(request, "error.html", status=403,
                        title=L_("The form has expired"),
                        message=L_("Reload the page and send the form again."))


async def _name_of(apis: Apis, principal) -> str | None:
    """A firm's or provider's own name, for the header; None if its service cannot say."""
    try:
        if principal.role == Role.FIRM:
            return (await apis.firm(principal.subject))["firm"]["name"]
        if principal.role == Role.PROVIDER:
            return (await apis.provider(principal.subject))["provider"]["name"]
    except (ApiRefused, ServiceDown, KeyError, TypeError):
        pass  # not yet enrolled, or its service away: the header shows the id
    return None


async def _changes(apis: Apis, round_id: str) -> dict | None:
    """What the round keeps, amends and withdraws; None: the matcher has none."""
    try:
        return await apis.round_changes(round_id)
    except ApiRefused as exc:
        if exc.status != 404:
            raise
        return None


async def _comparison(t, apis: Apis, detail: dict, network):
    """The round against the network's last committed round before it (helper "overview")."""
    from services.common.i18n import Names
    # The rounds list is the latest 50: a round older than that is compared with
    # the last committed one among them, or said to have none.
    previous_id = previous_committed(await apis.rounds(detail["network_id"]), detail)
    previous = None
    if previous_id is not None:
        try:
            previous = await apis.round(previous_id)
        except ApiRefused as exc:
            if exc.status != 404:
                raise
    return compare(t, detail, previous, Names(network.names, detail.get("names")))


def _category(t, code: str) -> str:
    from services.common.i18n import words
    return words.category(t, code)


def _progress(t, detail: dict) -> dict:
    """Where a round is and how long it has run, against its time limit.

    The phase is the matcher's (waiting for its book, snapshot, solving part k
    of n, storing), in the words the CLI's ``--wait`` uses too; the console
    says "motore di abbinamento" where those say "matcher". Elapsed counts from
    the round's start (its snapshot frozen), else from when its phase began.
    """
    from services.common.i18n import formats, words
    from services.common.i18n.round_phase import code_of, round_phase
    begun = detail.get("started_at") or detail.get("phase_since")
    elapsed = None
    if begun:
        end = detail.get("finished_at")
        elapsed = max(0.0, ((dt.datetime.fromisoformat(end) if end else dt.datetime.now(dt.UTC))
                            - dt.datetime.fromisoformat(begun)).total_seconds())
    limit = (detail.get("parameters") or {}).get("time_limit_s")
    own = {"requested": L_("waiting for the matcher to take the round"),
           # running, no phase yet: just taken, or a matcher that publishes none
           "running": L_("the matcher is freezing the book and solving"),
           "waiting_for_book": L_("waiting for the matching engine to record everything "
                                  "sent before the round")}
    return {"status_words": words.round_status(t, detail["status"]),
            "phase": round_phase(t, detail, own),
            "phase_code": code_of(detail),
            "part": detail.get("part"), "parts": detail.get("parts"),
            "elapsed": formats.duration(t, elapsed) if elapsed is not None else formats.MISSING,
            "limit": formats.duration(t, limit) if limit else formats.MISSING}


def _default_round_form(network) -> dict:
    weeks, _ = network.demand_and_capacity()
    return {"first_week": weeks[0] if weeks else "", "last_week": weeks[-1] if weeks else "",
            "time_limit_s": "10", "coverage_weight": "1", "fairness_weight": "1",
            "cost_weight": "1"}


def _default_line_form(demand: dict) -> dict:
    return {"line_id": "", "category": "", "municipality": "", "first_week": "",
            "last_week": "", "units": "", "max_unit_price_eur": "", "priority": "1",
            "respondents": "", "payer": "firm", "tags": []}

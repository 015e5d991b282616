"""Editing and withdrawing a firm's own lines; adding, editing and withdrawing a
provider's offers (helper "forms").

Each form is read by ``forms`` first (every error under its field, in the
reader's language, what was typed kept); only a form that reads goes to intake
or supply, with the person's own token, and what the service still refuses is
shown above the form. Withdrawing asks first, on a page of its own that names
what goes; its button is a POST with the session's CSRF token. A survey's line
is intake's (it follows the employees' answers): it has no edit or withdraw.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from schemas.types import Category
from services.common.auth import Role
from services.common.i18n import formats, words
from services.common.i18n.words import TAGS
from services.console import forms
from services.console.apis import ApiRefused
from services.console.network import forget
from services.console.pages import language_of, place_name, places
from services.console.session import csrf_valid
from services.console.texts import L_, console_texts, say

CATEGORIES = [c.value for c in Category]
FIRM, PROVIDER = "/firms/{}", "/providers/{}"


def values_of(form: FormData) -> dict:
    """A form as a dict, the ticked tags as a list (a plain ``dict`` keeps the last)."""
    values = {name: value for name, value in form.items() if name != "tags"}
    values["tags"] = [str(v) for v in form.getlist("tags")]
    return values


def offer_context(offer: dict) -> dict:
    """What provider.html's offer form needs: values, errors, the service's refusal."""
    form = offer.get("form") or {"min_group_per_week": "0", "tags": []}
    return {"oform": form, "oerrors": offer.get("errors") or {},
            "orefused": offer.get("refused"), "offer_saved": offer.get("saved"),
            "offer_withdrawn": offer.get("withdrawn"), "rows": forms.tier_rows(form),
            "categories": CATEGORIES, "tag_codes": list(TAGS)}


def line_and_offer_forms(router: APIRouter, pages, login_of, apis, own, provider_page,
                         csrf_refused) -> None:
    """The routes, on the console's router, with the console's own checks."""

    def not_found(request: Request, login, title: str) -> Response:
        return pages.render(request, "error.html", status=404, login=login, title=title,
                            message=L_("It may have been withdrawn meanwhile: your page lists "
                                       "what stands now."))

    # --- a firm's own line -------------------------------------------------------
    async def firm_line(login, firm_id: str, line_id: str) -> tuple[dict, dict | None]:
        profile = await apis(login).firm(firm_id)
        demand = await apis(login).firm_demand(firm_id)
        found = next((e["line"] for e in demand["lines"]
                      if e["line"]["line_id"] == line_id and e["source"] == "firm"), None)
        return profile, found

    async def line_page(request: Request, login, firm_id: str, line_id: str,
                        status: int = 200, form: dict | None = None,
                        errors: dict | None = None, refused: str | None = None) -> Response:
        t = console_texts(language_of(request))
        profile, line = await firm_line(login, firm_id, line_id)
        if line is None:
            return not_found(request, login, L_("This line is not among your own lines"))
        gaps = forms.week_ranges(line["weeks"]) if forms.has_gaps(line["weeks"]) else None
        return pages.render(request, "line_edit.html", status=status, login=login,
                            profile=profile, line_id=line_id,
                            form=form or forms.line_form(t, line), errors=errors or {},
                            refused=refused, gaps=gaps, categories=CATEGORIES,
                            tag_codes=list(TAGS))

    @router.get("/firms/{firm_id}/lines/{line_id}")
    async def edit_line(request: Request, firm_id: str, line_id: str) -> Response:
        login = login_of(request, Role.FIRM, Role.OPERATOR)
        own(login, Role.FIRM, firm_id)
        return await line_page(request, login, firm_id, line_id)

    @router.post("/firms/{firm_id}/lines/{line_id}")
    async def save_line(request: Request, firm_id: str, line_id: str) -> Response:
        login = login_of(request, Role.FIRM, Role.OPERATOR)
        own(login, Role.FIRM, firm_id)
        form = values_of(await request.form())
        if not csrf_valid(request, form.get("csrf")):
            return csrf_refused(request, pages)
        t = console_texts(language_of(request))
        _, line = await firm_line(login, firm_id, line_id)
        if line is None:  # withdrawn meanwhile, or a survey's: not to be made anew here
            return not_found(request, login, L_("This line is not among your own lines"))
        result, line = forms.demand_line(t, form, line_id=line_id)
        if line is None:
            return await line_page(request, login, firm_id, line_id, status=422, form=form,
                                   errors=result.errors)
        try:
            await apis(login).put_line(firm_id, line)
        except ApiRefused as exc:
            if exc.status not in (409, 422):
                raise
            return await line_page(request, login, firm_id, line_id, status=422, form=form,
                                   refused=exc.detail)
        forget(login.token)
        return RedirectResponse(f"{FIRM.format(quote(firm_id))}?saved={quote(line_id)}",
                                status_code=303)

    @router.get("/firms/{firm_id}/lines/{line_id}/withdraw")
    async def confirm_line_withdrawal(request: Request, firm_id: str, line_id: str
                                      ) -> Response:
        login = login_of(request, Role.FIRM, Role.OPERATOR)
        own(login, Role.FIRM, firm_id)
        t = console_texts(language_of(request))
        profile, line = await firm_line(login, firm_id, line_id)
        if line is None:
            return not_found(request, login, L_("This line is not among your own lines"))
        back = FIRM.format(quote(firm_id))
        return pages.render(
            request, "withdraw.html", login=login,
            heading=say(t, "Withdraw line {line}?", line=line_id),
            facts=[(say(t, "Service"), words.category(t, line["category"])),
                   (say(t, "Municipality"), place_name(line["municipality"])),
                   (say(t, "Weeks"), formats.week_range(t, line["weeks"][0],
                                                        line["weeks"][-1])),
                   (say(t, "Units per week"), formats.number(t, line["units"]))],
            consequence=say(t, "The network stops counting this line from the next round. "
                               "To ask for it again, add it anew."),
            action=f"{back}/lines/{quote(line_id)}/withdraw",
            button=say(t, "Withdraw line {line}", line=line_id), back=back,
            back_words=say(t, "Back to the page of {firm}", firm=profile["firm"]["name"]))

    @router.post("/firms/{firm_id}/lines/{line_id}/withdraw")
    async def withdraw_line(request: Request, firm_id: str, line_id: str) -> Response:
        login = login_of(request, Role.FIRM, Role.OPERATOR)
        own(login, Role.FIRM, firm_id)
        form = await request.form()
        if not csrf_valid(request, form.get("csrf")):
            return csrf_refused(request, pages)
        _, line = await firm_line(login, firm_id, line_id)
        if line is None:  # a survey's line stays intake's, even by a forged form
            return not_found(request, login, L_("This line is not among your own lines"))
        await apis(login).withdraw_line(firm_id, line_id)
        forget(login.token)
        return RedirectResponse(f"{FIRM.format(quote(firm_id))}?withdrawn={quote(line_id)}",
                                status_code=303)

    # --- a provider's offers -----------------------------------------------------
    async def standing(login, provider_id: str) -> list[dict]:
        return [o.get("offer", o) for o in await apis(login).offers(provider_id)]

    async def offer_page(request: Request, login, provider_id: str, offer_id: str,
                         status: int = 200, form: dict | None = None,
                         errors: dict | None = None, refused: str | None = None) -> Response:
        t = console_texts(language_of(request))
        profile = await apis(login).provider(provider_id)
        found = next((o for o in await standing(login, provider_id)
                      if o["offer_id"] == offer_id), None)
        if found is None:
            return not_found(request, login, L_("This offer is not among your offers"))
        form = form or forms.offer_form(t, found)
        return pages.render(request, "offer_edit.html", status=status, login=login,
                            profile=profile, offer_id=offer_id,
                            **offer_context({"form": form, "errors": errors,
                                             "refused": refused}))

    async def save(request: Request, login, provider_id: str, offer_id: str | None
                   ) -> Response:
        """Add (``offer_id`` None: the form's code, which must be new) or replace one."""
        form = values_of(await request.form())
        if not csrf_valid(request, form.get("csrf")):
            return csrf_refused(request, pages)
        t = console_texts(language_of(request))
        result, offer = forms.offer(t, form, offer_id)
        ids = {o["offer_id"] for o in await standing(login, provider_id)}
        if offer_id is not None and offer_id not in ids:
            return not_found(request, login, L_("This offer is not among your offers"))
        if offer_id is None and offer is not None and offer["offer_id"] in ids:
            result.errors["offer_id"] = say(t, "you have an offer with this code already: "
                                               "change it from its row in the table")
            offer = None

        async def again(**why) -> Response:
            if offer_id is None:
                return await provider_page(request, login, provider_id, status=422,
                                           offer={"form": form, **why})
            return await offer_page(request, login, provider_id, offer_id, status=422,
                                    form=form, **why)

        if offer is None:
            return await again(errors=result.errors)
        try:
            await apis(login).put_offer(provider_id, offer)
        except ApiRefused as exc:
            if exc.status not in (409, 422):
                raise
            return await again(refused=exc.detail)
        forget(login.token)
        return RedirectResponse(f"{PROVIDER.format(quote(provider_id))}?offer_saved="
                                f"{quote(offer['offer_id'])}#offers-h", status_code=303)

    @router.post("/providers/{provider_id}/offers")
    async def add_offer(request: Request, provider_id: str) -> Response:
        login = login_of(request, Role.PROVIDER, Role.OPERATOR)
        own(login, Role.PROVIDER, provider_id)
        return await save(request, login, provider_id, None)

    @router.get("/providers/{provider_id}/offers/{offer_id}")
    async def edit_offer(request: Request, provider_id: str, offer_id: str) -> Response:
        login = login_of(request, Role.PROVIDER, Role.OPERATOR)
        own(login, Role.PROVIDER, provider_id)
        return await offer_page(request, login, provider_id, offer_id)

    @router.post("/providers/{provider_id}/offers/{offer_id}")
    async def save_offer(request: Request, provider_id: str, offer_id: str) -> Response:
        login = login_of(request, Role.PROVIDER, Role.OPERATOR)
        own(login, Role.PROVIDER, provider_id)
        return await save(request, login, provider_id, offer_id)

    @router.get("/providers/{provider_id}/offers/{offer_id}/withdraw")
    async def confirm_offer_withdrawal(request: Request, provider_id: str, offer_id: str
                                       ) -> Response:
        login = login_of(request, Role.PROVIDER, Role.OPERATOR)
        own(login, Role.PROVIDER, provider_id)
        t = console_texts(language_of(request))
        profile = await apis(login).provider(provider_id)
        found = next((o for o in await standing(login, provider_id)
                      if o["offer_id"] == offer_id), None)
        if found is None:
            return not_found(request, login, L_("This offer is not among your offers"))
        back = PROVIDER.format(quote(provider_id))
        return pages.render(
            request, "withdraw.html", login=login,
            heading=say(t, "Withdraw offer {offer}?", offer=offer_id),
            facts=[(say(t, "Service"), words.category(t, found["category"])),
                   (say(t, "Municipalities"), places(found["municipalities"])),
                   (say(t, "Weeks"), formats.week_range(t, found["weeks"][0],
                                                        found["weeks"][-1])),
                   (say(t, "Places per week"), formats.number(t, found["capacity_per_week"]))],
            consequence=say(t, "The network stops counting this offer from the next round. "
                               "To offer it again, add it anew."),
            action=f"{back}/offers/{quote(offer_id)}/withdraw",
            button=say(t, "Withdraw offer {offer}", offer=offer_id), back=back,
            back_words=say(t, "Back to the page of {provider}",
                           provider=profile["provider"]["name"]))

    @router.post("/providers/{provider_id}/offers/{offer_id}/withdraw")
    async def withdraw_offer(request: Request, provider_id: str, offer_id: str) -> Response:
        login = login_of(request, Role.PROVIDER, Role.OPERATOR)
        own(login, Role.PROVIDER, provider_id)
        form = await request.form()
        if not csrf_valid(request, form.get("csrf")):
            return csrf_refused(request, pages)
        await apis(login).withdraw_offer(provider_id, offer_id)
        forget(login.token)
        return RedirectResponse(f"{PROVIDER.format(quote(provider_id))}?offer_withdrawn="
                                f"{quote(offer_id)}#offers-h", status_code=303)

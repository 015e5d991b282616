"""Codes in words: reasons for unmet demand, the smallest change, statuses, categories.

Every code of ``schemas`` has an entry here; tests/unit/i18n/test_words.py
fails when a new code has none. The smallest change is rebuilt from the
figures ``SmallestChange`` carries (offer, week, units, budget, price), not
from its English ``description``, so it reads in the reader's language.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from schemas.result import SolveStatus, UnmetReason
from schemas.types import Category
from services.common.i18n import formats
from services.common.i18n.catalogue import N_, Texts

REASONS = {
    UnmetReason.NO_PROVIDER_IN_AREA: N_(
        "no provider offers this service in the municipality"),
    UnmetReason.NO_CAPACITY_IN_WEEKS: N_(
        "no provider in the area runs in every week asked for"),
    UnmetReason.TAG_NOT_OFFERED: N_(
        "no provider in the area offers what the line requires (e.g. accessible)"),
    UnmetReason.PRICE_ABOVE_MAXIMUM: N_(
        "every provider that could serve it charges more than the firm accepts"),
    UnmetReason.BUDGET_SPENT: N_(
        "the firm's welfare budget is spent"),
    UnmetReason.GROUP_BELOW_MINIMUM: N_(
        "too few units to form the provider's minimum group"),
    UnmetReason.CAPACITY_TAKEN_BY_HIGHER_PRIORITY: N_(
        "the places left went to demand of higher priority"),
}

SOLVE_STATUSES = {
    SolveStatus.OPTIMAL: N_("proven best"),
    SolveStatus.FEASIBLE: N_("stopped at the time limit"),
    SolveStatus.INFEASIBLE: N_("impossible: accepted contracts cannot all be kept"),
    SolveStatus.NO_SOLUTION: N_("no plan found in the time"),
}

ROUND_STATUSES = {
    "requested": N_("requested"),
    "running": N_("running"),
    "completed": N_("completed"),
    "failed": N_("failed"),
}

CATEGORIES = {
    Category.CHILDCARE: N_("Childcare during school closures"),
    Category.HOME_CARE: N_("Home care for dependent relatives"),
    Category.FAMILY_ASSISTANT: N_("Shared family assistant"),
    Category.BABYSITTING: N_("Vetted babysitters on demand"),
    Category.CONCIERGE: N_("Neighbourhood concierge"),
}

RESPONSES = {"accepted": N_("accepted"), "declined": N_("declined")}

# What a line may require and an offer provide (``Tag``: free codes; these are the
# catalogue's, services/scenario/catalogue.py). An unknown tag shows as its code.
TAGS = {
    "accessible": N_("accessible to people with disabilities"),
    "bilingual": N_("bilingual staff"),
    "dementia_care": N_("dementia care"),
    "evening": N_("evening hours"),
    "inclusive": N_("inclusive (special needs welcome)"),
    "meals": N_("meals included"),
    "night": N_("night hours"),
    "outdoor": N_("outdoor activities"),
    "transport": N_("transport included"),
}


def tag(t: Texts, code: str) -> str:
    """A tag in words; a tag the catalogue does not know is shown as written."""
    return t._(TAGS[code]) if code in TAGS else code


def _known(t: Texts, table: Mapping[str, str], code: str | None) -> str:
    # StrEnum keys equal their values, so a plain code finds its entry; an unknown
    # code (from a newer service) is shown as it is rather than lost.
    if code is None:
        return formats.MISSING
    message = table.get(code)
    return t._(message) if message else str(code)


def reason(t: Texts, code: str) -> str:
    return _known(t, REASONS, code)


def solve_status(t: Texts, code: str | None) -> str:
    return _known(t, SOLVE_STATUSES, code)


def round_status(t: Texts, code: str | None) -> str:
    return _known(t, ROUND_STATUSES, code)


def category(t: Texts, code: str) -> str:
    return _known(t, CATEGORIES, code)


def response(t: Texts, code: str | None) -> str:
    return _known(t, RESPONSES, code)


def round_kind(t: Texts, dry_run: bool, kind: str | None) -> str:
    """``dry run`` / ``committed``, and ``repair`` when it re-homes declined demand."""
    if kind == "repair":
        return t._("dry run, repair") if dry_run else t._("committed, repair")
    return t._("dry run") if dry_run else t._("committed")


Named = Callable[[str | None], str]


def change(t: Texts, code: str, change_: Mapping | None, units: int, firm: str,
           named: Named = lambda i: i or "") -> str | None:
    """The smallest change that would serve ``units`` unmet units, in words.

    ``named`` turns an id into "Name (id)" where a name is known.
    """
    if not change_:
        return None
    offer = change_.get("offer_id")
    week = change_.get("week")
    extra = change_.get("extra_units")
    when = formats.week(t, week) if week else None
    try:
        code = UnmetReason(code)
    except ValueError:
        return change_.get("description")
    if code is UnmetReason.BUDGET_SPENT and change_.get("extra_budget_eur") is not None:
        return t.ngettext(
            "{amount} more budget for {firm} would pay for {n} more unit at {offer}",
            "{amount} more budget for {firm} would pay for {n} more units at {offer}",
            units, amount=formats.money(t, change_["extra_budget_eur"]), firm=named(firm),
            offer=named(offer))
    if code is UnmetReason.PRICE_ABOVE_MAXIMUM and change_.get("max_unit_price_eur") is not None:
        return t._("accepting up to {price} per unit-week would open {offer}",
                   price=formats.money(t, change_["max_unit_price_eur"]), offer=named(offer))
    if code is UnmetReason.GROUP_BELOW_MINIMUM and offer and when:
        if extra:
            return t.ngettext("{n} more unit in {week} would open {offer}",
                              "{n} more units in {week} would open {offer}",
                              extra, week=when, offer=named(offer))
        return t._("{offer} does not run in {week}: enough units ask for it that week, "
                   "but not in every week they need", offer=named(offer), week=when)
    if code is UnmetReason.CAPACITY_TAKEN_BY_HIGHER_PRIORITY:
        if offer and when and extra:
            return t.ngettext("{n} more place at {offer} in {week} would serve them",
                              "{n} more places at {offer} in {week} would serve them",
                              extra, offer=named(offer), week=when)
        return t._("the solve stopped at its time limit before placing these units; "
                   "a longer solve may place them")
    if code is UnmetReason.NO_CAPACITY_IN_WEEKS and offer and when:
        return t._("{offer} would also have to run in {week} (and any other week it lacks)",
                   offer=named(offer), week=when)
    if code is UnmetReason.TAG_NOT_OFFERED and offer:
        return t._("{offer} would have to offer what the line requires", offer=named(offer))
    return change_.get("description")

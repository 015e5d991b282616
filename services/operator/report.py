"""A round as an operator reads it: outcome first, then firms, then unmet demand.

Works on the JSON the operator API returns (``RoundDetail``), so the CLI and
the demo print the same thing, in Italian or English (``lang``; by default
the environment's choice, services/common/i18n/language.py).

Names next to ids: the round detail names firms and providers as the round's
snapshot knew them (``firm_name``, ``provider_name``); a caller that knows more
(offers, say) passes ``names`` (id -> name), which wins.
"""

from __future__ import annotations

from collections.abc import Mapping

from services.common.i18n import Names, Texts, formats, quality, texts, words

MAX_FIRMS = 15  # beyond this, the least covered firms (those an operator acts on)


def headline(detail: dict, lang: str | None = None) -> str:
    return _headline(texts(lang), detail)


def _headline(t: Texts, detail: dict) -> str:
    status = detail.get("status")
    text = t._("round {round} ({kind}) {status}", round=detail["round_id"],
               kind=words.round_kind(t, bool(detail.get("dry_run")), detail.get("kind")),
               status=words.round_status(t, status))
    if detail.get("outcome"):
        text += ": " + quality.describe(t, quality.SolveFigures.of_detail(detail))
    if status == "failed":
        text += ": " + str(detail.get("failure_reason") or formats.MISSING)
    return text


def format_round(detail: dict, lang: str | None = None,
                 names: Mapping[str, str] | None = None) -> str:
    t, named = texts(lang), Names(names_in(detail), detail.get("names"), names)
    lines = [_headline(t, detail)]
    if detail.get("first_week") and detail.get("last_week"):
        lines.append("  " + formats.week_range(t, detail["first_week"], detail["last_week"]))
    if detail.get("status") != "completed":
        return "\n".join(lines)
    gap = quality.objective_gap(t, quality.SolveFigures.of_detail(detail))
    if gap:
        lines.append("  " + gap)
    firms = detail.get("firms", [])
    lines.append("  " + t._(
        "coverage: {served} of the {demanded} unit-weeks asked for ({share}); "
        "priority-weighted {weighted}",
        served=formats.number(t, sum(f["served_unit_weeks"] for f in firms)),
        demanded=formats.number(t, sum(f["demanded_unit_weeks"] for f in firms)),
        share=formats.percent(t, detail.get("coverage")),
        weighted=formats.percent(t, detail.get("weighted_coverage"))))
    lines.append("  " + t._("total cost {cost}",
                            cost=formats.money(t, detail.get("total_cost_eur"))))
    lines.append("  " + _contracts(t, detail))
    timings = detail.get("timings") or {}
    if timings.get("total_s") is not None:
        lines.append("  " + t._("took {total} (solving {solve})",
                                total=formats.duration(t, timings["total_s"]),
                                solve=formats.duration(t, timings.get("solve_s") or 0)))
    lines += _offer_lines(t, detail.get("contracts", []), named)
    lines += _firm_lines(t, firms, named)
    lines += _unmet_lines(t, detail.get("unmet", []), named)
    return "\n".join(lines)


def names_in(detail: dict) -> dict[str, str]:
    """id -> name of the firms and providers the round detail names."""
    found: dict[str, str] = {}
    firm_rows = [*detail.get("firms", []),
                 *(line for group in detail.get("unmet", []) for line in group["lines"]),
                 *(line for contract in detail.get("contracts", [])
                   for offer in contract["offers"] for line in offer["lines"])]
    for row in firm_rows:
        if row.get("firm_name"):
            found[row["firm_id"]] = row["firm_name"]
    for contract in detail.get("contracts", []):
        if contract.get("provider_name"):
            found[contract["provider_id"]] = contract["provider_name"]
    return found


def _contracts(t: Texts, detail: dict) -> str:
    contracts = detail.get("contracts", [])
    offers = sum(len(c["offers"]) for c in contracts)
    answered = {r: sum(1 for c in contracts if c.get("response") == r)
                for r in ("accepted", "declined")}
    text = t.ngettext("{n} group contract", "{n} group contracts", offers) + " " + t.ngettext(
        "with {n} provider", "with {n} providers", len(contracts)) + ": " + t._(
        "{awarded} awarded, {accepted} accepted, {declined} declined",
        awarded=sum(1 for c in contracts if c.get("awarded")),
        accepted=answered["accepted"], declined=answered["declined"])
    if detail.get("pinned"):
        text += "; " + t.ngettext("{n} accepted line kept", "{n} accepted lines kept",
                                  detail["pinned"])
    return text


def _offer_lines(t: Texts, contracts: list[dict], named: Names) -> list[str]:
    """Each group contract: offer, provider, volume, price, answer; the largest first."""
    rows = [(offer, contract) for contract in contracts for offer in contract["offers"]]
    if not rows:
        return []
    rows.sort(key=lambda r: (-r[0].get("volume_unit_weeks", 0), r[0]["offer_id"]))
    out = ["  " + t._("group contracts (largest first):")]
    for offer, contract in rows[:MAX_FIRMS]:
        answer = (words.response(t, contract.get("response")) if contract.get("response")
                  else t._("awaiting an answer") if contract.get("awarded")
                  else t._("not awarded"))
        out.append("    " + t._(
            "{offer} of {provider}: {volume} at {price} per unit-week, {weeks}; {answer}",
            offer=named(offer["offer_id"]), provider=named(contract.get("provider_id")),
            volume=t.ngettext("{n} unit-week", "{n} unit-weeks", offer.get("volume_unit_weeks", 0)),
            price=formats.money(t, offer.get("unit_price_eur")),
            weeks=t.ngettext("{n} week", "{n} weeks", len(offer.get("running_weeks", []))),
            answer=answer))
    if len(rows) > MAX_FIRMS:
        out.append("    " + t._("and {more} more", more=len(rows) - MAX_FIRMS))
    return out


def _firm_lines(t: Texts, firms: list[dict], named: Names) -> list[str]:
    if not firms:
        return []
    shown = sorted(firms, key=lambda f: (f["coverage"], f["firm_id"]))
    title = t._("per firm (coverage, cost / budget)")
    if len(shown) > MAX_FIRMS:
        title += ", " + t._("the {shown} least covered of {total}", shown=MAX_FIRMS,
                            total=len(shown))
        shown = shown[:MAX_FIRMS]
    width = max(len(named(f["firm_id"])) for f in shown)
    out = ["  " + title + ":"]
    for firm in shown:
        out.append(f"    {named(firm['firm_id']):<{width}} "
                   f"{formats.percent(t, firm['coverage']):>7}  "
                   f"{formats.money(t, firm['cost_eur'])} / {formats.money(t, firm['budget_eur'])}")
    return out


def _unmet_lines(t: Texts, unmet: list[dict], named: Names) -> list[str]:
    if not unmet:
        return ["  " + t._("no unmet demand")]
    out = ["  " + t._("unmet demand, by reason:")]
    for group in unmet:
        out.append("    " + words.reason(t, group["reason"]) + ": "
                   + t.ngettext("{n} unit", "{n} units", group["units"]) + " ("
                   + t.ngettext("{n} line", "{n} lines", len(group["lines"])) + ")")
        example = next((line for line in group["lines"] if line.get("change")), None)
        if example:
            hint = words.change(t, group["reason"], example["change"],
                                example.get("units", group["units"]),
                                example.get("firm_id"), named)
            out.append("      " + t._("for example: {change}", change=hint))
    return out


def format_round_list(rounds: list[dict], lang: str | None = None) -> str:
    t = texts(lang)
    if not rounds:
        return t._("no rounds yet")
    rows = [[t._("round"), t._("kind"), t._("status"), t._("coverage"), t._("cost"),
             t._("weeks")]]
    for r in rounds:
        rows.append([r["round_id"], words.round_kind(t, r["dry_run"], r.get("kind")),
                     words.round_status(t, r["status"]), formats.percent(t, r.get("coverage")),
                     formats.money(t, r.get("total_cost_eur")),
                     formats.week_range(t, r["first_week"], r["last_week"])])
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    right = {3, 4}  # figures align on the right
    return "\n".join(
        "  ".join([cell.rjust(w) if i in right else cell.ljust(w)
                   for i, (cell, w) in enumerate(zip(row, widths))] + [row[-1]])
        for row in rows)

"""A round as an operator reads it: outcome first, then firms, then unmet demand.

Works on the JSON the operator API returns (``RoundDetail``), so the CLI and
the demo print the same thing.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

MAX_FIRMS = 15  # beyond this, the least covered firms (those an operator acts on)


def eur(value: Any) -> str:
    return f"EUR {Decimal(str(value)):,.2f}" if value is not None else "EUR -"


def pct(value: float | None) -> str:
    return f"{100 * value:.1f}%" if value is not None else "-"


def headline(detail: dict) -> str:
    kind = ["dry run" if detail.get("dry_run") else "committed"]
    if detail.get("kind") == "repair":
        kind.append("repair")
    status = detail.get("status", "?")
    text = f"round {detail['round_id']} ({', '.join(kind)}) {status}"
    if detail.get("outcome"):
        text += f": {detail['outcome']}"
        if detail.get("gap") is not None:
            text += f", proven gap {pct(detail['gap'])}"
    if status == "failed":
        text += f": {detail.get('failure_reason')}"
    return text


def format_round(detail: dict) -> str:
    lines = [headline(detail)]
    if detail.get("status") != "completed":
        return "\n".join(lines)
    summary = detail.get("summary") or {}
    firms = detail.get("firms", [])
    demanded = sum(f["demanded_unit_weeks"] for f in firms)
    contracts = detail.get("contracts", [])
    lines.append(
        f"  coverage {pct(detail.get('coverage'))} of {demanded:,} unit-weeks "
        f"(priority-weighted {pct(detail.get('weighted_coverage'))}); "
        f"total cost {eur(detail.get('total_cost_eur'))}"
    )
    offers = sum(len(c["offers"]) for c in contracts)
    answered = {r: sum(1 for c in contracts if c.get("response") == r)
                for r in ("accepted", "declined")}
    awarded = sum(1 for c in contracts if c.get("awarded"))
    lines.append(
        f"  {offers} group contract(s) with {len(contracts)} provider(s); "
        f"{awarded} awarded, {answered['accepted']} accepted, {answered['declined']} declined"
        + (f"; {detail['pinned']} pinned line(s) kept" if detail.get("pinned") else "")
    )
    timings = detail.get("timings") or {}
    if timings.get("total_s") is not None:
        lines.append(f"  took {timings['total_s']:.1f} s (solve {timings.get('solve_s') or 0:.1f} s)")
    lines += _firm_lines(firms)
    lines += _unmet_lines(detail.get("unmet", []), summary)
    return "\n".join(lines)


def _firm_lines(firms: list[dict]) -> list[str]:
    if not firms:
        return []
    shown = sorted(firms, key=lambda f: (f["coverage"], f["firm_id"]))
    title = "  per firm (coverage, cost / budget)"
    if len(shown) > MAX_FIRMS:
        title += f", the {MAX_FIRMS} least covered of {len(shown)}"
        shown = shown[:MAX_FIRMS]
    out = [title + ":"]
    for firm in shown:
        out.append(
            f"    {firm['firm_id']:<16} {pct(firm['coverage']):>7}  "
            f"{eur(firm['cost_eur'])} / {eur(firm['budget_eur'])}"
        )
    return out


def _unmet_lines(unmet: list[dict], summary: dict) -> list[str]:
    if not unmet:
        return ["  no unmet demand"]
    out = ["  unmet units by reason:"]
    for group in unmet:
        out.append(f"    {group['reason']:<34} {group['units']:>6} units "
                   f"({len(group['lines'])} line(s))")
        hint = next((line["change"]["description"] for line in group["lines"]
                     if line.get("change")), None)
        if hint:
            out.append(f"      e.g. {hint}")
    return out


def format_round_list(rounds: list[dict]) -> str:
    if not rounds:
        return "no rounds yet"
    rows = [f"{'round':<40} {'weeks':<19} {'kind':<10} {'status':<10} {'coverage':>8} cost"]
    for r in rounds:
        kind = ("dry run" if r["dry_run"] else "commit") + ("+rep" if r.get("kind") == "repair"
                                                           else "")
        rows.append(
            f"{r['round_id']:<40} {r['first_week']}..{r['last_week'][-3:]:<8} {kind:<10} "
            f"{r['status']:<10} {pct(r.get('coverage')):>8} {eur(r.get('total_cost_eur'))}"
        )
    return "\n".join(rows)

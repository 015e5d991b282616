"""A committed round as one firm or one provider may read it: its own slice, nothing more.

The operator service's statement and award PDFs are drawn from the round detail
(``RoundDetail``); a firm's or a provider's token may not read the whole detail
(other firms' lines, budgets and coverage, other providers' prices). These
functions cut the detail down to what the PDF of that firm or provider shows:

- a firm: its own coverage row, the contracts' offers that serve its lines (with
  those lines only: not another firm's units or cost), and its own unmet lines;
- a provider: its own contract, with the firm lines it is to staff (what its
  awards already tell it), and no firm coverage or unmet demand.

Only committed rounds: a dry run is the operator's draft, not an award.
"""

from __future__ import annotations

from typing import Any

from services.matcher.views import RoundDetail

# The round's heading: what names it and when; no network-wide figures.
_HEADING = ("round_id", "network_id", "first_week", "last_week", "dry_run", "kind", "status",
            "outcome", "requested_at", "started_at", "finished_at")


def _heading(detail: dict[str, Any]) -> dict[str, Any]:
    return {key: detail.get(key) for key in _HEADING}


def committed(detail: RoundDetail | None) -> dict[str, Any] | None:
    """The round as JSON when a firm or provider may read a slice of it, else None."""
    if detail is None or detail.dry_run or detail.status != "completed":
        return None
    return detail.model_dump(mode="json")


def firm_slice(detail: RoundDetail | None, firm_id: str) -> dict[str, Any] | None:
    """The firm's part of a committed round; None: no such round, or the firm is not in it."""
    whole = committed(detail)
    if whole is None:
        return None
    contracts = []
    for contract in whole["contracts"]:
        offers = [{**offer, "lines": own} for offer in contract["offers"]
                  if (own := [line for line in offer["lines"] if line["firm_id"] == firm_id])]
        if offers:
            contracts.append({"contract_id": contract["contract_id"],
                              "provider_id": contract["provider_id"],
                              "provider_name": contract.get("provider_name"),
                              "awarded": contract["awarded"],
                              "offers": [_offer_for_firm(offer) for offer in offers]})
    unmet = []
    for group in whole["unmet"]:
        own = [line for line in group["lines"] if line["firm_id"] == firm_id]
        if own:
            unmet.append({"reason": group["reason"], "lines": own,
                          "units": sum(line["units"] for line in own),
                          "unit_weeks": sum(line["unit_weeks"] for line in own)})
    firms = [f for f in whole["firms"] if f["firm_id"] == firm_id]
    if not (firms or contracts or unmet):
        return None
    return {**_heading(whole), "firms": firms, "contracts": contracts, "unmet": unmet}


def _offer_for_firm(offer: dict[str, Any]) -> dict[str, Any]:
    """An offer's terms as the firm's statement shows them: not the provider's costs,
    nor the group's volume and weekly load, which count other firms' units."""
    return {"offer_id": offer["offer_id"], "tier_index": offer["tier_index"],
            "unit_price_eur": offer["unit_price_eur"], "lines": offer["lines"]}


def provider_slice(detail: RoundDetail | None, provider_id: str) -> dict[str, Any] | None:
    """The provider's contract of a committed round; None: no round, or no contract in it."""
    whole = committed(detail)
    if whole is None:
        return None
    contracts = [c for c in whole["contracts"] if c["provider_id"] == provider_id]
    if not contracts:
        return None
    return {**_heading(whole), "firms": [], "contracts": contracts, "unmet": []}

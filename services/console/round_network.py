"""The network as a round saw it, read from the round's own detail.

A round's report shows what that round solved: its lines where they were, its
firms and providers by the names its snapshot froze. The detail already says
all of it (contract lines and unmet lines carry their municipality, category
and weeks; firms and providers their names), so the report needs no tour of
intake and supply, which at 1k lines meant over a thousand requests and
several seconds, and showed today's lines on an older round's map.

A line is served whole units for all its weeks (the optimiser's rule), so its
units are those its contracts serve plus those left unmet.
"""

from __future__ import annotations

from services.console.network import Network


def round_network(detail: dict) -> Network:
    network = Network(network_id=detail.get("network_id"))
    firms: dict[str, str | None] = {}
    providers: dict[str, str | None] = {}
    for firm in detail.get("firms") or []:
        firms[firm["firm_id"]] = firm.get("firm_name")
    for contract in detail.get("contracts") or []:
        providers[contract["provider_id"]] = contract.get("provider_name")
        for offer in contract.get("offers", []):
            for line in offer.get("lines", []):
                _add(network, line, line["units"])
                firms.setdefault(line["firm_id"], line.get("firm_name"))
    for group in detail.get("unmet") or []:
        for line in group.get("lines", []):
            _add(network, line, line["units"])
            firms.setdefault(line["firm_id"], line.get("firm_name"))
    for provider, name in (detail.get("provider_names") or {}).items():
        providers.setdefault(provider, name)
    network.firms = [{"id": i, "name": n} for i, n in firms.items() if n]
    network.providers = [{"id": i, "name": n} for i, n in providers.items() if n]
    network.offer_providers = dict(detail.get("offer_providers") or {})
    for contract in detail.get("contracts") or []:
        for offer in contract.get("offers", []):
            network.offer_providers.setdefault(offer["offer_id"], contract["provider_id"])
    return network


def _add(network: Network, line: dict, units: int) -> None:
    known = network.lines.get(line["line_id"])
    if known is not None:
        known["units"] += units
        return
    if not line.get("municipality") or not line.get("weeks"):
        return  # a round stored before lines said where they are: not placed
    network.lines[line["line_id"]] = {
        "line_id": line["line_id"], "firm_id": line["firm_id"], "units": units,
        "weeks": list(line["weeks"]), "municipality": line["municipality"],
        "category": line.get("category")}

"""Who a round names: a firm's or a provider's part of the round detail."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from services.common.i18n import N_, Names
from services.common.refusals import NotFound
from services.operator.report import names_in


class NotInRound(NotFound, LookupError):
    """The round has no such firm or provider: a 404 over HTTP, in the reader's words."""


def names(detail: dict, extra: Mapping[str, str] | None = None) -> Names:
    return Names(names_in(detail), detail.get("names"), extra)


def served_lines(detail: dict) -> Iterator[tuple[dict, dict, dict]]:
    """(contract, offer, line) for every firm line the round serves."""
    for contract in detail.get("contracts", []):
        for offer in contract["offers"]:
            for line in offer["lines"]:
                yield contract, offer, line


def unmet_lines(detail: dict) -> Iterator[tuple[dict, dict]]:
    """(reason group, line) for every unit the round leaves unserved."""
    for group in detail.get("unmet", []):
        for line in group["lines"]:
            yield group, line


def firm(detail: dict, firm_id: str) -> dict:
    for found in detail.get("firms", []):
        if found["firm_id"] == firm_id:
            return found
    if any(line["firm_id"] == firm_id for _, _, line in served_lines(detail)) or any(
            line["firm_id"] == firm_id for _, line in unmet_lines(detail)):
        return {"firm_id": firm_id}
    raise NotInRound(N_("round '{round_id}' has no firm '{firm_id}'"),
                     round_id=detail.get("round_id"), firm_id=firm_id)


def provider(detail: dict, provider_id: str) -> dict:
    for contract in detail.get("contracts", []):
        if contract["provider_id"] == provider_id:
            return contract
    raise NotInRound(N_("round '{round_id}' has no contract with provider '{provider_id}'"),
                     round_id=detail.get("round_id"), provider_id=provider_id)

"""``offers.csv``: one offer per row, columns as the scenario writes them
(see ``services.scenario.writer``).

``municipalities``, ``weeks`` and ``tags`` are ``;``-separated; ``price_tiers``
is ``;``-separated ``min_volume:unit_price_eur`` pairs, lowest volume first
(``0:150.00;250:142.50``). The whole file is checked before anything is
applied: a bad row refuses the file, naming every bad row and column.
"""

from __future__ import annotations

from pydantic import ValidationError

from schemas.capacity import CapacityOffer
from services.common.csv_rows import CsvRejected, RowError, errors_of, rows, split_list

COLUMNS = (
    "provider_id", "offer_id", "category", "municipalities", "weeks", "capacity_per_week",
    "min_group_per_week", "price_tiers", "fixed_cost_per_week_eur", "tags",
)
REQUIRED = ("offer_id", "category", "municipalities", "weeks", "capacity_per_week",
            "price_tiers")
_LISTS = ("municipalities", "weeks", "tags")


class _BadTiers(ValueError):
    pass


def parse_offers(text: str, provider_id: str) -> list[CapacityOffer]:
    offers: list[CapacityOffer] = []
    errors: list[RowError] = []
    first_row_of: dict[str, int] = {}
    for number, cells in rows(text, REQUIRED):
        if cells.get("provider_id", provider_id) != provider_id:
            errors.append(RowError(number, "provider_id", f"must be {provider_id!r}, the URL's"))
            continue
        try:
            offer = CapacityOffer.model_validate(_fields(cells))
        except _BadTiers as exc:
            errors.append(RowError(number, "price_tiers", str(exc)))
            continue
        except ValidationError as exc:
            errors.extend(errors_of(number, exc))
            continue
        if offer.offer_id in first_row_of:
            errors.append(RowError(number, "offer_id",
                                   f"repeats the offer of row {first_row_of[offer.offer_id]}"))
            continue
        first_row_of[offer.offer_id] = number
        offers.append(offer)
    if errors:
        raise CsvRejected(errors)
    return offers


def _fields(cells: dict[str, str]) -> dict:
    fields: dict = {**cells, **{c: split_list(cells[c]) for c in _LISTS if c in cells}}
    if "price_tiers" in cells:
        fields["price_tiers"] = [_tier(pair) for pair in split_list(cells["price_tiers"])]
    return fields


def _tier(pair: str) -> dict[str, str]:
    volume, sep, price = pair.partition(":")
    if not sep:
        raise _BadTiers("each tier is min_volume:unit_price_eur, e.g. 0:150.00;250:142.50")
    return {"min_volume": volume.strip(), "unit_price_eur": price.strip()}

"""The offers upload: one offer per row, as CSV or XLSX.

Columns as the scenario writes them (see ``services.scenario.writer``), or
their Italian headers (``comuni``, ``settimane``, ``fasce di prezzo``...).
``municipalities``, ``weeks`` and ``tags`` are ``;``-separated (municipalities
by ISTAT code or by name; weeks also as ranges or dates); ``price_tiers`` is
``;``-separated ``min_volume:unit_price_eur`` pairs, lowest volume first
(``0:150,00;250:142,50``). The whole file is checked before anything is
applied: a bad row refuses the file, naming every bad row and column.
"""

from __future__ import annotations

import datetime as dt
import re

from pydantic import ValidationError

from schemas.capacity import CapacityOffer
from services.common.i18n import N_
from services.common.spreadsheets import cells
from services.common.spreadsheets import shared_columns as shared
from services.common.spreadsheets.columns import Column, FileKind, model_errors, parse_rows
from services.common.spreadsheets.problems import CellProblem, Problem, SheetRejected
from services.common.spreadsheets.reading import read_table

# Calc and Excel read a lone tier such as 0:25 as the time 00:25: a time cell
# (XLSX) or its CSV form 00:25:00 is read back as the tier it was typed as.
_TIME_SHOWN = re.compile(r"([0-9]{1,2}):([0-5][0-9]):00")


def _tiers_list(value: object) -> list[str]:
    if isinstance(value, dt.time):
        return [f"{value.hour}:{value.minute}"]
    written = cells.text(value)
    shown = _TIME_SHOWN.fullmatch(written)
    if shown:
        return [f"{int(shown.group(1))}:{int(shown.group(2))}"]
    # Tiers are separated by ";" only: their prices may carry a decimal comma.
    return [p.strip() for p in written.split(";") if p.strip()]


def _price_tiers(value: object) -> list[dict]:
    return [_tier(pair) for pair in _tiers_list(value)]


def _tier(pair: str) -> dict:
    volume, sep, price = pair.partition(":")
    if not sep:
        raise CellProblem(N_("each tier is minimum volume:price per unit, lowest volume "
                             "first, e.g. 0:150,00;250:142,50"))
    return {"min_volume": cells.integer(volume), "unit_price_eur": cells.decimal(price)}


OFFERS = FileKind("offers", (
    Column("provider_id", "ente",
           N_("The provider's id; may be left out (it is the provider of the address)."),
           "coop-gulliver", aliases=("id ente", "cooperativa", "fornitore")),
    Column("offer_id", "offerta",
           N_("The offer's id, chosen by the provider: a later upload with the same id "
              "updates the offer."),
           "coop-gulliver.centro-estivo", required=True, aliases=("id offerta", "codice offerta")),
    shared.CATEGORY,
    Column("municipalities", "comuni",
           N_("The municipalities served, separated by ';': ISTAT codes or names "
              "(Modena;Carpi)."),
           "Modena;Carpi", cells.municipality_list, required=True, aliases=("comune",)),
    shared.WEEKS,
    Column("capacity_per_week", "posti per settimana",
           N_("Units the provider can serve in each week: a whole number."),
           "40", cells.integer, required=True, aliases=("capacità settimanale", "capacita")),
    Column("min_group_per_week", "gruppo minimo per settimana",
           N_("The fewest units that make a week worth running; empty is 0."),
           "8", cells.integer, aliases=("gruppo minimo",)),
    Column("price_tiers", "fasce di prezzo",
           N_("Price per unit and week by volume: minimum volume:price pairs separated by "
              "';', the first at 0 (0:150,00;250:142,50)."),
           "0:150,00;250:142,50", _price_tiers, required=True, aliases=("prezzi", "tariffe")),
    Column("fixed_cost_per_week_eur", "costo fisso per settimana (€)",
           N_("A cost per running week the network pays, in euro; empty is 0."),
           "300,00", cells.decimal, aliases=("costo fisso",)),
    Column("tags", "caratteristiche",
           N_("What the offer provides, separated by ';' (accessible;meals); may be empty."),
           "accessible;meals", cells.split_list, aliases=("etichette", "tag")),
))
COLUMNS = tuple(c.key for c in OFFERS.columns)
REQUIRED = tuple(c.key for c in OFFERS.columns if c.required)


def parse_offers(content: bytes | str, provider_id: str, filename: str | None = None,
                 content_type: str | None = None) -> list[CapacityOffer]:
    if isinstance(content, str):
        content = content.encode("utf-8")
    rows, errors, binding = parse_rows(read_table(content, filename, content_type), OFFERS)
    offers: list[CapacityOffer] = []
    first_row_of: dict[str, int] = {}
    for row in rows:
        if row.fields.get("provider_id", provider_id) != provider_id:
            errors.append(binding.error(row.number, "provider_id", Problem(
                N_("belongs to another provider than the address's"))))
            continue
        if row.bad:
            continue
        try:
            offer = CapacityOffer.model_validate(row.fields)
        except ValidationError as exc:
            errors.extend(model_errors(row.number, exc, binding))
            continue
        if offer.offer_id in first_row_of:
            errors.append(binding.error(row.number, "offer_id", Problem(
                N_("repeats the offer of row {first}"), {"first": first_row_of[offer.offer_id]})))
            continue
        first_row_of[offer.offer_id] = row.number
        offers.append(offer)
    if errors:
        raise SheetRejected(sorted(errors, key=lambda e: e.row))
    return offers

"""The sheets a network load reads, and each row parsed into its contract model.

Firms and providers have no upload of their own (an operator enrols them with
a PUT), so their columns are defined here; lines and offers reuse the upload
kinds' columns (services/intake/adapters/lines_csv.py,
services/supply/adapters/offers_csv.py) with the owner's column first and
required, since one sheet holds every firm's lines.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from pydantic import BaseModel, ValidationError

from schemas.capacity import CapacityOffer, ProviderProfile
from schemas.demand import DemandLine, FirmProfile
from services.common.i18n import N_
from services.common.spreadsheets import cells
from services.common.spreadsheets.columns import (
    Binding,
    Column,
    FileKind,
    model_errors,
    parse_rows,
)
from services.common.spreadsheets.problems import CellError, CellProblem, Problem
from services.common.spreadsheets.reading import Table
from services.intake.adapters.lines_csv import LINES
from services.supply.adapters.offers_csv import OFFERS

_PROVIDER_KINDS = {"socialcooperative": "social_cooperative", "cooperativasociale": "social_cooperative",
                   "cooperativa": "social_cooperative", "association": "association",
                   "associazione": "association", "publicbody": "public_body",
                   "entepubblico": "public_body"}


def provider_kind(value: object) -> str:
    found = _PROVIDER_KINDS.get(cells.fold(cells.text(value)).replace(" ", "").replace("_", ""))
    if found is None:
        raise CellProblem(N_("is not a kind of provider: write cooperativa sociale, "
                             "associazione or ente pubblico"))
    return found


def sector(value: object) -> str:
    letter = cells.text(value).strip().upper()
    if len(letter) != 1 or not "A" <= letter <= "U":
        raise CellProblem(N_("is not an ATECO section: write one letter from A to U"))
    return letter


FIRM_ID = Column("firm_id", "impresa", N_("The firm's id, chosen by the network."), "acme",
                 required=True, aliases=("id impresa", "azienda"))
PROVIDER_ID = Column("provider_id", "ente", N_("The provider's id, chosen by the network."),
                     "coop-gulliver", required=True,
                     aliases=("id ente", "cooperativa", "fornitore"))
NAME = Column("name", "nome", N_("The name people know it by."), "Acme S.r.l.",
              required=True, aliases=("ragione sociale", "denominazione"))

FIRMS = FileKind("firms", (
    FIRM_ID, NAME,
    Column("ateco_sector", "settore ateco", N_("The ATECO 2007 section: one letter, A to U."),
           "C", sector, required=True, aliases=("ateco", "settore")),
    Column("employees", "dipendenti", N_("How many employees the firm has: a whole number."),
           "80", cells.integer, required=True),
    Column("welfare_budget_eur", "budget welfare (€)",
           N_("The firm's welfare budget for the season, in euro: 25.000,00 or 25000.00."),
           "25000,00", cells.decimal, required=True, aliases=("budget", "budget welfare")),
))
PROVIDERS = FileKind("providers", (
    PROVIDER_ID, NAME,
    Column("kind", "tipo",
           N_("What the provider is: cooperativa sociale, associazione or ente pubblico."),
           "cooperativa sociale", provider_kind, required=True, aliases=("natura",)),
))
BULK_LINES = FileKind("lines", (FIRM_ID, *LINES.columns))
BULK_OFFERS = FileKind("offers", (
    dataclasses.replace(OFFERS.columns[0], required=True), *OFFERS.columns[1:]))


@dataclass(frozen=True)
class Kind:
    file_kind: FileKind
    model: type[BaseModel]
    key: str  # the entity's own id
    owner: str | None  # the column naming its firm or provider (lines, offers)
    repeated: str  # msgid for a row repeating an earlier row's id


KINDS = {
    "firms": Kind(FIRMS, FirmProfile, "firm_id", None, N_("repeats the firm of row {first}")),
    "providers": Kind(PROVIDERS, ProviderProfile, "provider_id", None,
                      N_("repeats the provider of row {first}")),
    "lines": Kind(BULK_LINES, DemandLine, "line_id", "firm_id",
                  N_("repeats the line of row {first}")),
    "offers": Kind(BULK_OFFERS, CapacityOffer, "offer_id", "provider_id",
                   N_("repeats the offer of row {first}")),
}
ORDER = ("firms", "providers", "lines", "offers")  # owners before what they own


@dataclass(frozen=True)
class Item:
    """One row read: the entity, its owner (lines, offers), and where it was written."""

    kind: str
    entity: BaseModel
    owner: str | None
    row: int
    binding: Binding
    source: object = None  # the Sheet it was read from (services/loading/sheets.py)

    @property
    def entity_id(self) -> str:
        return getattr(self.entity, KINDS[self.kind].key)


def parse_sheet(kind_name: str, table: Table, k: int) -> tuple[list[Item], list[CellError]]:
    """Every row as its model, or every error of the sheet; ``k`` is the network's
    anonymity threshold, checked here so that intake does not refuse a line mid-load."""
    kind = KINDS[kind_name]
    rows, errors, binding = parse_rows(table, kind.file_kind)
    items: list[Item] = []
    first_row_of: dict[str, int] = {}
    for row in rows:
        if row.bad:
            continue
        fields = dict(row.fields)
        owner = fields.pop(kind.owner, None) if kind.owner else None
        try:
            entity = kind.model.model_validate(fields)
        except ValidationError as exc:
            errors.extend(model_errors(row.number, exc, binding))
            continue
        if kind_name == "lines" and entity.respondents < k:
            errors.append(binding.error(row.number, "respondents", Problem(
                N_("a line must aggregate at least {k} employees (k-anonymity)"), {"k": k})))
            continue
        identity = getattr(entity, kind.key)  # ids are the network's, not the owner's
        if identity in first_row_of:
            errors.append(binding.error(row.number, kind.key, Problem(
                kind.repeated, {"first": first_row_of[identity]})))
            continue
        first_row_of[identity] = row.number
        items.append(Item(kind_name, entity, owner, row.number, binding))
    return items, sorted(errors, key=lambda e: e.row)

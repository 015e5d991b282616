"""Columns several file kinds share, so that "comune" or "settimane" read alike everywhere."""

from __future__ import annotations

from services.common.i18n import N_
from services.common.spreadsheets import cells
from services.common.spreadsheets.columns import Column

CATEGORY = Column(
    "category", "categoria",
    N_("The service: its code (childcare, home_care, family_assistant, babysitting, "
       "concierge) or its name, in Italian or English."),
    "Assistenza domiciliare ai familiari non autosufficienti", cells.category, required=True,
    aliases=("servizio",))
MUNICIPALITY = Column(
    "municipality", "comune",
    N_("The municipality: its ISTAT code (036023; 36023 is read as 036023) or its name "
       "(Modena); a name two municipalities share takes the province: Castro (LE)."),
    "Modena", cells.municipality, required=True, aliases=("codice istat", "istat", "comune istat"))
WEEKS = Column(
    "weeks", "settimane",
    N_("The weeks: ISO weeks separated by ';' (2027-W27;2027-W28), a range "
       "(2027-W27..2027-W35), or dates (05/07/2027, or 05/07/2027..29/08/2027), each "
       "standing for its week."),
    "2027-W27..2027-W35", cells.weeks, required=True, aliases=("settimana", "periodo"))
UNITS = Column(
    "units", "unità",
    N_("Units needed in each of the weeks (children, care hours or sessions): a whole "
       "number."),
    "2", cells.integer, required=True, aliases=("quantità", "quantita"))
MAX_PRICE = Column(
    "max_unit_price_eur", "prezzo massimo unitario (€)",
    N_("The highest price per unit and week accepted, in euro: 120,50 or 120.50."),
    "120,50", cells.decimal, required=True,
    aliases=("prezzo massimo", "prezzo max", "prezzo massimo unitario"))
REQUIRED_TAGS = Column(
    "required_tags", "requisiti",
    N_("What the service must offer, separated by ';' (accessible;meals); may be empty."),
    "accessible;meals", cells.split_list, aliases=("etichette", "tag"))

"""What the table test's sheets say, as an Italian would type them into Calc or Excel.

Good sheets mix every way a cell may be written (codes with and without their
leading zero, names in any case, categories by label, weeks as ranges, lists
and dates, decimal commas, VERO and sì); each bad sheet is a good row (row 2)
and one bad row (row 3), so that refusing it all shows the upload is
all-or-nothing.
"""

from __future__ import annotations

SURVEY_HEADER = ["pseudonimo", "categoria", "comune", "settimane", "unità",
                 "prezzo massimo unitario (€)", "genitore solo",
                 "familiare non autosufficiente", "requisiti"]
_CATEGORIES = ["Centro estivo", "childcare", "Servizi per l'infanzia nelle chiusure scolastiche"]
_MUNICIPALITIES = ["036023", "Modena", "MODENA"]
_WEEKS = ["2027-W27..2027-W29", "05/07/2027..19/07/2027", "2027-W27;2027-W28;2027-W29"]
_PRICES = ["120,50", "95", "1.120,00"]
_YES_NO = ["VERO", "FALSO", "sì", "no"]


def _answer(i: int) -> list[str]:
    return [f"dip-{i:03d}", _CATEGORIES[i % 3], _MUNICIPALITIES[i % 3], _WEEKS[i % 3],
            str(1 + i % 2), _PRICES[i % 3], _YES_NO[i % 4], "FALSO" if i % 2 else "",
            "meals" if i % 2 else ""]


# 12 answers in one cell (k = 10, so it is published) and two below k, in a week
# written as a date, which Calc stores as a date cell.
GOOD_SURVEY = [SURVEY_HEADER, *(_answer(i) for i in range(12)),
               ["dip-100", "Portierato", "Carpi", "12/07/2027", "1", "30", "no", "sì", ""],
               ["dip-101", "concierge", "carpi", "12/07/2027", "2", "30,00", "FALSO", "VERO", ""]]


def _bad(column: int, written: str) -> list[list[str]]:
    row = _answer(1)
    row[column] = written
    return [SURVEY_HEADER, _answer(0), row]


# name -> (sheet, expected (row, column letter, header), Italian words, English words)
BAD_SURVEYS = {
    "bad-number": (_bad(5, "dodici euro"), (3, "F", "prezzo massimo unitario (€)"),
                   "non è un numero", "is not a number"),
    "unknown-municipality": (_bad(2, "Atlantide"), (3, "C", "comune"),
                             "non è né un codice ISTAT né il nome di un comune",
                             "is neither an ISTAT code nor the name of a municipality"),
    "ambiguous-municipality": (_bad(2, "Castro"), (3, "C", "comune"),
                               ("Castro: 2 comuni con questo nome (Castro (BG), Castro (LE)): "
                                "scrivere il codice ISTAT o la provincia"),
                               ("Castro: 2 municipalities have this name (Castro (BG), "
                                "Castro (LE)): write the ISTAT code or the province")),
    "week-out-of-range": (_bad(3, "2027-W50..2027-W54"), (3, "D", "settimane"),
                          "la settimana 54 non esiste nell'anno ISO 2027",
                          "week 54 does not exist in ISO year 2027"),
    "missing-column": ([[c for i, c in enumerate(r) if i != 3] for r in GOOD_SURVEY[:3]],
                       (1, "", "settimane"), "manca la colonna", "the column is missing"),
}

OFFERS_HEADER = ["offerta", "categoria", "comuni", "settimane", "posti per settimana",
                 "gruppo minimo per settimana", "fasce di prezzo",
                 "costo fisso per settimana (€)", "caratteristiche"]
GOOD_OFFERS = [
    OFFERS_HEADER,
    ["coop-gulliver.camp", "Centro estivo", "Modena;Carpi", "2027-W27..2027-W35", "40", "8",
     "0:150,00;250:142,50", "300,00", "meals;accessible"],
    ["coop-gulliver.home", "Assistenza domiciliare ai familiari non autosufficienti", "036023",
     "05/07/2027", "100", "", "0:25", "1.250,00", ""],
]
BAD_OFFERS = [OFFERS_HEADER, GOOD_OFFERS[1],
              [*GOOD_OFFERS[2][:4], "cento", *GOOD_OFFERS[2][5:]]]

LINES_HEADER = ["linea", "categoria", "comune", "settimane", "unità",
                "prezzo massimo unitario (€)", "priorità", "requisiti", "pagante", "rispondenti"]
GOOD_LINES = [
    LINES_HEADER,
    ["acme.camp", "childcare", "Carpi", "2027-W27..2027-W30", "12", "110,00", "2", "",
     "impresa", "12"],
    ["acme.care", "Portierato", "036005", "12/07/2027", "3", "40,5", "1", "meals", "comune",
     "10"],
]

SOURCES = {"survey": GOOD_SURVEY, "offers": GOOD_OFFERS, "lines": GOOD_LINES,
           "offers-bad-number": BAD_OFFERS,
           **{f"survey-{name}": sheet for name, (sheet, *_rest) in BAD_SURVEYS.items()}}

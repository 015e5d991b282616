"""The round's exports on a fixed round (tests/unit/i18n/round_detail.py), read back
as a person's tools would: the CSV with the csv module, the XLSX with openpyxl, the
PDFs with poppler's pdftotext (Debian's poppler-utils)."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from decimal import Decimal

import openpyxl
import pytest

from services.common.i18n import texts
from services.operator.adapters.exports import (
    NotInRound,
    contracts_csv,
    contracts_xlsx,
    firm_statement_pdf,
    provider_award_pdf,
)
from tests.unit.i18n.round_detail import NAMES, fixed_round

# Failing, not skipping, without it: a skipped PDF test would hide a broken PDF.
INSTALL_HINT = ("pdftotext is missing: install Debian's poppler-utils (make test does, "
                "through deploy/tools/ensure-debian-packages.sh poppler-utils:pdftotext)")
PLACES = {"MO-F0001": ("036023", "Modena (MO)"), "MO-F0002": ("036005", "Carpi (MO)")}
CATEGORY = {"MO-P0003.camp": "childcare", "MO-P0007.care": "home_care"}


def named_round() -> dict:
    """The fixed round with the names and places its snapshot carries in a real round."""
    detail = fixed_round()
    for contract in detail["contracts"]:
        contract["provider_name"] = NAMES[contract["provider_id"]]
        for offer in contract["offers"]:
            for line in offer["lines"]:
                line["firm_name"] = NAMES[line["firm_id"]]
                line["municipality"], line["municipality_name"] = PLACES[line["firm_id"]]
                line["category"] = CATEGORY[offer["offer_id"]]
    detail["contracts"][0]["offers"][0]["lines"][0]["required_tags"] = ["meals"]
    for firm in detail["firms"]:
        firm["firm_name"] = NAMES[firm["firm_id"]]
    detail["names"] = {k: v for k, v in NAMES.items() if "." in k}  # the offers' names
    return detail


EXPECTED_IT = [
    ["Impresa", "Fornitore", "Offerta", "Comune", "Categoria", "Settimane", "Unità",
     "Prezzo unitario settimanale (€)", "Costo (€)"],
    ["Ceramiche Rossi (MO-F0001)", "Asilo Nido Arcobaleno (MO-P0003)",
     "Centro estivo Arcobaleno (MO-P0003.camp)", "Modena (MO)",
     "Servizi per l'infanzia nelle chiusure scolastiche", "2027-W27–2027-W28", "12",
     "120,00", "2880,00"],
    ["Tipografia Bassi (MO-F0002)", "Asilo Nido Arcobaleno (MO-P0003)",
     "Centro estivo Arcobaleno (MO-P0003.camp)", "Carpi (MO)",
     "Servizi per l'infanzia nelle chiusure scolastiche", "2027-W27–2027-W28", "8",
     "120,00", "1920,00"],
    ["Ceramiche Rossi (MO-F0001)", "Cooperativa Sociale Il Faro (MO-P0007)",
     "Assistenza domiciliare Il Faro (MO-P0007.care)", "Modena (MO)",
     "Assistenza domiciliare ai familiari non autosufficienti", "2027-W27", "300", "22,50",
     "6750,00"],
]


def pdf_text(content: bytes, tmp_path) -> str:
    """pdftotext's reading of a PDF, whitespace folded (a wrapped line still matches)."""
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        raise RuntimeError(INSTALL_HINT)
    path = tmp_path / "doc.pdf"
    path.write_bytes(content)
    done = subprocess.run([pdftotext, "-enc", "UTF-8", str(path), "-"], check=True,
                          capture_output=True, text=True)
    return re.sub(r"\s+", " ", done.stdout.replace("\u00a0", " "))


def test_the_categories_are_as_the_catalogue_words_them():
    # Guards EXPECTED_IT against a change of wording in the catalogue.
    t = texts("it")
    from services.common.i18n import words
    assert EXPECTED_IT[1][4] == words.category(t, "childcare")
    assert EXPECTED_IT[3][4] == words.category(t, "home_care")


def test_the_italian_csv_reads_back_in_excels_italian_dialect():
    content = contracts_csv(texts("it"), named_round())
    assert content.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads UTF-8
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert rows == EXPECTED_IT


def test_the_english_csv_uses_commas_and_decimal_points():
    content = contracts_csv(texts("en"), named_round())
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0] == ["Firm", "Provider", "Offer", "Municipality", "Category", "Weeks",
                       "Units", "Unit price per week (€)", "Cost (€)"]
    assert rows[1][4] == "Childcare during school closures"
    assert rows[1][-3:] == ["12", "120.00", "2880.00"]
    assert rows[3][-3:] == ["300", "22.50", "6750.00"]


def test_the_xlsx_reads_back_equal_with_typed_cells():
    book = openpyxl.load_workbook(io.BytesIO(contracts_xlsx(texts("it"), named_round())))
    sheet = book["Contratti"]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    expected = [EXPECTED_IT[0]] + [
        row[:6] + [int(row[6]), Decimal(row[7].replace(",", ".")),
                   Decimal(row[8].replace(",", "."))] for row in EXPECTED_IT[1:]]
    assert [row[:7] for row in rows] == [row[:7] for row in expected]
    assert [[Decimal(str(v)) for v in row[7:]] for row in rows[1:]] == [
        row[7:] for row in expected[1:]]
    units, price, cost = sheet["G2"], sheet["H2"], sheet["I2"]
    assert isinstance(units.value, int) and units.data_type == "n"
    assert price.data_type == "n" and "€" in price.number_format and "€" in cost.number_format
    assert sheet["F4"].value == "2027-W27" and sheet["F4"].data_type == "s"


def test_a_line_over_weeks_with_a_gap_names_each_run():
    detail = named_round()
    detail["contracts"][1]["offers"][0]["lines"][0]["weeks"] = [
        "2027-W27", "2027-W28", "2027-W30", "2027-W52", "2028-W01"]
    rows = list(csv.reader(io.StringIO(contracts_csv(texts("it"), detail).decode("utf-8-sig")),
                           delimiter=";"))
    assert rows[3][5] == "2027-W27–2027-W28, 2027-W30, 2027-W52–2028-W01"


def test_the_italian_statement_holds_the_firms_lines_reasons_and_smallest_change(tmp_path):
    text = pdf_text(firm_statement_pdf(texts("it"), named_round(), "MO-F0002"), tmp_path)
    assert "Rendiconto di Tipografia Bassi (MO-F0002)" in text
    assert "Cosa ricevete" in text
    assert ("Centro estivo Arcobaleno (MO-P0003.camp) di Asilo Nido Arcobaleno (MO-P0003)"
            in text)
    assert "8 unità, settimane 2027-W27–2027-W28, a 120,00 € per unità-settimana: 1.920,00 €" \
        in text
    assert "Servizi per l'infanzia nelle chiusure scolastiche a Carpi (MO)" in text
    assert "Cosa non è servito, e perché" in text
    assert "20 unità: il budget welfare dell'impresa è esaurito" in text
    assert ("la modifica più piccola: 2.400,00 € di budget in più per Tipografia Bassi "
            "(MO-F0002) pagherebbero 20 unità in più presso Centro estivo Arcobaleno "
            "(MO-P0003.camp)") in text
    assert "2 unità: nessun fornitore offre questo servizio nel comune" in text
    assert "nessuna singola modifica basterebbe a servirle" in text
    assert "costo 1.920,00 € su un budget di 1.920,00 €" in text
    assert "Ceramiche Rossi" not in text  # another firm's lines are not its business


def test_the_english_statement_says_the_same_in_english(tmp_path):
    text = pdf_text(firm_statement_pdf(texts("en"), named_round(), "MO-F0001"), tmp_path)
    assert "Statement for Ceramiche Rossi (MO-F0001)" in text
    assert "12 units, weeks 2027-W27–2027-W28, at €120.00 per unit-week: €2,880.00" in text
    assert "300 units, weeks 2027-W27, at €22.50 per unit-week: €6,750.00" in text
    assert "needs: meals" in text
    assert "4 units:" in text
    assert ("smallest change: 6 more units in week 29, 19–25 July 2027 would open "
            "Centro estivo Arcobaleno (MO-P0003.camp)") in text
    assert "Tipografia Bassi" not in text


def test_the_award_names_the_provider_its_offers_and_the_lines_to_staff(tmp_path):
    it = pdf_text(provider_award_pdf(texts("it"), named_round(), "MO-P0003"), tmp_path)
    assert "Aggiudicazione per Asilo Nido Arcobaleno (MO-P0003)" in it
    assert "Centro estivo Arcobaleno (MO-P0003.camp)" in it
    assert "fascia 2 a 120,00 € per unità-settimana" in it
    assert "settimana 27, 5–11 luglio 2027: 20 unità" in it
    assert "Ceramiche Rossi (MO-F0001)" in it and "Tipografia Bassi (MO-F0002)" in it
    assert "totale 4.800,00 €" in it
    assert "Il Faro" not in it  # the other provider's contract
    en = pdf_text(provider_award_pdf(texts("en"), named_round(), "MO-P0007"), tmp_path)
    assert "Award to Cooperativa Sociale Il Faro (MO-P0007)" in en
    assert "awaiting an answer" in en
    assert "300 units, weeks 2027-W27, at €22.50 per unit-week: €6,750.00" in en
    assert "Home care for dependent relatives in Modena (MO)" in en


def test_a_firm_or_provider_the_round_does_not_name_is_told():
    with pytest.raises(NotInRound, match="no firm 'MO-F9999'"):
        firm_statement_pdf(texts("it"), named_round(), "MO-F9999")
    with pytest.raises(NotInRound, match="no contract with provider 'MO-P9999'"):
        provider_award_pdf(texts("it"), named_round(), "MO-P9999")


def test_a_name_outside_windows_1252_prints_rather_than_failing():
    detail = named_round()
    detail["firms"][0]["firm_name"] = "Ceramiche Rossi \u0141\u00f3d\u017a \u2212"
    assert firm_statement_pdf(texts("it"), detail, "MO-F0001").startswith(b"%PDF")

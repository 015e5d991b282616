"""Files as rows: dialects sniffed, headers matched, errors at row and column; templates."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook

from services.common.i18n import texts
from services.common.i18n.language import language_of_request
from services.common.spreadsheets import SheetRejected, read_table
from services.common.spreadsheets.reading import column_letter
from services.common.spreadsheets.templates import files
from services.intake.adapters.lines_csv import LINES, parse_lines
from services.intake.adapters.survey_csv import SURVEY, parse_survey
from services.supply.adapters.offers_csv import OFFERS, parse_offers

ITALIAN = ("pseudonimo;categoria;Comune;settimane;Unità;prezzo massimo unitario (€);"
           "genitore solo\r\n"
           "dip-1;Centro estivo;Forlì;2027-W27..2027-W28;2;\"1.120,50\";VERO\r\n")


def test_column_letters_as_the_spreadsheet_names_them():
    assert [column_letter(i) for i in (0, 25, 26, 27, 701, 702)] == [
        "A", "Z", "AA", "AB", "ZZ", "AAA"]


@pytest.mark.parametrize("encode", [
    lambda text: text.encode("cp1252"),
    lambda text: text.encode("utf-8"),
    lambda text: "\ufeff".encode() + text.encode("utf-8"),
    lambda text: text.replace(";", "\t").encode("utf-8"),
    lambda text: text.replace(";", ",").replace('"1.120,50"', '"1.120,50"').encode("utf-8"),
], ids=["windows-1252", "utf-8", "utf-8-bom", "tab", "comma"])
def test_every_csv_dialect_reads_the_same_answer(encode):
    answer, = parse_survey(encode(ITALIAN), "acme")
    assert (answer.municipality, answer.weeks, str(answer.max_unit_price_eur),
            answer.single_parent) == ("040012", ["2027-W27", "2027-W28"], "1120.50", True)


def xlsx(rows: list[list]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_xlsx_is_read_with_the_cells_excel_typed():
    import datetime as dt
    content = xlsx([["pseudonym", "category", "municipality", "weeks", "units",
                     "max_unit_price_eur", "single_parent"],
                    ["dip-1", "childcare", 36023, dt.datetime(2027, 7, 5), 2, 120.5, True],
                    [None, None, None, None, None, None, None]])
    answer, = parse_survey(content, "acme", "survey.xlsx")
    assert (answer.municipality, answer.weeks, str(answer.max_unit_price_eur),
            answer.single_parent) == ("036023", ["2027-W27"], "120.5", True)


def test_a_broken_xlsx_and_an_empty_file_are_refused_as_files():
    for content in (b"PK\x03\x04 not really a zip", b"  \n"):
        with pytest.raises(SheetRejected) as caught:
            read_table(content, "x.xlsx")
        assert caught.value.errors[0].row == 0


def test_a_missing_column_is_named_by_its_italian_header_in_row_1():
    with pytest.raises(SheetRejected) as caught:
        parse_survey("pseudonimo;categoria\r\np1;childcare\r\n", "acme")
    body = caught.value.body("it")
    assert [e["header"] for e in body["errors"]] == [
        "comune", "settimane", "unità", "prezzo massimo unitario (€)"]
    assert body["errors"][0]["where"] == "riga 1, colonna comune"
    assert body["errors"][0]["message"] == "manca la colonna (la sua intestazione è comune)"


def test_every_bad_cell_is_named_by_row_column_letter_and_header_in_both_languages():
    content = ITALIAN + "dip-2;Centro estivo;Castro;2027-W54;due;120;forse\r\n"
    with pytest.raises(SheetRejected) as caught:
        parse_survey(content, "acme")
    italian, english = caught.value.body("it"), caught.value.body("en")
    assert [(e["row"], e["column"], e["header"]) for e in italian["errors"]] == [
        (3, "C", "Comune"), (3, "D", "settimane"), (3, "E", "Unità"), (3, "G", "genitore solo")]
    assert italian["errors"][0]["where"] == "riga 3, colonna C (Comune)"
    assert english["errors"][0]["where"] == "row 3, column C (Comune)"
    assert italian["errors"][1]["message"].startswith("la settimana 54 non esiste")
    assert english["errors"][1]["message"].startswith("week 54 does not exist")
    assert italian["error"].endswith("e altri 1")


def test_bounds_of_the_contract_are_told_at_their_column_in_words():
    with pytest.raises(SheetRejected) as caught:
        parse_survey(ITALIAN.replace(";2;", ";5000;"), "acme")
    error, = caught.value.body("it")["errors"]
    assert (error["column"], error["message"]) == ("E", "deve essere al massimo 1000")


def test_offers_and_lines_read_italian_sheets_too():
    offer, = parse_offers(
        "offerta;categoria;comuni;settimane;posti per settimana;fasce di prezzo\r\n"
        "o1;Portierato;Modena;Carpi;05/07/2027;40;\"0:150,00;250:142,50\"\r\n"
        .replace("Modena;Carpi", "\"Modena;Carpi\""), "coop-gulliver")
    assert (offer.municipalities, [str(t.unit_price_eur) for t in offer.price_tiers]) == (
        ["036005", "036023"], ["150.00", "142.50"])
    line, = parse_lines("linea;categoria;comune;settimane;unità;prezzo massimo;rispondenti;"
                        "pagante\r\nl1;childcare;Modena;2027-W27;3;90;12;comune\r\n", 10)
    assert (line.respondents, line.payer.value) == (12, "municipality")
    with pytest.raises(SheetRejected) as caught:
        parse_lines("linea;categoria;comune;settimane;unità;prezzo massimo;rispondenti\r\n"
                    "l1;childcare;Modena;2027-W27;3;90;4\r\n", 10)
    assert caught.value.body("it")["errors"][0]["message"] == (
        "una linea deve aggregare almeno 10 dipendenti (k-anonimato)")


@pytest.mark.parametrize(("header", "language"), [
    (None, "it"), ("", "it"), ("en", "en"), ("en-GB,en;q=0.9", "en"), ("fr, en;q=0.5", "en"),
    ("de", "it"), ("it;q=0.5, en;q=0.8", "en"), ("en;q=0", "it"),
])
def test_the_request_language_from_accept_language(header, language):
    assert language_of_request(header) == language


@pytest.mark.parametrize("kind", [SURVEY, LINES, OFFERS], ids=lambda k: k.name)
def test_templates_have_the_italian_headers_and_an_explained_column_each(kind):
    made = files(kind, texts("it"))
    headers = [c.header for c in kind.columns]
    assert made[f"{kind.name}.csv"].decode("utf-8-sig").strip() == ";".join(headers)
    guide = made[f"{kind.name}-istruzioni.csv"].decode("utf-8-sig").splitlines()
    assert guide[0] == "Colonna;Obbligatoria;Che cosa scrivere;Esempio"
    assert len(guide) == len(headers) + 1
    book = load_workbook(io.BytesIO(made[f"{kind.name}.xlsx"]), read_only=True)
    assert book.sheetnames == ["Dati", "Istruzioni"]
    assert [c.value for c in next(book["Dati"].iter_rows(max_row=1))] == headers
    explained = list(book["Istruzioni"].iter_rows(min_row=2, values_only=True))
    assert [row[0] for row in explained] == headers
    assert all(row[2] and row[3] for row in explained)


def test_a_template_filled_with_its_own_examples_is_accepted():
    for kind, parse in ((SURVEY, lambda c: parse_survey(c, "acme")),
                        (LINES, lambda c: parse_lines(c, 10)),
                        (OFFERS, lambda c: parse_offers(c, "coop-gulliver"))):
        row = ";".join(f'"{c.example}"' for c in kind.columns
                       if c.key not in ("firm_id", "provider_id"))
        header = ";".join(c.header for c in kind.columns if c.key not in ("firm_id",
                                                                          "provider_id"))
        assert len(parse(f"{header}\r\n{row}\r\n".encode())) == 1, kind.name


def test_the_cli_writes_every_template(tmp_path, capsys):
    from services.cli.main import main

    assert main(["templates", "write", str(tmp_path / "modelli"), "--lang", "en"]) == 0
    written = sorted(p.name for p in (tmp_path / "modelli").iterdir())
    assert written == sorted(f"{kind}{end}" for kind in ("survey", "lines", "offers")
                             for end in (".csv", "-istruzioni.csv", ".xlsx"))
    guide = (tmp_path / "modelli" / "offers-istruzioni.csv").read_bytes().decode("utf-8-sig")
    assert guide.startswith("Column;Required;What to write;Example")
    assert str(tmp_path / "modelli" / "survey.xlsx") in capsys.readouterr().out

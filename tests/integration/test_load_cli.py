"""``welfare load`` on a workbook LibreOffice wrote, against real intake and supply.

The sheets are typed as an Italian types them (``25000,00``, ``Modena``,
``cooperativa sociale``), opened by LibreOffice headless in it-IT, and saved
as one XLSX workbook with a sheet per kind (tests/integration/spreadsheets/
libreoffice.py); intake and supply run whole on the test's embedded broker and
database (SQLite and PostgreSQL). The CLI talks to them over HTTP only.
"""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

import pytest

from schemas.topics import CAPACITY, DEMAND
from services.cli.main import main
from services.common.kafka import KafkaConnection
from services.intake.bootstrap import build as build_intake
from services.supply.bootstrap import build as build_supply
from tests.integration.intake.running import TOKENS, auth, read_topic, running, with_tokens
from tests.integration.spreadsheets import libreoffice

pytestmark = [pytest.mark.broker, pytest.mark.postgres]

FIRMS = [["impresa", "nome", "settore ateco", "dipendenti", "budget welfare (€)"],
         ["acme", "Acme S.r.l.", "C", "80", "25000,00"],
         ["bolts", "Bulloneria Emiliana S.p.A.", "C", "120", "40.000,50"]]
PROVIDERS = [["ente", "nome", "tipo"],
             ["coop-gulliver", "Cooperativa Gulliver", "cooperativa sociale"]]
LINES = [["impresa", "linea", "categoria", "comune", "settimane", "unità",
          "prezzo massimo unitario (€)", "rispondenti"],
         ["acme", "acme.camp", "childcare", "Modena", "2027-W27..2027-W29", "4", "120,50", "12"],
         ["bolts", "bolts.care", "home_care", "036005", "2027-W28", "2", "30,00", "11"]]
OFFERS = [["ente", "offerta", "categoria", "comuni", "settimane", "posti per settimana",
           "fasce di prezzo"],
          ["coop-gulliver", "coop-gulliver.camp", "childcare", "Modena;Carpi",
           "2027-W27..2027-W35", "40", "0:150,00;250:142,50"]]
SHEETS = {"Imprese": FIRMS, "Enti": PROVIDERS, "Linee": LINES, "Offerte": OFFERS}


def libreoffice_workbook(root: Path, sheets: dict[str, list[list[str]]]) -> Path:
    """One XLSX with a sheet per kind, written by LibreOffice: each sheet imported from
    CSV as Calc in it-IT types it, gathered into one workbook, saved again by Calc."""
    from openpyxl import Workbook, load_workbook

    made = libreoffice.convert(libreoffice.write_sources(root / "source", sheets), root)
    gathered = Workbook()
    gathered.remove(gathered.active)
    for name, path in made["xlsx"].items():
        sheet = gathered.create_sheet(name)
        for row in load_workbook(path).worksheets[0].iter_rows(values_only=True):
            sheet.append(row)
    (root / "gathered").mkdir()
    gathered.save(root / "gathered" / "rete.xlsx")
    subprocess.run([libreoffice.soffice(), f"-env:UserInstallation={(root / 'profile').as_uri()}",
                    "--headless", "--norestore", "--convert-to", "xlsx:Calc MS Excel 2007 XML",
                    "--outdir", str(root / "calc"), str(root / "gathered" / "rete.xlsx")],
                   check=True, capture_output=True, timeout=300)
    return root / "calc" / "rete.xlsx"


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("load")
    good = libreoffice_workbook(root / "good", SHEETS)
    bad_lines = [row[:] for row in LINES]
    bad_lines[2][6] = "trenta euro"  # row 3, column G: not a number
    bad = libreoffice_workbook(root / "bad", {**SHEETS, "Linee": bad_lines})
    # The same sheets as a directory of CSV files, as Calc in Italian saves them
    # (";"-separated, Windows-1252), named by kind; libreoffice_workbook made them.
    return {"good": good, "bad": bad, "directory": root / "good" / "semicolon-1252"}


async def welfare(capsys, *argv: str) -> tuple[int, str, str]:
    """The CLI as a user runs it, in a thread: the services serve on this event loop."""
    code = await asyncio.to_thread(main, list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def connection(intake, supply, token_file: Path) -> list[str]:
    return ["--intake-url", str(intake.base_url), "--supply-url", str(supply.base_url),
            "--token-file", str(token_file)]


@pytest.fixture
def token_file(tmp_path) -> Path:
    path = tmp_path / "operator.token"
    path.write_text(TOKENS[("operator", "ops")] + "\n")
    return path


async def held(intake, supply) -> tuple:
    operator = auth("operator", "ops")
    firms = sorted((await intake.get("/v1/firms", headers=operator)).json())
    demand = {f: [(p["line"]["line_id"], p["entity_version"]) for p in (await intake.get(
        f"/v1/firms/{f}/demand", headers=operator)).json()["lines"]] for f in firms}
    providers = sorted((await supply.get("/v1/providers", headers=operator)).json())
    offers = {p: [(o["offer"]["offer_id"], o["entity_version"]) for o in (await supply.get(
        f"/v1/providers/{p}/offers", headers=operator)).json()] for p in providers}
    return firms, demand, providers, offers


async def test_load_creates_then_changes_nothing_and_dry_run_changes_nothing(
        services, settings, workbooks, token_file, capsys):
    intake, supply = services
    args = ["load", str(workbooks["good"]), "--network", "modena", "--lang", "en",
            *connection(intake, supply, token_file)]

    code, out, err = await welfare(capsys, *args, "--dry-run")
    assert code == 0, err
    assert "dry run: nothing is changed" in out
    assert "firms: 2 to create, 0 to update, 0 unchanged" in out
    assert "+ acme (Acme S.r.l.)" in out
    assert "+ acme.camp of Acme S.r.l. (acme)" in out
    assert "+ coop-gulliver.camp of Cooperativa Gulliver (coop-gulliver)" in out
    assert await held(intake, supply) == ([], {}, [], {})

    code, out, err = await welfare(capsys, *args)
    assert code == 0, err
    assert "demand lines: 2 created, 0 updated, 0 unchanged" in out
    first = await held(intake, supply)
    assert first == (["acme", "bolts"], {"acme": [("acme.camp", 1)], "bolts": [("bolts.care", 1)]},
                     ["coop-gulliver"], {"coop-gulliver": [("coop-gulliver.camp", 1)]})
    line = (await intake.get("/v1/firms/acme/demand", headers=auth("operator", "ops"))
            ).json()["lines"][0]["line"]
    assert (line["municipality"], line["max_unit_price_eur"], line["weeks"]) == (
        "036023", "120.50", ["2027-W27", "2027-W28", "2027-W29"])
    firm = (await intake.get("/v1/firms/bolts", headers=auth("operator", "ops"))).json()
    assert firm["firm"]["welfare_budget_eur"] in ("40000.50", "40000.5")
    # 2 FirmEnrolled + 2 DemandSubmitted; 1 ProviderEnrolled + 1 CapacityOffered.
    published = len(await read_topic(settings.kafka_bootstrap, [DEMAND, CAPACITY], 6))
    assert published == 6

    code, out, err = await welfare(capsys, *args)
    assert code == 0, err
    assert "nothing to change" in out
    assert "offers: 0 to create, 0 to update, 1 unchanged" in out
    assert await held(intake, supply) == first
    assert len(await read_topic(settings.kafka_bootstrap, [DEMAND, CAPACITY], 6)) == published

    code, out, err = await welfare(capsys, *args, "--dry-run")
    assert (code, await held(intake, supply)) == (0, first)


async def test_a_bad_cell_is_named_by_file_sheet_row_and_column_and_nothing_is_loaded(
        services, workbooks, token_file, capsys):
    intake, supply = services
    base = ["load", str(workbooks["bad"]), "--network", "modena",
            *connection(intake, supply, token_file)]
    code, out, err = await welfare(capsys, *base)  # Italian by default
    assert code == 2
    assert ("rete.xlsx, foglio Linee, riga 3, colonna G (prezzo massimo unitario (€)): "
            "non è un numero") in err, err
    assert "nulla è stato caricato" in err
    code, out, err = await welfare(capsys, *base, "--lang", "en")
    assert code == 2
    assert "rete.xlsx, sheet Linee, row 3, column G (prezzo massimo unitario (€)): " \
           "is not a number" in err, err
    assert await held(intake, supply) == ([], {}, [], {})


@pytest.fixture
async def services(settings):
    """Intake and supply on this test's broker and database, as in the upload tests."""
    configured = with_tokens(settings)
    async with running(build_intake(configured, KafkaConnection.from_settings(configured))) \
            as intake, \
            running(build_supply(configured, KafkaConnection.from_settings(configured))) as supply:
        yield intake, supply


async def test_a_directory_of_italian_csv_files_loads_the_same_as_the_workbook(
        services, workbooks, token_file, capsys):
    intake, supply = services
    common = ["--network", "modena", "--lang", "en", *connection(intake, supply, token_file)]
    code, out, err = await welfare(capsys, "load", str(workbooks["directory"]), *common)
    assert code == 0, err
    loaded = await held(intake, supply)
    assert loaded[0] == ["acme", "bolts"]
    code, out, err = await welfare(capsys, "load", str(workbooks["good"]), *common)
    assert (code, "nothing to change" in out) == (0, True), out
    assert await held(intake, supply) == loaded


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the words, not the store
async def test_a_services_refusal_stops_the_load_in_the_clis_language(
        services, token_file, tmp_path, capsys, monkeypatch):
    for name in ("WELFARE_LOCALE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)  # Italian unless --lang says otherwise
    intake, supply = services
    operator = auth("operator", "ops")
    for firm in ("acme", "bolts"):
        assert (await intake.put(f"/v1/firms/{firm}", headers=operator, json={
            "network_id": "modena", "firm": {"firm_id": firm, "name": firm, "ateco_sector": "C",
                                             "employees": 50, "welfare_budget_eur": "1000.00"}})
                ).status_code == 200
    line = {"line_id": "shared.line", "category": "childcare", "municipality": "036023",
            "weeks": ["2027-W27"], "units": 4, "max_unit_price_eur": "120.00",
            "respondents": 12}
    assert (await intake.put("/v1/firms/bolts/demand/shared.line", headers=operator,
                             json={"line": line})).status_code == 200
    # acme's sheet takes bolts's line id: intake refuses the PUT with 409.
    sheets = tmp_path / "sheets"
    sheets.mkdir()
    (sheets / "linee.csv").write_text(
        ",".join(LINES[0]) + "\nacme,shared.line,childcare,036023,2027-W27,4,120.00,12\n")
    args = ["load", str(sheets), "--network", "modena", *connection(intake, supply, token_file)]

    code, _, italian = await welfare(capsys, *args)
    assert code == 2, italian
    assert "welfare: error: il caricamento si è fermato: PUT " in italian
    assert italian.rstrip().endswith(
        "/v1/firms/acme/demand/shared.line: 409 l'id di riga 'shared.line' è già usato da "
        "un'altra impresa")
    code, _, english = await welfare(capsys, *args, "--lang", "en")
    assert code == 2, english
    assert english.rstrip().endswith(
        "/v1/firms/acme/demand/shared.line: 409 line id 'shared.line' is already used by "
        "another firm")

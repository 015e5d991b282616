"""The round's exports as downloads from the operator API (services/operator/downloads.py),
on a round solved for real on a small book in the matcher's database and read through the
matcher's read API (conftest.py). The files' content is tested in tests/unit/exports."""

from __future__ import annotations

import asyncio
import csv
import io
import shutil
import subprocess

import httpx
import openpyxl
import pytest
from prometheus_client import CollectorRegistry

from services.cli.main import main
from services.common.auth import Role, issue
from services.common.consumer import Inbox
from services.common.database import database_url, make_engine
from services.common.kafka import KafkaConnection
from services.common.metrics import ServiceMetrics
from services.matcher.adapters import tables
from services.matcher.bootstrap import NAME
from services.matcher.service_layer.handlers import Handlers
from services.operator.bootstrap import build
from tests.integration.matcher_service.conftest import run_inline
from tests.integration.operator.book import seed_round
from tests.support.services import running
from tests.unit.matcher_service import builders as b

# SQLite only: the downloads only read what the matcher's read API returns, and that
# API's reads are tested on both databases (tests/integration/operator/test_firm_outcome.py).
pytestmark = [pytest.mark.broker,
              pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)]


SMALL_BOOK = [
    *b.small_book(),
    # Below every home-care offer's price: not served, with the change that would serve it.
    b.line("ceramiche.care", "ceramiche", units=3, category="home_care", price="50.00"),
]


async def run_round(settings, round_id: str, *, dry_run: bool, book: list = ()) -> None:
    """Book events, then one round solved in this process, as the matcher would."""
    engine = make_engine(database_url(settings, NAME))  # migrated by conftest.py
    handlers = Handlers(engine, Inbox(tables.processed_events),
                        ServiceMetrics(CollectorRegistry(), NAME))
    try:
        for event in book:
            await handlers.book(event)
        await handlers.start_round(b.start_round(round_id, dry_run=dry_run))
        assert await asyncio.to_thread(run_inline, engine) == round_id
    finally:
        engine.dispose()


@pytest.fixture
async def downloads(settings):
    operator = issue(settings.tokens_file, Role.OPERATOR, "ops-modena")
    firm = issue(settings.tokens_file, Role.FIRM, "ceramiche")
    provider = issue(settings.tokens_file, Role.PROVIDER, "gulliver")
    await run_round(settings, "modena.r1", dry_run=False, book=SMALL_BOOK)
    async with running(build(settings, KafkaConnection.from_settings(settings))) as url, \
            httpx.AsyncClient(base_url=url, timeout=30) as client:
        async def get(path: str, token: str | None = operator, **headers: str) -> httpx.Response:
            if token:
                headers["Authorization"] = f"Bearer {token}"
            return await client.get(path, headers=headers)
        get.firm_token = firm  # type: ignore[attr-defined]
        get.provider_token = provider  # type: ignore[attr-defined]
        get.url, get.operator_token = url, operator  # type: ignore[attr-defined]
        yield get


async def test_an_operator_downloads_the_contracts_as_csv_and_xlsx(downloads):
    italian = await downloads("/v1/rounds/modena.r1/contracts.csv")
    english = await downloads("/v1/rounds/modena.r1/contracts.csv", **{"Accept-Language": "en"})
    workbook = await downloads("/v1/rounds/modena.r1/contracts.xlsx?lang=en")

    assert italian.status_code == 200, italian.text
    assert italian.headers["content-type"].startswith("text/csv")
    assert 'filename="modena.r1-contracts.csv"' in italian.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(italian.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Impresa", "Fornitore", "Offerta"]
    firms = sorted(row[0] for row in rows[1:])
    assert firms == ["Ceramiche (ceramiche)", "Tessile (tessile)", "Tessile (tessile)"]

    english_rows = list(csv.reader(io.StringIO(english.content.decode("utf-8-sig"))))
    assert english_rows[0][0] == "Firm" and len(english_rows) == len(rows)

    assert workbook.status_code == 200, workbook.text
    sheet = openpyxl.load_workbook(io.BytesIO(workbook.content))["Contracts"]
    read_back = [list(row) for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert [row[:6] for row in read_back] == [row[:6] for row in english_rows[1:]]
    assert [row[6] for row in read_back] == [int(row[6]) for row in english_rows[1:]]


async def test_an_operator_downloads_a_statement_and_an_award_as_pdf(downloads, tmp_path):
    statement = await downloads("/v1/rounds/modena.r1/firms/ceramiche/statement.pdf")
    award = await downloads("/v1/rounds/modena.r1/providers/gulliver/award.pdf?lang=en")
    assert statement.status_code == 200, statement.text
    assert statement.headers["content-type"] == "application/pdf"
    assert "Rendiconto di Ceramiche (ceramiche)" in pdf_text(statement.content, tmp_path)
    assert award.status_code == 200, award.text
    text = pdf_text(award.content, tmp_path)
    assert "Award to" in text and "(gulliver)" in text and "(ceramiche)" in text


async def test_the_downloads_refuse_others_and_name_what_is_missing(downloads, settings):
    seed_round(settings, "modena.r2", dry_run=False, status="running")
    running_round = await downloads("/v1/rounds/modena.r2/contracts.xlsx")
    unknown_firm = await downloads("/v1/rounds/modena.r1/firms/nobody/statement.pdf")
    unknown_provider = await downloads("/v1/rounds/modena.r1/providers/nobody/award.pdf")
    unknown_round = await downloads("/v1/rounds/modena.r9/contracts.csv")
    bad_language = await downloads("/v1/rounds/modena.r1/contracts.csv?lang=fr")
    anonymous = await downloads("/v1/rounds/modena.r1/contracts.csv", token=None)

    assert running_round.status_code == 409 and running_round.json()["code"] == "conflict"
    assert running_round.json()["error"] == (  # Italian: the request asks for no other
        "il round 'modena.r2' è in corso: i suoi contratti si potranno esportare quando sarà "
        "completato")
    assert unknown_firm.status_code == 404 and unknown_firm.json()["code"] == "not_found"
    assert unknown_firm.json()["error"] == "il round 'modena.r1' non comprende l'impresa 'nobody'"
    assert unknown_provider.status_code == 404
    assert unknown_provider.json()["error"] == (
        "il round 'modena.r1' non ha contratti con il fornitore 'nobody'")
    assert unknown_round.status_code == 404
    assert unknown_round.json()["error"] == "nessun round 'modena.r9'"
    assert bad_language.status_code == 422 and "lang" in bad_language.text
    assert anonymous.status_code == 401


async def test_the_downloads_refusals_are_said_in_english_when_asked(downloads, settings):
    seed_round(settings, "modena.r2", dry_run=False, status="running")
    english = {"Accept-Language": "en"}
    running_round = await downloads("/v1/rounds/modena.r2/contracts.xlsx", **english)
    unknown_firm = await downloads("/v1/rounds/modena.r1/firms/nobody/statement.pdf",
                                   **english)
    unknown_provider = await downloads("/v1/rounds/modena.r1/providers/nobody/award.pdf",
                                       **english)
    unknown_round = await downloads("/v1/rounds/modena.r9/contracts.csv", **english)

    assert running_round.status_code == 409 and running_round.json()["code"] == "conflict"
    assert running_round.json()["error"] == (
        "round 'modena.r2' is running: its contracts can be exported once it has completed")
    assert unknown_firm.status_code == 404 and unknown_firm.json()["code"] == "not_found"
    assert unknown_firm.json()["error"] == "round 'modena.r1' has no firm 'nobody'"
    assert unknown_provider.json()["error"] == (
        "round 'modena.r1' has no contract with provider 'nobody'")
    assert unknown_round.json()["error"] == "no round 'modena.r9'"


async def test_a_firm_told_its_round_is_missing_hears_it_in_its_language(downloads):
    # Read through the matcher's slice of a committed round (RoundReader.round_of_firm).
    path = "/v1/rounds/modena.r9/firms/ceramiche/statement.pdf"
    italian = await downloads(path, token=downloads.firm_token)
    english = await downloads(path, token=downloads.firm_token, **{"Accept-Language": "en"})
    provider = await downloads("/v1/rounds/modena.r9/providers/gulliver/award.pdf",
                               token=downloads.provider_token, **{"Accept-Language": "en"})
    assert italian.status_code == english.status_code == 404
    assert italian.json()["code"] == english.json()["code"] == "not_found"
    assert italian.json()["error"] == (
        "nessun round confermato 'modena.r9' con l'impresa 'ceramiche'")
    assert english.json()["error"] == "no committed round 'modena.r9' with firm 'ceramiche'"
    assert provider.json()["error"] == (
        "no committed round 'modena.r9' with a contract of provider 'gulliver'")


async def test_an_operator_downloads_the_round_report_as_pdf(downloads, tmp_path):
    report = await downloads("/v1/rounds/modena.r1/report.pdf")
    english = await downloads("/v1/rounds/modena.r1/report.pdf?lang=en")
    as_a_firm = await downloads("/v1/rounds/modena.r1/report.pdf", token=downloads.firm_token)

    assert report.status_code == 200, report.text
    assert report.headers["content-type"] == "application/pdf"
    assert 'filename="modena.r1-report.pdf"' in report.headers["content-disposition"]
    text = pdf_text(report.content, tmp_path)
    assert "modena.r1" in text and "(ceramiche)" in text and "(gulliver)" in text
    assert "Round report modena.r1" in pdf_text(english.content, tmp_path)
    assert as_a_firm.status_code == 403


# --- a firm's own statement, a provider's own award (helper "files") -------------------
async def test_a_firm_downloads_its_own_statement_and_nothing_of_another(downloads, tmp_path):
    own = await downloads("/v1/rounds/modena.r1/firms/ceramiche/statement.pdf",
                          token=downloads.firm_token)
    by_operator = await downloads("/v1/rounds/modena.r1/firms/ceramiche/statement.pdf")
    other = await downloads("/v1/rounds/modena.r1/firms/tessile/statement.pdf",
                            token=downloads.firm_token)
    award = await downloads("/v1/rounds/modena.r1/providers/gulliver/award.pdf",
                            token=downloads.firm_token)
    contracts = await downloads("/v1/rounds/modena.r1/contracts.csv", token=downloads.firm_token)
    unknown_round = await downloads("/v1/rounds/modena.r9/firms/ceramiche/statement.pdf",
                                    token=downloads.firm_token)

    assert own.status_code == 200, own.text
    assert own.headers["content-type"] == "application/pdf"
    text = pdf_text(own.content, tmp_path)
    # Drawn from its slice, the same statement as the operator's of the whole round.
    assert text == pdf_text(by_operator.content, tmp_path)
    assert "Rendiconto di Ceramiche (ceramiche)" in text and "Tessile" not in text
    assert other.status_code == 403 and "Tessile" not in other.text
    assert award.status_code == 403 and contracts.status_code == 403
    assert unknown_round.status_code == 404


async def test_a_firm_gets_no_statement_of_a_dry_run(downloads, settings):
    await run_round(settings, "modena.d1", dry_run=True)
    draft = await downloads("/v1/rounds/modena.d1/firms/ceramiche/statement.pdf",
                            token=downloads.firm_token)
    by_operator = await downloads("/v1/rounds/modena.d1/firms/ceramiche/statement.pdf")
    assert draft.status_code == 404
    assert by_operator.status_code == 200


async def test_a_provider_downloads_its_own_award_and_nothing_of_another(downloads, tmp_path):
    own = await downloads("/v1/rounds/modena.r1/providers/gulliver/award.pdf?lang=en",
                          token=downloads.provider_token)
    by_operator = await downloads("/v1/rounds/modena.r1/providers/gulliver/award.pdf?lang=en")
    other = await downloads("/v1/rounds/modena.r1/providers/aurora/award.pdf",
                            token=downloads.provider_token)
    statement = await downloads("/v1/rounds/modena.r1/firms/ceramiche/statement.pdf",
                                token=downloads.provider_token)

    assert own.status_code == 200, own.text
    text = pdf_text(own.content, tmp_path)
    assert text == pdf_text(by_operator.content, tmp_path)
    assert "Award to" in text and "(gulliver)" in text and "(ceramiche)" in text
    assert other.status_code == 403 and statement.status_code == 403


async def test_welfare_round_export_writes_the_same_files(downloads, tmp_path, monkeypatch,
                                                          capsys):
    for name in ("WELFARE_LOCALE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)  # Italian unless --lang says otherwise
    monkeypatch.setenv("WELFARE_OPERATOR_URL", downloads.url)
    monkeypatch.setenv("WELFARE_OPERATOR_TOKEN", downloads.operator_token)

    def export(*args: str) -> int:
        return main(["round", "export", "modena.r1", *args])

    csv_file, xlsx_file, statement, award = (tmp_path / name for name in (
        "c.csv", "c.xlsx", "s.pdf", "a.pdf"))
    assert await asyncio.to_thread(export, "--contracts", str(csv_file), "--lang", "it") == 0
    assert capsys.readouterr().out.strip() == f"scritto {csv_file}"
    assert await asyncio.to_thread(export, "--contracts", str(xlsx_file), "--lang", "it") == 0
    assert await asyncio.to_thread(export, "--statement", "tessile", "--out", str(statement),
                                   "--lang", "en") == 0
    assert await asyncio.to_thread(export, "--award", "aurora", "--out", str(award)) == 0
    capsys.readouterr()
    downloaded = await downloads("/v1/rounds/modena.r1/contracts.csv?lang=it")
    assert csv_file.read_bytes() == downloaded.content
    sheet = openpyxl.load_workbook(xlsx_file)["Contratti"]
    assert sheet.max_row == len(downloaded.content.decode("utf-8-sig").splitlines())
    assert "Statement for Tessile (tessile)" in pdf_text(statement.read_bytes(), tmp_path)
    assert "Aggiudicazione per" in pdf_text(award.read_bytes(), tmp_path)

    assert await asyncio.to_thread(export, "--contracts", str(tmp_path / "c.ods")) == 2
    assert await asyncio.to_thread(export, "--statement", "nobody", "--out", str(statement),
                                   "--lang", "en") == 2
    assert await asyncio.to_thread(export, "--award", "aurora") == 2
    errors = capsys.readouterr().err.splitlines()
    assert errors == [
        f"welfare: error: --contracts: {tmp_path / 'c.ods'} deve terminare in .csv o .xlsx",
        "welfare: error: round modena.r1 has no firm nobody",
        "welfare: error: --out: indicare il file PDF da scrivere"]


def pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "download.pdf"
    path.write_bytes(content)
    found = shutil.which("pdftotext")
    assert found, "pdftotext is missing: install Debian's poppler-utils"
    done = subprocess.run([found, str(path), "-"], check=True, capture_output=True, text=True)
    return " ".join(done.stdout.split())

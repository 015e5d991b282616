"""One way to read yes/no in every CSV file, and a body-size limit on every service."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from prometheus_client import CollectorRegistry

from services.common.csv_rows import parse_bool
from services.common.http import create_api
from services.common.metrics import ServiceMetrics
from services.common.spreadsheets import SheetRejected
from services.intake.adapters.survey_csv import parse_survey


@pytest.mark.parametrize("text", ["VERO", "vero", "Sì", "SI", "si", "sí", "true", "TRUE",
                                  "yes", "Yes", "1", " vero "])
def test_yes_in_every_way_italian_spreadsheets_write_it(text):
    assert parse_bool(text) is True


@pytest.mark.parametrize("text", ["FALSO", "falso", "no", "NO", "false", "False", "0"])
def test_no_in_every_way_italian_spreadsheets_write_it(text):
    assert parse_bool(text) is False


@pytest.mark.parametrize("text", ["forse", "2", "y", "on", "-"])
def test_anything_else_is_refused_saying_what_is_accepted(text):
    with pytest.raises(ValueError, match="VERO/FALSO, sì/no, true/false or 1/0"):
        parse_bool(text)


def test_a_bad_boolean_cell_is_an_error_of_its_row_and_column_without_its_value():
    sheet = ("pseudonym,category,municipality,weeks,units,max_unit_price_eur,single_parent\n"
             "p1,childcare,036023,2027-W24,1,100,VERO\n"
             "p2,childcare,036023,2027-W24,1,100,secret-answer\n")
    with pytest.raises(SheetRejected) as caught:
        parse_survey(sheet, "acme")
    assert [(e.row, e.column, e.field) for e in caught.value.errors] == [(3, "G", "single_parent")]
    assert "secret-answer" not in str(caught.value.body("it"))


def app_with_limit(max_bytes: int) -> TestClient:
    app = create_api(title="t", description="d", checks={}, max_body_bytes=max_bytes,
                     metrics=ServiceMetrics(CollectorRegistry(), "t"))

    @app.post("/echo")
    async def echo(body: dict) -> dict:
        return {"keys": len(body)}

    return TestClient(app)


def test_a_body_over_the_limit_is_refused_with_413_in_words():
    client = app_with_limit(1000)
    assert client.post("/echo", json={"a": "x" * 100}).status_code == 200
    refused = client.post("/echo", json={"a": "x" * 2000})
    assert refused.status_code == 413
    assert refused.json()["code"] == "body_too_large"
    assert refused.json()["error"] == ("il corpo della richiesta è più grande di quanto questo "
                                       "servizio accetta (1.000 byte); inviare meno dati per volta")
    english = client.post("/echo", json={"a": "x" * 2000}, headers={"Accept-Language": "en"})
    assert english.json() == {
        "error": "the request body is larger than this service accepts (1,000 bytes); "
                 "send less at once",
        "detail": "the request body is larger than this service accepts (1,000 bytes); "
                  "send less at once",
        "code": "body_too_large"}


def test_a_chunked_body_is_cut_off_as_it_passes_the_limit():
    client = app_with_limit(1000)

    def chunks():
        yield b'{"a": "'
        for _ in range(50):
            yield b"x" * 100
        yield b'"}'

    refused = client.post("/echo", content=chunks(), headers={"content-type": "application/json"})
    assert refused.status_code == 413
    assert refused.json()["code"] == "body_too_large"
    assert "più grande di quanto questo servizio accetta" in refused.json()["error"]
    english = client.post("/echo", content=chunks(), headers={
        "content-type": "application/json", "accept-language": "en-GB,en;q=0.9"})
    assert english.status_code == 413
    assert "larger than this service accepts (1,000 bytes)" in english.json()["error"]

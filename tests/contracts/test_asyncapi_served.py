"""Every service serves the AsyncAPI document and its API docs with their own assets.

The apps are built by the composition roots and called in process (nothing to
connect to); the browser test (tests/browser/test_api_docs.py) renders them.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from services.common.asyncapi import SERVICES, system_document
from services.common.kafka import KafkaConnection
from services.common.settings import Settings
from services.common.auth import no_tokens_warning


@pytest.fixture(scope="module", params=SERVICES)
def client(request) -> Iterator[TestClient]:
    settings = Settings(kafka_bootstrap="kafka:9092", database_url="sqlite://")
    bootstrap = importlib.import_module(f"services.{request.param}.bootstrap")
    with no_tokens_warning():
        built = bootstrap.build(settings, KafkaConnection(settings, "kafka:9092"))
    yield TestClient(built.app)


def test_the_service_serves_the_asyncapi_document(client):
    response = client.get("/asyncapi.json")
    assert response.status_code == 200
    assert response.json() == json.loads(json.dumps(system_document()))


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_the_docs_pages_load_their_assets_from_the_service(client, page):
    response = client.get(page)
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    html = response.text
    assert "/openapi.json" in html
    assert "cdn" not in html.lower() and "https://" not in html
    scripts = [part.split('"')[0] for part in html.split('src="')[1:]]
    assert scripts and all(src.startswith("/static/docs/") for src in scripts), scripts
    for src in scripts:
        asset = client.get(src)
        assert asset.status_code == 200 and len(asset.content) > 100_000, src
        assert b"cdn.redoc.ly" not in asset.content, src  # ReDoc's logo: served by us

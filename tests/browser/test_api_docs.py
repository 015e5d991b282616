"""``/docs`` (Swagger UI) and ``/redoc`` of intake, supply and operator render offline.

The services run as their composition roots build them (embedded broker,
SQLite), in a thread with its own event loop; Debian's chromium opens each
page (``tests.support.browser``) and the test checks that the operations are
listed and that no request left the service's loopback address: the pages'
scripts and styles are the service's own (``services.common.api_docs``).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from services.common.embedded_broker import EmbeddedBroker
from services.common.kafka import KafkaConnection
from services.common.runtime import running
from services.common.settings import Settings
from tests.support.browser import Visits, launch

pytestmark = pytest.mark.broker

# A path each service's docs must show once the page has rendered its operations.
SERVICES = {
    "intake": "/v1/firms/{firm_id}/survey",
    "supply": "/v1/providers/{provider_id}/offers",
    "operator": "/v1/networks/{network_id}/rounds",
}
RENDER_TIMEOUT_MS = 60_000


@contextlib.contextmanager
def running_services(workdir: Path) -> Iterator[dict[str, str]]:
    """Intake, supply and operator on loopback, until the block ends."""
    import importlib

    urls: dict[str, str] = {}
    started = threading.Event()
    failure: list[BaseException] = []
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()

    async def main() -> None:
        with EmbeddedBroker() as broker:
            settings = Settings(kafka_bootstrap=broker.bootstrap, kafka_idempotent_producer=False,
                                kafka_request_timeout_ms=3000,
                                database_url=f"sqlite:///{workdir}/{{service}}.db",
                                data_dir=workdir)
            connection = KafkaConnection.from_settings(settings)
            async with contextlib.AsyncExitStack() as stack:
                for name in SERVICES:
                    bootstrap = importlib.import_module(f"services.{name}.bootstrap")
                    urls[name] = await stack.enter_async_context(
                        running(bootstrap.build(settings, connection)))
                started.set()
                await stop.wait()

    def thread_main() -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(main())
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            failure.append(exc)
        finally:
            started.set()

    thread = threading.Thread(target=thread_main, name="api-docs-services", daemon=True)
    thread.start()
    started.wait(300)
    if failure or len(urls) < len(SERVICES):
        thread.join(60)
        raise RuntimeError(f"the services did not start: {failure!r}")
    try:
        yield urls
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(120)


@pytest.fixture(scope="module")
def urls(tmp_path_factory) -> Iterator[dict[str, str]]:
    with running_services(tmp_path_factory.mktemp("api-docs")) as started:
        yield started


@pytest.fixture(scope="module")
def browser():
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            yield browser
        finally:
            browser.close()


def visit(browser, url: str, page_path: str, shown: str) -> Visits:
    visits = Visits(origin=url)
    context = browser.new_context()
    visits.attach(context)
    try:
        page = context.new_page()
        page.goto(f"{url}{page_path}")
        # Rendered: the operations are on the page (Swagger UI and ReDoc both
        # build the page from /openapi.json with their scripts).
        page.wait_for_function("path => document.body.innerText.includes(path)", arg=shown,
                               timeout=RENDER_TIMEOUT_MS)
        page.wait_for_load_state("networkidle")
    finally:
        context.close()
    return visits


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize("page_path", ["/docs", "/redoc"])
def test_the_docs_render_with_every_request_on_loopback(urls, browser, service, page_path):
    visits = visit(browser, urls[service], page_path, SERVICES[service])
    # ReDoc's search worker is a blob of the page's own origin: no request to a host.
    visits.requests = [url.removeprefix("blob:") for url in visits.requests]
    assert visits.foreign() == []
    assert {urlsplit(url).hostname for url in visits.requests} == {"127.0.0.1"}
    # The page's own assets and the OpenAPI document, all from the service.
    paths = {urlsplit(url).path for url in visits.requests}
    assert "/openapi.json" in paths
    assert any(p.startswith("/static/docs/") for p in paths), paths


def test_swagger_ui_lists_each_operation(urls, browser):
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"{urls['intake']}/docs")
        page.wait_for_selector(".opblock", timeout=RENDER_TIMEOUT_MS)
        listed = page.locator(".opblock-summary-path").all_inner_texts()
    finally:
        context.close()
    assert "/v1/firms/{firm_id}/survey" in [p.replace("\u200b", "") for p in listed]
    assert "/health" in [p.replace("\u200b", "") for p in listed]

"""Schemathesis against intake, supply, operator (and the matcher's read API it calls):
no 5xx, every answer as documented.

Each service runs whole, as its composition root builds it (migrations, HTTP on
a free port, broker, outbox relay), on one embedded broker and one database per
module, in a thread of its own: schemathesis calls it over real HTTP from the
test's thread. Every operation of each OpenAPI document is called with the
token of each role; a firm's and a provider's calls name their own firm or
provider (the only ones they may touch, so the fuzzer reaches past the 403),
and an operator's rounds name a network the matcher's book knows.

The run is bounded and repeatable: a fixed number of examples per operation
and role, a derandomized seed, no deadline (a shared machine is noisy). The
checks: no server error, the status code is documented, the body matches the
documented schema for that code, and the content type is the documented one.
PostgreSQL gets the operator's run (the role that reaches deepest) once more.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
from collections.abc import Callable, Iterator

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from services.common.embedded_broker import EmbeddedBroker
from services.common.kafka import KafkaConnection
from services.common.runtime import Service, running
from services.common.settings import Settings
from services.intake import bootstrap as intake
from services.matcher import bootstrap as matcher
from services.operator import bootstrap as operator
from services.supply import bootstrap as supply
from tests.integration.intake.running import TOKENS, with_tokens
from tests.integration.operator.book import seed_network
from tests.support.postgres import fresh_database

pytestmark = [
    pytest.mark.broker, pytest.mark.postgres,
    # Schemathesis's own strategies draw from `random`; nothing of ours to change.
    pytest.mark.filterwarnings("ignore:Do not use the `random` module"),
]

BUILDERS: dict[str, Callable[[Settings, KafkaConnection], Service]] = {
    "intake": intake.build, "supply": supply.build, "operator": operator.build,
    "matcher": matcher.build,
}
# Who calls, as whom: the token's subject is put into the path where it names one.
CALLERS = {"operator": ("operator", "ops"), "firm": ("firm", "acme"),
           "provider": ("provider", "coop-gulliver")}
OWN_PATH_PARAMETER = {"firm": "firm_id", "provider": "provider_id"}
KNOWN_NETWORK = "modena"

FUZZED = ("intake", "supply", "operator", "matcher")
TARGETS = [("sqlite", service, role) for service in FUZZED for role in CALLERS]
TARGETS += [("postgres", service, "operator") for service in FUZZED]

# Per operation: enough to find a missing bound, few enough that the module runs
# in a minute or two. Firms and providers are refused most operations (403), so
# they need fewer examples than the operator, who reaches every handler.
EXAMPLES = {"operator": 25, "firm": 10, "provider": 10}
FINDING_CHARS = 3_000
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance,
          content_type_conformance]


@contextlib.contextmanager
def serving_in_a_thread(service: Service) -> Iterator[str]:
    """The service running in its own event loop, so that synchronous callers
    (schemathesis uses requests) do not block it; its base URL while it runs."""
    started: queue.Queue[str | BaseException] = queue.Queue()
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()

    async def serve() -> None:
        try:
            async with running(service) as url:
                started.put(url)
                await stop.wait()
        except BaseException as exc:
            started.put(exc)
            raise

    thread = threading.Thread(target=loop.run_until_complete, args=(serve(),), daemon=True)
    thread.start()
    first = started.get(timeout=120)
    if isinstance(first, BaseException):
        raise first
    try:
        yield first
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(timeout=90)
        loop.close()


@pytest.fixture(scope="module")
def kafka() -> Iterator[str]:
    with EmbeddedBroker() as embedded:
        yield embedded.bootstrap


@pytest.fixture(scope="module")
def services(kafka: str, tmp_path_factory, request) -> Iterator[Callable[[str, str], str]]:
    """``url_of(database, service)``: started on first use, kept for the module."""
    stack = contextlib.ExitStack()
    urls: dict[tuple[str, str], str] = {}
    databases: dict[str, str] = {}

    def database(kind: str) -> str:
        if kind not in databases:
            if kind == "sqlite":
                databases[kind] = f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'welfare.db'}"
            else:
                server = request.getfixturevalue("postgres_server_url")
                databases[kind] = stack.enter_context(fresh_database(server))
        return databases[kind]

    def url_of(kind: str, name: str) -> str:
        if (kind, name) not in urls:
            configured = with_tokens(Settings(
                kafka_bootstrap=kafka, kafka_idempotent_producer=False,
                kafka_session_timeout_ms=3000, kafka_heartbeat_interval_ms=300,
                kafka_request_timeout_ms=3000, database_url=database(kind),
                data_dir=tmp_path_factory.mktemp(f"{kind}-{name}")))
            if name == "operator":
                # The operator reads rounds through the matcher's API: the matcher runs,
                # and its book knows one network.
                matcher_url = url_of(kind, "matcher")
                seed_network(configured, KNOWN_NETWORK)
                configured = configured.model_copy(update={"matcher_url": matcher_url})
            service = BUILDERS[name](configured, KafkaConnection.from_settings(configured))
            urls[kind, name] = stack.enter_context(serving_in_a_thread(service))
        return urls[kind, name]

    with stack:
        yield url_of


@pytest.fixture(params=TARGETS, ids=["-".join(target) for target in TARGETS])
def target(request, services) -> tuple[str, str, str]:
    kind, name, role = request.param
    return services(kind, name), name, role


@pytest.fixture(scope="module")
def session() -> Iterator[requests.Session]:
    with requests.Session() as shared:
        yield shared


def test_every_operation_answers_as_documented(target, session):
    url, _name, role = target
    api = schemathesis.openapi.from_url(f"{url}/openapi.json")
    headers = {"Authorization": f"Bearer {TOKENS[CALLERS[role]]}"}
    findings: list[str] = []
    statuses: list[int] = []
    operations = [result.ok() for result in api.get_all_operations()]
    assert operations, "the OpenAPI document lists no operation"
    for operation in operations:
        try:
            _fuzz(operation, _fixed_path_parameters(operation, role), url, session, headers,
                  EXAMPLES[role], statuses)
        except Exception as failure:  # noqa: BLE001 - every operation's finding, not the first
            findings.append(f"{operation.label}: {str(failure)[:FINDING_CHARS]}")
    if findings:
        # Without a traceback: hypothesis's nested groups are long and say nothing more.
        pytest.fail("\n\n".join(findings), pytrace=False)
    # Not only refusals: the operator's token gets past authentication to the handlers
    # (how many random calls are well-formed enough to be served varies with the data).
    if role == "operator":
        served = sum(1 for code in statuses if code < 300)
        assert served > 0, f"none of {len(statuses)} calls was served"


def _fixed_path_parameters(operation, role: str) -> dict[str, str]:
    names = {parameter.name for parameter in operation.path_parameters}
    fixed = {}
    own = OWN_PATH_PARAMETER.get(role)
    if own in names:
        fixed[own] = CALLERS[role][1]
    if role == "operator" and "network_id" in names:
        fixed["network_id"] = KNOWN_NETWORK
    return fixed


def _fuzz(operation, path_parameters, url: str, session, headers, examples: int,
          statuses: list[int]) -> None:
    # Valid requests (which must be served or refused as documented) and invalid
    # ones (which must be refused as documented, never with a 5xx).
    cases = st.one_of(*(operation.as_strategy(mode, path_parameters=path_parameters or None)
                        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)))

    @given(case=cases)
    @settings(max_examples=examples, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def call(case) -> None:
        response = case.call_and_validate(base_url=url, session=session, headers=headers,
                                          checks=CHECKS, timeout=30)
        statuses.append(response.status_code)

    call()

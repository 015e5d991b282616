"""Monitoring against the running pipeline: scrapes, names, and a real Prometheus.

One pipeline for the module (the services on loopback, the embedded broker,
SQLite), one round run through it, then:

- ``promtool check metrics`` passes on every service's ``/metrics``;
- every metric the rules and dashboards name is exposed by the live services;
- Debian's Prometheus scrapes them, evaluates the rules, and a PromQL query
  over its HTTP API returns the coverage of the round just run.
"""

from __future__ import annotations

import io
import json
import logging

import httpx
from prometheus_client.parser import text_string_to_metric_families
import pytest
import pytest_asyncio

from services.common.embedded_broker import EmbeddedBroker
from services.common.logs import JsonFormatter
from tests.deploy.promql import (
    dashboard_expressions,
    exposed_names,
    metric_names,
    recorded_names,
    rule_expressions,
    unknown_names,
)
from tests.deploy.tools import DASHBOARDS, RULE_FILES, run, tool
from tests.e2e.monitoring.pipeline import (
    EXPECTED_COVERAGE,
    NETWORK,
    SERVICES,
    Pipeline,
    available,
    book,
    pipeline,
    publish,
)
from tests.e2e.monitoring.prometheus_server import prometheus_server

pytestmark = [pytest.mark.system, pytest.mark.broker,
              pytest.mark.asyncio(loop_scope="module")]

# Series that only exist once something happens that a healthy round does not
# do (a handler error, a failed relay, ...): declared, but without samples yet.
MAY_BE_UNSAMPLED = {
    "faststream_received_processed_messages_exceptions_total",
    "welfare_outbox_publish_failures_total",
    "welfare_dry_run_coverage_ratio",  # the pipeline commits its round, it tries no dry run
}


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def live(tmp_path_factory) -> Pipeline:
    tool("promtool")  # fail early, with the install hint, before starting anything
    tmp = tmp_path_factory.mktemp("pipeline")
    logs = io.StringIO()
    handler = logging.StreamHandler(logs)
    handler.setFormatter(JsonFormatter("pipeline"))  # as services.common.logs.configure does
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        with EmbeddedBroker() as broker:
            async with pipeline(broker.bootstrap, f"sqlite:///{tmp}/{{service}}.db", tmp) as p:
                await publish(broker.bootstrap, book(), poison=b"{not json")
                await publish(broker.bootstrap, book()[-1:])  # a duplicate event: ignored
                if "intake" in p.urls:
                    p.survey_outcome = await p.feed_intake()
                await p.run_round(book_size=(3, 2))
                for service in p.urls:
                    await p.ready(service)  # refreshes welfare_dependency_up
                    await p.scrape(service)
                p.log_lines = logs.getvalue().splitlines()
                yield p
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


async def test_every_service_runs_in_the_pipeline():
    missing = [s for s in SERVICES if s not in available()]
    if missing:
        pytest.skip("composition roots not written yet: "
                    + ", ".join(f"services/{s}/bootstrap.py" for s in missing))


async def test_the_round_reports_its_coverage(live):
    assert live.coverage_seen == pytest.approx(EXPECTED_COVERAGE)
    async with httpx.AsyncClient(base_url=live.urls["operator"]) as client:
        reply = await client.get(f"/v1/rounds/{live.round_id}", headers={
            "Authorization": f"Bearer {live.operator_token}"})
    assert reply.status_code == 200, reply.text
    assert EXPECTED_COVERAGE in _numbers(reply.json(), "coverage")


async def test_every_service_with_a_broker_exposes_its_message_flow(live):
    """FastStream's Kafka middleware is wired in every composition root that has a broker."""
    unwired = [service for service, text in live.scrapes.items()
               if "faststream_published_messages_total" not in text]
    assert unwired == [], (
        f"{unwired}: pass middlewares=[message_flow_middleware(metrics)] "
        "(services/common/prometheus.py) to connection.faststream_broker(...) in bootstrap.py")


async def test_promtool_check_metrics_passes_on_every_service(live):
    promtool = tool("promtool")
    for service, text in live.scrapes.items():
        result = run(promtool, "check", "metrics", stdin=text.encode())
        output = result.stdout.decode() + result.stderr.decode()
        assert result.returncode == 0, f"{service}: {output}"


async def test_rules_and_dashboards_name_only_metrics_the_live_services_expose(live):
    declared: set[str] = set()
    sampled: set[str] = set()
    for text in live.scrapes.values():
        names, samples = exposed_names(text)
        declared |= names
        sampled |= samples
    missing = unknown_names(rule_expressions(RULE_FILES), declared, recorded_names(RULE_FILES))
    missing |= unknown_names(dashboard_expressions(DASHBOARDS), declared, set())
    assert missing == {}, "named in rules or dashboards but not exposed by any live service"

    # After a round, everything the dashboards plot has data, apart from the
    # series of failures that did not happen.
    used = {name for _, expr in dashboard_expressions(DASHBOARDS) for name in metric_names(expr)}
    if "intake" not in live.urls:
        used = {name for name in used if not name.startswith("welfare_intake_")}
    assert used - sampled - MAY_BE_UNSAMPLED == set(), "plotted but without samples after a round"


async def test_the_poison_record_was_dead_lettered_and_counted(live):
    lines = [line for line in live.scrapes["matcher"].splitlines()
             if line.startswith("welfare_dead_letters_total{")]
    assert any('topic="welfare.demand.v1"' in line and not line.endswith(" 0.0")
               for line in lines), lines


async def test_intake_counts_what_it_publishes_and_withholds(live):
    if "intake" not in live.urls:
        pytest.skip("services/intake/bootstrap.py not written yet")
    assert live.survey_outcome["withheld_answers"] == 14
    samples = {(s.name, tuple(sorted(s.labels.items()))): s.value
               for f in text_string_to_metric_families(live.scrapes["intake"]) for s in f.samples}
    assert samples[("welfare_intake_aggregates_published_total",
                    (("category", "childcare"),))] >= 1
    suppressed = {dict(labels)["kind"] for (name, labels), value in samples.items()
                  if name == "welfare_intake_cells_suppressed_total" and value > 0}
    assert suppressed == {"primary", "secondary"}
    for text in live.scrapes.values():  # no pseudonym in any label
        assert "cc000" not in text and "bs000" not in text


async def test_a_real_prometheus_scrapes_the_services_and_answers_the_coverage(live, tmp_path):
    targets = {service: url.removeprefix("http://") for service, url in live.urls.items()}
    with prometheus_server(targets, tmp_path / "prometheus") as prometheus:
        await prometheus.wait_for(f'count(up{{job=~"welfare-.*"}} == 1) == {len(targets)}')

        [sample] = await prometheus.wait_for(f'welfare_round_coverage_ratio{{network="{NETWORK}"}}')
        assert sample["metric"]["job"] == "welfare-matcher"
        assert float(sample["value"][1]) == pytest.approx(live.coverage_seen)
        assert float(sample["value"][1]) == pytest.approx(EXPECTED_COVERAGE)

        # The rules load and evaluate against the live series without errors.
        [recorded] = await prometheus.wait_for(
            f'network:welfare_round_coverage_ratio:min{{network="{NETWORK}"}}')
        assert float(recorded["value"][1]) == pytest.approx(EXPECTED_COVERAGE)
        groups = (await prometheus.get("/api/v1/rules"))["groups"]
        rules = [rule for group in groups for rule in group["rules"]]
        assert len(rules) == len(list(rule_expressions(RULE_FILES)))
        assert all(rule["health"] != "err" for rule in rules), \
            [(r["name"], r.get("lastError")) for r in rules if r["health"] == "err"]


def _numbers(body, key: str) -> list[float]:
    """Every number stored under ``key`` anywhere in a JSON body."""
    found = []
    if isinstance(body, dict):
        for k, v in body.items():
            if k == key and isinstance(v, int | float):
                found.append(v)
            found += _numbers(v, key)
    elif isinstance(body, list):
        for item in body:
            found += _numbers(item, key)
    return found


async def test_logs_are_json_lines_correlated_by_round_and_event(live):
    entries = [json.loads(line) for line in live.log_lines]
    assert entries
    for entry in entries:
        assert {"time", "level", "service", "logger", "message"} <= set(entry), entry
    assert any(e.get("round_id") == live.round_id for e in entries), "no log line names the round"
    assert any(e.get("event_id") for e in entries), "no log line names an event"
    # Secrets and employee-level answers never reach a log line.
    for secret in (live.operator_token, live.firm_token, "cc000", "bs000", "hc000"):
        assert not any(secret in line for line in live.log_lines), secret

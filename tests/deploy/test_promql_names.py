"""Rules and dashboards name only metrics the services expose, with bounded labels.

Offline, against the metric catalogue every service builds
(``services/common/metrics.py`` plus FastStream's Kafka middleware from
``services/common/prometheus.py``); ``tests/e2e/monitoring`` repeats the check
against live scrapes after a round.
"""

from __future__ import annotations

import pytest
from prometheus_client import CollectorRegistry, generate_latest

from services.common.metrics import ServiceMetrics
from services.common.prometheus import message_flow_middleware
from tests.deploy.promql import (
    dashboard_expressions,
    exposed_names,
    metric_names,
    recorded_names,
    rule_expressions,
    unknown_names,
)
from tests.deploy.tools import DASHBOARDS, RULE_FILES, run, tool

# Label names that only ever take a bounded, non-personal set of values.
BOUNDED_LABELS = {
    "network", "category", "outcome", "kind", "reason", "topic", "group", "route",
    "method", "status", "dependency",
    # FastStream's middleware: the service, the broker kind, topics, error class names
    "app_name", "broker", "handler", "destination", "exception_type",
}


def catalogue() -> str:
    metrics = ServiceMetrics(CollectorRegistry(), "matcher")
    message_flow_middleware(metrics)
    return generate_latest(metrics.registry).decode()


@pytest.mark.parametrize("expr, names", [
    ("up", {"up"}),
    ('sum by (job, topic) (increase(welfare_dead_letters_total{topic=~"a|b"}[15m])) > 0',
     {"welfare_dead_letters_total"}),
    ("histogram_quantile(0.95, sum by (network, le) (rate(x_bucket{network=~\"$network\"}"
     "[$__rate_interval])))", {"x_bucket"}),
    ("a unless a offset 15m", {"a"}),
    ("time() - b{n=\"x\"}", {"b"}),
    ("max by (job) (c) > 1e3 and on (job) d", {"c", "d"}),
    ("min by (network) (network:welfare_round_coverage_ratio:min) < 0.8",
     {"network:welfare_round_coverage_ratio:min"}),
    ("sum(rate(e[5m:1m])) / ignoring (status) group_left sum(f)", {"e", "f"}),
])
def test_the_lexer_finds_metric_names(expr, names):
    assert metric_names(expr) == names


def test_the_catalogue_passes_promtool_check_metrics():
    # promtool lints the series it sees: give every labelled metric one child.
    metrics = ServiceMetrics(CollectorRegistry(), "matcher")
    message_flow_middleware(metrics)
    for collector in list(metrics.registry._collector_to_names):  # noqa: SLF001
        labels = getattr(collector, "_labelnames", ())
        if labels:
            collector.labels(*["x"] * len(labels))
    text = generate_latest(metrics.registry).decode()
    result = run(tool("promtool"), "check", "metrics", stdin=text.encode())
    assert result.returncode == 0, result.stdout.decode() + result.stderr.decode()


def test_labels_take_only_bounded_values():
    """No label may carry a firm, an employee, an event id or a free text."""
    metrics = ServiceMetrics(CollectorRegistry(), "matcher")
    message_flow_middleware(metrics)
    collectors = list(metrics.registry._collector_to_names)  # noqa: SLF001 - no public list
    assert len(collectors) > 20
    for collector in collectors:
        labels = set(collector._labelnames)  # noqa: SLF001
        assert labels <= BOUNDED_LABELS, (collector, labels - BOUNDED_LABELS)


def test_rules_name_only_metrics_the_services_expose():
    exposed, _ = exposed_names(catalogue())
    missing = unknown_names(rule_expressions(RULE_FILES), exposed, recorded_names(RULE_FILES))
    assert missing == {}


def test_dashboards_name_only_metrics_the_services_expose():
    exposed, _ = exposed_names(catalogue())
    # Dashboards read raw metrics only, so that they work without the recording rules.
    missing = unknown_names(dashboard_expressions(DASHBOARDS), exposed, set())
    assert missing == {}


def test_a_misspelt_metric_is_caught():
    exposed, _ = exposed_names(catalogue())
    missing = unknown_names([("typo", "welfare_round_coverage_ration > 0")], exposed, set())
    assert missing == {"typo": {"welfare_round_coverage_ration"}}

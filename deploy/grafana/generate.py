"""Grafana dashboards as code: network overview and service health.

    python deploy/grafana/generate.py          # writes deploy/grafana/dashboards/*.json
    python deploy/grafana/generate.py --check  # exits 1 if the committed JSON is stale

Built with Grafana's grafana-foundation-sdk (the ``test`` extra). Every query
names only metrics the services expose: ``services/common/metrics.py`` and
FastStream's Kafka middleware (``services/common/prometheus.py``); the tests
check that against a live scrape. Queries group by ``job`` (welfare-<service>,
set by the scrape configuration) or by the middleware's ``app_name`` (the
service), and by bounded labels only.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from grafana_foundation_sdk.builders import bargauge, stat, timeseries
from grafana_foundation_sdk.builders.common import (
    ReduceDataOptions,
    StackingConfig,
    VizLegendOptions,
    VizTooltipOptions,
)
from grafana_foundation_sdk.builders.dashboard import (
    Dashboard,
    QueryVariable,
    Row,
    ThresholdsConfig,
)
from grafana_foundation_sdk.builders.prometheus import Dataquery
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models.common import (
    BigValueGraphMode,
    LegendDisplayMode,
    LegendPlacement,
    SortOrder,
    StackingMode,
    TooltipDisplayMode,
    VizOrientation,
)
from grafana_foundation_sdk.models.dashboard import (
    DashboardCursorSync,
    DataSourceRef,
    Threshold,
    ThresholdsMode,
    VariableOption,
    VariableRefresh,
)

HERE = Path(__file__).resolve().parent
DASHBOARDS = HERE / "dashboards"

# The provisioned data source (provisioning/datasources/prometheus.yml).
PROMETHEUS = DataSourceRef(type_val="prometheus", uid="welfare-prometheus")
RATE = "$__rate_interval"
COVERAGE_THRESHOLD = 0.8  # as in the WelfareCoverageLow alert
AWARD_WAIT_THRESHOLD_S = 3 * 86400  # as in the WelfareAwardsUnanswered alert


# --- building blocks --------------------------------------------------------------

def query(expr: str, legend: str = "", ref: str = "A") -> Dataquery:
    q = Dataquery().expr(expr).ref_id(ref).datasource(PROMETHEUS)
    return q.legend_format(legend) if legend else q


def graph(title: str, description: str, unit: str, *queries: Dataquery,
          width: int = 12, height: int = 8, stack: bool = False) -> timeseries.Panel:
    panel = (timeseries.Panel().title(title).description(description).unit(unit)
             .datasource(PROMETHEUS).span(width).height(height).fill_opacity(10)
             .legend(VizLegendOptions().display_mode(LegendDisplayMode.LIST)
                     .placement(LegendPlacement.BOTTOM).show_legend(True))
             .tooltip(VizTooltipOptions().mode(TooltipDisplayMode.MULTI)
                      .sort(SortOrder.DESCENDING)))
    if stack:
        panel = panel.stacking(StackingConfig().mode(StackingMode.NORMAL))
    for q in queries:
        panel = panel.with_target(q)
    return panel


def thresholds(*steps: tuple[float | None, str]) -> ThresholdsConfig:
    return ThresholdsConfig().mode(ThresholdsMode.ABSOLUTE).steps(
        [Threshold(value=value, color=color) for value, color in steps])


def single(title: str, description: str, unit: str, q: Dataquery, steps: ThresholdsConfig,
           width: int = 6, height: int = 6) -> stat.Panel:
    return (stat.Panel().title(title).description(description).unit(unit)
            .datasource(PROMETHEUS).span(width).height(height).thresholds(steps).with_target(q)
            .reduce_options(last_value()).graph_mode(BigValueGraphMode.AREA))


def bars(title: str, description: str, unit: str, q: Dataquery, *more: Dataquery,
         width: int = 12, height: int = 8) -> bargauge.Panel:
    panel = (bargauge.Panel().title(title).description(description).unit(unit)
             .datasource(PROMETHEUS).span(width).height(height).with_target(q)
             .reduce_options(last_value()).orientation(VizOrientation.HORIZONTAL))
    for extra in more:
        panel = panel.with_target(extra)
    return panel


def last_value() -> ReduceDataOptions:
    return ReduceDataOptions().calcs(["lastNotNull"]).values(False)


def variable(name: str, label: str, values_of: str) -> QueryVariable:
    everything = VariableOption(selected=True, text="All", value="$__all")
    return (QueryVariable(name).label(label).datasource(PROMETHEUS)
            .query(f"label_values({values_of})").refresh(VariableRefresh.ON_TIME_RANGE_CHANGED)
            .multi(True).include_all(True).all_value(".*").current(everything).sort(1))


def dashboard(uid: str, title: str, description: str) -> Dashboard:
    return (Dashboard(title).uid(uid).description(description).tags(["welfare"])
            .editable().tooltip(DashboardCursorSync.CROSSHAIR).refresh("30s")
            .time("now-6h", "now").timezone("browser"))


# --- the dashboards ---------------------------------------------------------------

def network_overview() -> Dashboard:
    n = 'network=~"$network"'
    return (
        dashboard("welfare-network-overview", "Welfare — network overview",
                  "Demand and capacity flowing into the book, matching rounds, coverage and "
                  "unmet demand, per network.")
        .with_variable(variable("network", "Network", "welfare_round_coverage_ratio, network"))
        .with_row(Row("Coverage"))
        .with_panel(single(
            "Coverage of the last committed round", "Served / demanded unit-weeks in the "
            f"network's last committed round (dry runs apart). Alert below "
            f"{COVERAGE_THRESHOLD:.0%} when something was demanded (WelfareCoverageLow).",
            "percentunit",
            query(f"welfare_round_coverage_ratio{{{n}}}", "{{network}}"),
            thresholds((None, "red"), (COVERAGE_THRESHOLD, "yellow"), (0.95, "green")),
            width=12))
        .with_panel(single(
            "Proven gap of the last committed round", "Relative gap between the round's "
            "objective and its proven bound: 0 means proven optimal.", "percentunit",
            query(f"welfare_round_gap_ratio{{{n}}}", "{{network}}"),
            thresholds((None, "green"), (0.01, "yellow"), (0.05, "red"))))
        .with_panel(single(
            "Since the last committed round", "Time since a committed round of the network "
            "last completed.", "s",
            query(f"time() - welfare_round_last_success_timestamp_seconds{{{n}}}", "{{network}}"),
            thresholds((None, "green"), (86400, "yellow"), (7 * 86400, "red"))))
        .with_panel(graph(
            "Coverage per network", "Coverage of each network's last committed round over "
            "time, and of its last dry run (a \"what if\" that awards nothing).",
            "percentunit", query(f"welfare_round_coverage_ratio{{{n}}}", "{{network}}"),
            query(f"welfare_dry_run_coverage_ratio{{{n}}}", "dry run {{network}}", ref="B")))
        .with_panel(graph(
            "Unmet units by reason", "Units the last round could not serve, by reason.",
            "short",
            query(f"sum by (network, reason) (welfare_round_unmet_units{{{n}}})",
                  "{{network}} {{reason}}"), stack=True))
        .with_row(Row("Demand and capacity"))
        .with_panel(graph(
            "Demand lines in the book", "Demand lines standing in the matcher's book, by "
            "category.", "short",
            query(f"sum by (category) (welfare_book_demand_lines{{{n}}})", "{{category}}"),
            stack=True))
        .with_panel(graph(
            "Capacity offers in the book", "Capacity offers standing in the matcher's book, "
            "by category.", "short",
            query(f"sum by (category) (welfare_book_offers{{{n}}})", "{{category}}"),
            stack=True))
        .with_panel(graph(
            "Demand and capacity events received", "Records the matcher reads from the "
            "demand and capacity topics.", "ops",
            query("sum by (handler) (rate(faststream_received_messages_total{app_name="
                  f'"matcher",handler=~"welfare.demand.v1|welfare.capacity.v1"}}[{RATE}]))',
                  "{{handler}}")))
        .with_panel(graph(
            "Aggregated demand published by intake", "Aggregated demand lines intake "
            "publishes, by category, and cells it withholds to protect employees.", "ops",
            query(f"sum by (category) (rate(welfare_intake_aggregates_published_total[{RATE}]))",
                  "published {{category}}"),
            query(f"sum by (kind) (rate(welfare_intake_cells_suppressed_total[{RATE}]))",
                  "suppressed {{kind}}", ref="B")))
        .with_row(Row("Rounds"))
        .with_panel(graph(
            "Rounds by outcome", "Rounds finished per hour, by outcome (optimal and feasible "
            "are solutions; anything else fires WelfareRoundFailed).", "short",
            query(f"sum by (network, outcome) (increase(welfare_rounds_total{{{n}}}[1h]))",
                  "{{network}} {{outcome}}"), stack=True))
        .with_panel(graph(
            "Round and solve duration (p95)", "95th percentile of the whole round "
            "(snapshot, solve, storing) and of the optimiser alone.", "s",
            query("histogram_quantile(0.95, sum by (network, le) "
                  f"(rate(welfare_round_duration_seconds_bucket{{{n}}}[{RATE}])))",
                  "round {{network}}"),
            query("histogram_quantile(0.95, sum by (network, le) "
                  f"(rate(welfare_round_solve_duration_seconds_bucket{{{n}}}[{RATE}])))",
                  "solve {{network}}", ref="B")))
        .with_panel(graph(
            "Proven gap per network", "Relative gap of each network's last round.",
            "percentunit", query(f"welfare_round_gap_ratio{{{n}}}", "{{network}}")))
        .with_panel(graph(
            "Contracts awarded and answered", "Assignments the matcher publishes and provider "
            "responses it reads.", "ops",
            query("sum (rate(faststream_published_messages_total"
                  f'{{destination="welfare.assignments.v1"}}[{RATE}]))', "awarded"),
            query("sum (rate(faststream_received_messages_total"
                  f'{{handler="welfare.provider-responses.v1"}}[{RATE}]))', "answered",
                  ref="B")))
        .with_panel(graph(
            "Awards awaiting an answer", "Awards of each network's latest committed round "
            "that their provider has neither accepted nor declined.", "short",
            query(f"max by (network) (welfare_awards_awaiting_answer{{{n}}})", "{{network}}")))
        .with_panel(single(
            "Oldest award awaiting an answer", "How long the oldest unanswered award has "
            f"waited. Alert beyond {AWARD_WAIT_THRESHOLD_S // 86400} days "
            "(WelfareAwardsUnanswered).", "s",
            query(f"max by (network) (welfare_awards_awaiting_answer_oldest_age_seconds{{{n}}})",
                  "{{network}}"),
            thresholds((None, "green"), (86400, "yellow"), (AWARD_WAIT_THRESHOLD_S, "red")),
            width=12))
    )


def service_health() -> Dashboard:
    j = 'job=~"$job"'
    return (
        dashboard("welfare-service-health", "Welfare — service health",
                  "RED per service (HTTP and Kafka), readiness, consumer lag, outbox and dead "
                  "letters.")
        .with_variable(variable("job", "Service", "welfare_outbox_backlog_messages, job"))
        .with_row(Row("Readiness"))
        .with_panel(bars(
            "Dependencies up", "1 when the service's /ready check of the dependency "
            "succeeded (refreshed whenever /ready is called).", "short",
            query(f"min by (job, dependency) (welfare_dependency_up{{{j}}})",
                  "{{job}} {{dependency}}")))
        .with_panel(bars(
            "Outbox backlog", "Events written but not yet on Kafka, per service; parked: "
            "events Kafka refused for good, waiting for an operator "
            "(WelfareOutboxRowsParked).", "short",
            query(f"sum by (job) (welfare_outbox_backlog_messages{{{j}}})", "{{job}}"),
            query(f"max by (job) (welfare_outbox_parked_messages{{{j}}})", "parked {{job}}",
                  ref="B")))
        .with_row(Row("HTTP: rate, errors, duration"))
        .with_panel(graph(
            "Requests", "HTTP requests per second, by service and status.", "reqps",
            query(f"sum by (job, status) (rate(welfare_http_requests_total{{{j}}}[{RATE}]))",
                  "{{job}} {{status}}"), width=8))
        .with_panel(graph(
            "Server errors", "Share of HTTP requests answered with 5xx.", "percentunit",
            query(f'sum by (job) (rate(welfare_http_requests_total{{{j},status=~"5.."}}[{RATE}]))'
                  f" / sum by (job) (rate(welfare_http_requests_total{{{j}}}[{RATE}]))",
                  "{{job}}"), width=8))
        .with_panel(graph(
            "Latency (p95)", "95th percentile of HTTP request duration, by route.", "s",
            query("histogram_quantile(0.95, sum by (job, route, le) "
                  f"(rate(welfare_http_request_duration_seconds_bucket{{{j}}}[{RATE}])))",
                  "{{job}} {{route}}"), width=8))
        .with_row(Row("Kafka: rate, errors, duration"))
        .with_panel(graph(
            "Records received", "Records handled per second, by service and topic.", "ops",
            query(f"sum by (app_name, handler) (rate(faststream_received_messages_total[{RATE}]))",
                  "{{app_name}} {{handler}}"), width=8))
        .with_panel(graph(
            "Records not acknowledged", "Records whose handling ended in error, nack, reject "
            "or skip.", "ops",
            query("sum by (app_name, handler, status) (rate("
                  f'faststream_received_processed_messages_total{{status!="acked"}}[{RATE}]))',
                  "{{app_name}} {{handler}} {{status}}"), width=8))
        .with_panel(graph(
            "Handling duration (p95)", "95th percentile of the time to handle a record.", "s",
            query("histogram_quantile(0.95, sum by (app_name, handler, le) (rate("
                  f"faststream_received_processed_messages_duration_seconds_bucket[{RATE}])))",
                  "{{app_name}} {{handler}}"), width=8))
        .with_panel(graph(
            "Records published", "Records published per second, by service, topic and "
            "status.", "ops",
            query("sum by (app_name, destination, status) "
                  f"(rate(faststream_published_messages_total[{RATE}]))",
                  "{{app_name}} {{destination}} {{status}}")))
        .with_panel(graph(
            "Consumer lag", "Records not yet processed, by topic and consumer group; the "
            "providers' groups (provider-…) as the matcher reads them from the broker.",
            "short",
            query(f"max by (topic, group) (welfare_consumer_lag_messages{{{j}}})",
                  "{{group}} {{topic}}")))
        .with_row(Row("Outbox and dead letters"))
        .with_panel(graph(
            "Oldest unpublished event", "Age of the oldest outbox event not yet on Kafka "
            "(alert after 5 minutes: WelfareOutboxBacklogOld).", "s",
            query(f"max by (job) (welfare_outbox_oldest_age_seconds{{{j}}})", "{{job}}"),
            width=8))
        .with_panel(graph(
            "Outbox relay", "Events relayed to Kafka, and failed relay attempts.", "ops",
            query(f"sum by (job) (rate(welfare_outbox_published_total{{{j}}}[{RATE}]))",
                  "published {{job}}"),
            query(f"sum by (job) (rate(welfare_outbox_publish_failures_total{{{j}}}[{RATE}]))",
                  "failed {{job}}", ref="B"), width=8))
        .with_panel(graph(
            "Dead letters and ignored events", "Messages dead-lettered per hour by source "
            "topic; events ignored as duplicates or stale versions.", "short",
            query(f"sum by (topic) (increase(welfare_dead_letters_total{{{j}}}[1h]))",
                  "dead-lettered {{topic}}"),
            query(f"sum by (topic, reason) (increase(welfare_events_ignored_total{{{j}}}[1h]))",
                  "ignored {{topic}} {{reason}}", ref="B"), width=8))
    )


DASHBOARD_BUILDERS = {
    "network-overview": network_overview,
    "service-health": service_health,
}


def render(builder: Dashboard) -> str:
    model = builder.build()
    for number, panel in enumerate(model.panels or [], start=1):
        panel.id_val = number  # stable ids: Grafana links and edits panels by id
    return json.dumps(model, cls=JSONEncoder, indent=2, sort_keys=True) + "\n"


def rendered() -> dict[Path, str]:
    return {DASHBOARDS / f"{name}.json": render(build())
            for name, build in DASHBOARD_BUILDERS.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="fail if the committed dashboards differ from the generated ones")
    args = parser.parse_args(argv)
    stale = []
    for path, text in rendered().items():
        if args.check:
            if not path.exists() or path.read_text() != text:
                stale.append(path)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
    for path in stale:
        print(f"stale: {path} (run python deploy/grafana/generate.py)", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())

"""Domain metrics: one catalogue for every service, dashboards and alert rules.

Each service builds ``ServiceMetrics`` on its own registry and updates the
metrics that concern it; the rest stay at zero (and are still exposed, so that
rules and dashboards can rely on every name existing). Labels only take bounded
values: networks, categories, reasons, outcomes, topics, HTTP routes. Never a
firm, an employee or an event id.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

ROUND_BUCKETS = (0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800)
HTTP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)


class ServiceMetrics:
    def __init__(self, registry: CollectorRegistry, service: str) -> None:
        self.registry = registry
        self.service = service
        r = registry

        # --- the book (matcher) ----------------------------------------------
        self.demand_lines = Gauge(
            "welfare_book_demand_lines", "Demand lines standing in the book.",
            ["network", "category"], registry=r)
        self.offers = Gauge(
            "welfare_book_offers", "Capacity offers standing in the book.",
            ["network", "category"], registry=r)

        # --- rounds (matcher) -------------------------------------------------
        self.rounds = Counter(
            "welfare_rounds", "Matching rounds finished, by outcome and kind.",
            ["network", "outcome", "kind"], registry=r)
        self.round_duration = Histogram(
            "welfare_round_duration_seconds", "Whole round: snapshot, solve, storing.",
            ["network"], buckets=ROUND_BUCKETS, registry=r)
        self.solve_duration = Histogram(
            "welfare_round_solve_duration_seconds", "Optimiser time within a round.",
            ["network"], buckets=ROUND_BUCKETS, registry=r)
        # The round_* gauges describe the last committed round: what providers
        # were awarded. A dry run answers "what if" and has its own series, so
        # that trying parameters never hides (or fakes) the real coverage.
        self.round_gap = Gauge(
            "welfare_round_gap_ratio", "Proven relative gap of the last committed round.",
            ["network"], registry=r)
        self.round_coverage = Gauge(
            "welfare_round_coverage_ratio",
            "Served / demanded unit-weeks, last committed round (0 when nothing was demanded).",
            ["network"], registry=r)
        self.round_demanded = Gauge(
            "welfare_round_demanded_units",
            "Demanded units times weeks (unit-weeks) in the last committed round: "
            "0 means the coverage says nothing.",
            ["network"], registry=r)
        self.round_unmet_units = Gauge(
            "welfare_round_unmet_units", "Unserved units in the last committed round, by reason.",
            ["network", "reason"], registry=r)
        self.round_last_success = Gauge(
            "welfare_round_last_success_timestamp_seconds",
            "When the last committed round of the network completed.", ["network"], registry=r)
        self.dry_run_gap = Gauge(
            "welfare_dry_run_gap_ratio", "Proven relative gap of the last dry run.",
            ["network"], registry=r)
        self.dry_run_coverage = Gauge(
            "welfare_dry_run_coverage_ratio", "Served / demanded unit-weeks, last dry run.",
            ["network"], registry=r)
        self.dry_run_last_success = Gauge(
            "welfare_dry_run_last_success_timestamp_seconds",
            "When the last dry run of the network completed.", ["network"], registry=r)
        self.rounds_pending = Gauge(
            "welfare_rounds_pending", "Rounds requested or running, not yet finished.",
            registry=r)

        # --- event handling (every consumer) ----------------------------------
        self.events_applied = Counter(
            "welfare_events_applied", "Events applied to the service's state.",
            ["topic"], registry=r)
        self.events_ignored = Counter(
            "welfare_events_ignored", "Events not applied: duplicate event id or stale version.",
            ["topic", "reason"], registry=r)
        self.dead_letters = Counter(
            "welfare_dead_letters", "Messages set aside on the dead-letter topic.",
            ["topic"], registry=r)
        self.inbox_pruned = Counter(
            "welfare_inbox_pruned", "Applied event ids deleted from the inbox after the "
            "retention (WELFARE_INBOX_RETENTION_DAYS).", registry=r)
        self.consumer_lag = Gauge(
            "welfare_consumer_lag_messages", "Records not yet processed, per topic.",
            ["topic", "group"], registry=r)

        # --- outbox (every producer) ------------------------------------------
        self.outbox_backlog = Gauge(
            "welfare_outbox_backlog_messages", "Events written but not yet on Kafka.",
            registry=r)
        self.outbox_oldest_age = Gauge(
            "welfare_outbox_oldest_age_seconds", "Age of the oldest unpublished event.",
            registry=r)
        self.outbox_published = Counter(
            "welfare_outbox_published", "Events relayed from the outbox to Kafka.",
            ["topic"], registry=r)
        self.outbox_publish_failures = Counter(
            "welfare_outbox_publish_failures", "Failed attempts to relay a batch to Kafka.",
            registry=r)
        # A parked event is one Kafka refused for good (too large, invalid): the
        # relay set it aside so that the events behind it go out. It is not in
        # the backlog gauges above, else the lag alert would fire for ever.
        self.outbox_parked = Gauge(
            "welfare_outbox_parked_messages",
            "Events parked in the outbox: Kafka refused them for good, they wait for an operator.",
            registry=r)
        self.outbox_parked_events = Counter(
            "welfare_outbox_parked", "Events the outbox relay parked instead of publishing.",
            ["topic"], registry=r)
        self.broker_log_rewinds = Counter(
            "welfare_broker_log_rewinds",
            "Times the broker's log was found gone backwards (a broker that came back "
            "empty) and the latest event of every entity was queued again.", registry=r)

        # --- intake -----------------------------------------------------------
        self.aggregates_published = Counter(
            "welfare_intake_aggregates_published", "Aggregated demand lines published.",
            ["category"], registry=r)
        self.cells_suppressed = Counter(
            "welfare_intake_cells_suppressed", "Aggregate cells withheld to protect employees.",
            ["kind"], registry=r)  # kind: primary (below k) or secondary

        # --- HTTP (every API) -------------------------------------------------
        self.http_requests = Counter(
            "welfare_http_requests", "HTTP requests served.",
            ["route", "method", "status"], registry=r)
        self.http_duration = Histogram(
            "welfare_http_request_duration_seconds", "HTTP request latency.",
            ["route", "method"], buckets=HTTP_BUCKETS, registry=r)

        # --- readiness --------------------------------------------------------
        self.dependency_up = Gauge(
            "welfare_dependency_up", "1 when a dependency answers, else 0.",
            ["dependency"], registry=r)

        # --- providers' answers (matcher) -------------------------------------
        # Awards of the network's latest committed round (the contracts providers
        # currently hold) that their provider has neither accepted nor declined.
        self.awards_awaiting = Gauge(
            "welfare_awards_awaiting_answer",
            "Current awards not yet accepted or declined by their provider.",
            ["network"], registry=r)
        self.awards_awaiting_oldest_age = Gauge(
            "welfare_awards_awaiting_answer_oldest_age_seconds",
            "Age of the oldest current award still without an answer (0 when none waits).",
            ["network"], registry=r)
        self.answers_refused = Counter(
            "welfare_answers_refused",
            "Providers' answers not applied: the contract was superseded or withdrawn.",
            ["reason"], registry=r)  # reason: superseded | withdrawn

"""The matcher's tables (prefix ``matcher_``), in SQLAlchemy Core.

Book entities (firms, demand lines, providers, offers) keep the version last
applied and a withdrawn flag, so a withdrawal is a version like any other and
an older event arriving late is recognised as stale. Their contract payload is
kept as JSON beside the few columns the snapshot filters on.

Money is stored in integer cents: exact on SQLite and PostgreSQL alike.
Lease times are epoch seconds, free of the time-zone quirks of SQLite.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

from services.common.consumer import inbox_table
from services.common.outbox import outbox_table

metadata = MetaData()

ID = 100  # the contracts' Identifier length
WEEK = 8  # "2027-W27"
NAME = 200  # schemas.limits.MAX_NAME_LENGTH


def _id(name: str, **kwargs) -> Column:
    return Column(name, String(ID), **kwargs)


def _version() -> list[Column]:
    return [
        Column("entity_version", Integer, nullable=False),
        Column("withdrawn", Boolean, nullable=False, default=False),
        Column("updated_at", DateTime(timezone=True), nullable=False),
    ]


firms = Table(
    "matcher_firms", metadata,
    _id("network_id", primary_key=True),
    _id("firm_id", primary_key=True),
    Column("budget_cents", BigInteger, nullable=True),
    Column("name", String(NAME), nullable=True),  # as enrolled; NULL: show the id (0004)
    Column("payload", Text, nullable=True),  # FirmProfile JSON
    *_version(),
)

demand_lines = Table(
    "matcher_demand_lines", metadata,
    _id("network_id", primary_key=True),
    _id("line_id", primary_key=True),
    _id("firm_id", nullable=False),
    Column("category", String(32), nullable=True),
    Column("first_week", String(WEEK), nullable=True),
    Column("last_week", String(WEEK), nullable=True),
    Column("payload", Text, nullable=True),  # DemandLine JSON; NULL for a bare tombstone
    *_version(),
    Index("ix_matcher_demand_lines_window", "network_id", "withdrawn", "first_week"),
)

providers = Table(
    "matcher_providers", metadata,
    _id("network_id", primary_key=True),
    _id("provider_id", primary_key=True),
    Column("name", String(NAME), nullable=True),  # as enrolled; NULL: show the id (0004)
    Column("payload", Text, nullable=True),  # ProviderProfile JSON
    *_version(),
)

offers = Table(
    "matcher_offers", metadata,
    _id("network_id", primary_key=True),
    _id("offer_id", primary_key=True),
    _id("provider_id", nullable=False),
    Column("category", String(32), nullable=True),
    Column("first_week", String(WEEK), nullable=True),
    Column("last_week", String(WEEK), nullable=True),
    Column("payload", Text, nullable=True),  # CapacityOffer JSON
    *_version(),
)

rounds = Table(
    "matcher_rounds", metadata,
    _id("round_id", primary_key=True),
    _id("network_id", nullable=False),
    Column("first_week", String(WEEK), nullable=False),
    Column("last_week", String(WEEK), nullable=False),
    Column("dry_run", Boolean, nullable=False),
    Column("kind", String(16), nullable=True),  # plain | repair, known once started
    Column("status", String(16), nullable=False),  # requested | running | completed | failed
    Column("outcome", String(16), nullable=True),  # the solver's status, when completed
    Column("parameters", Text, nullable=False),  # RoundParameters JSON
    Column("requested_by", String(200), nullable=False),
    Column("command_event_id", String(36), nullable=False),
    # Crash safety: who runs the round until when, and how often it was tried.
    Column("lease_owner", String(100), nullable=True),
    Column("lease_until", Float, nullable=True),
    Column("attempts", Integer, nullable=False, default=0),
    # Reproducibility: the frozen input and the result file.
    Column("input_hash", String(64), nullable=True),
    Column("snapshot", Text, nullable=True),
    Column("result", Text, nullable=True),
    Column("solver", String(200), nullable=True),
    Column("demand_lines", Integer, nullable=True),
    Column("offers", Integer, nullable=True),
    Column("pinned", Integer, nullable=True),
    Column("excluded", Integer, nullable=True),
    # Summary figures, to list rounds without parsing results.
    Column("objective", Float, nullable=True),
    Column("bound", Float, nullable=True),
    Column("gap", Float, nullable=True),
    Column("coverage", Float, nullable=True),
    Column("weighted_coverage", Float, nullable=True),
    # Sums over every line of a network: 64-bit (migration 0003).
    Column("demanded_unit_weeks", BigInteger, nullable=True),
    Column("served_unit_weeks", BigInteger, nullable=True),
    Column("total_cost_cents", BigInteger, nullable=True),
    Column("contracts", Integer, nullable=True),
    Column("summary", Text, nullable=True),  # RoundSummary JSON, as published
    Column("failure_reason", Text, nullable=True),
    # A commit of a stored dry run: the dry run whose snapshot and result it takes (0005).
    _id("commits_round_id", nullable=True),
    # Where a running round is, as its runner last wrote it (0006): waiting_for_book |
    # snapshot | solving | storing; while solving, the part being solved of how many.
    # NULL before a claim and once the round completed or failed.
    Column("phase", String(16), nullable=True),
    Column("phase_part", Integer, nullable=True),
    Column("phase_parts", Integer, nullable=True),
    Column("phase_since", DateTime(timezone=True), nullable=True),
    # Timings, seconds.
    Column("snapshot_s", Float, nullable=True),
    Column("solve_s", Float, nullable=True),
    Column("solver_build_s", Float, nullable=True),
    Column("solver_solve_s", Float, nullable=True),
    Column("total_s", Float, nullable=True),
    Column("requested_at", DateTime(timezone=True), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=True),
    Column("finished_at", DateTime(timezone=True), nullable=True),
    Index("ix_matcher_rounds_network", "network_id", "status", "requested_at"),
    Index("ix_matcher_rounds_status", "status", "requested_at"),
    Index("ix_matcher_rounds_commits", "commits_round_id"),
)

# One provider's share of a round: the unit of award and of response.
contracts = Table(
    "matcher_contracts", metadata,
    _id("contract_id", primary_key=True),
    _id("round_id", nullable=False, index=True),
    _id("network_id", nullable=False),
    _id("provider_id", nullable=False),
    Column("awarded", Boolean, nullable=False),  # False in a dry run
    Column("award_event_id", String(36), nullable=True),
    Column("unit_cost_cents", BigInteger, nullable=False),
    Column("fixed_cost_cents", BigInteger, nullable=False),
)

# One offer's group contract within a provider's contract.
contract_offers = Table(
    "matcher_contract_offers", metadata,
    _id("contract_id", primary_key=True),
    _id("offer_id", primary_key=True),
    Column("tier_index", Integer, nullable=False),
    Column("unit_price_cents", BigInteger, nullable=False),
    Column("volume_unit_weeks", Integer, nullable=False),
    Column("running_weeks", Text, nullable=False),  # JSON list
    Column("weekly_load", Text, nullable=False),  # JSON object
    Column("fixed_cost_cents", BigInteger, nullable=False),
    Column("unit_cost_cents", BigInteger, nullable=False),
)

contract_lines = Table(
    "matcher_contract_lines", metadata,
    _id("contract_id", primary_key=True),
    _id("offer_id", primary_key=True),
    _id("line_id", primary_key=True),
    _id("firm_id", nullable=False),
    Column("units", Integer, nullable=False),
    Column("unit_weeks", Integer, nullable=False),
    Column("weeks", Text, nullable=False),  # JSON list, the line's weeks
    Column("unit_price_cents", BigInteger, nullable=False),
    Column("cost_cents", BigInteger, nullable=False),
    Column("pinned", Boolean, nullable=False),
    Index("ix_matcher_contract_lines_line", "line_id"),
)

unmet_lines = Table(
    "matcher_unmet_lines", metadata,
    _id("round_id", primary_key=True),
    Column("position", Integer, primary_key=True),  # order in the result
    _id("line_id", nullable=False),
    _id("firm_id", nullable=False),
    Column("units", Integer, nullable=False),
    Column("unit_weeks", Integer, nullable=False),
    Column("reason", String(64), nullable=False),
    Column("change_description", Text, nullable=True),
    Column("change", Text, nullable=True),  # SmallestChange JSON
)

# The latest response per contract (versions of the contract entity; the award is 1).
contract_responses = Table(
    "matcher_contract_responses", metadata,
    _id("contract_id", primary_key=True),
    _id("network_id", nullable=False),
    _id("round_id", nullable=False),
    _id("provider_id", nullable=False),
    Column("entity_version", Integer, nullable=False),
    Column("response", String(16), nullable=False),  # accepted | declined
    Column("pairs", Text, nullable=False),  # JSON list of [line_id, offer_id] declined
    Column("reason", Text, nullable=False),
    Column("responded_at", DateTime(timezone=True), nullable=False),
)

# What responses mean for later rounds of the network.
pinned = Table(
    "matcher_pinned", metadata,
    _id("network_id", primary_key=True),
    _id("line_id", primary_key=True),
    _id("offer_id", primary_key=True),
    Column("units", Integer, nullable=False),
    _id("contract_id", nullable=False),
)

excluded = Table(
    "matcher_excluded", metadata,
    _id("network_id", primary_key=True),
    _id("line_id", primary_key=True),
    _id("offer_id", primary_key=True),
    _id("contract_id", nullable=False),
)

processed_events = inbox_table(metadata, "matcher")
outbox = outbox_table(metadata, "matcher")

"""The matcher's own tuning, from the environment (prefix ``WELFARE_MATCHER_``).

Shared settings (Kafka, database, ports) stay in ``services.common.settings``;
these only concern how this service runs rounds and measures itself.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.common.consumer import BATCH_RECORDS
from services.matcher.adapters.worker import DEFAULT_SOLVER


class MatcherOptions(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WELFARE_MATCHER_", extra="ignore")

    solver: str = Field(default=DEFAULT_SOLVER,
                        description="module:function taking (snapshot, parameters)")
    round_lease_s: float = Field(
        default=30.0, gt=0,
        description="how long a round stays claimed by a runner that stopped renewing it")
    round_poll_s: float = Field(default=1.0, gt=0)
    round_max_attempts: int = Field(default=3, ge=1)
    solver_grace_s: float = Field(
        default=120.0, gt=0, description="beyond a round's time limit, before the solve is ended")
    settle_timeout_s: float = Field(
        default=10.0, ge=0, description="how long a round waits for ingestion to catch up")
    lag_interval_s: float = Field(default=5.0, gt=0)
    gauges_interval_s: float = Field(default=5.0, gt=0)
    relay_idle_interval_s: float = Field(default=0.5, gt=0)
    ingest_batch_records: int = Field(
        default=BATCH_RECORDS, ge=1, le=BATCH_RECORDS,
        description="demand and capacity records applied per transaction and offset commit")

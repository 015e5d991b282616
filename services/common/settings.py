"""Settings for every service, from the environment (prefix ``WELFARE_``).

With nothing set, the services run on the embedded defaults: an embedded
Kafka-compatible broker and a SQLite file. ``WELFARE_KAFKA_BOOTSTRAP`` and
``WELFARE_DATABASE_URL`` select an external Kafka and PostgreSQL instead.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WELFARE_", extra="ignore")

    # --- Kafka ---------------------------------------------------------------
    kafka_bootstrap: str | None = Field(
        default=None, description="host:port list; unset starts the embedded broker"
    )
    # Tansu's memory build refuses InitProducerId, so idempotence is a setting:
    # None means on for an external Kafka and off for the embedded broker.
    kafka_idempotent_producer: bool | None = None
    kafka_security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = (
        "PLAINTEXT"
    )
    kafka_sasl_mechanism: Literal["SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN"] = "SCRAM-SHA-512"
    kafka_sasl_username: str | None = None
    kafka_sasl_password: SecretStr | None = None
    kafka_ssl_cafile: Path | None = None
    kafka_ssl_certfile: Path | None = None
    kafka_ssl_keyfile: Path | None = None
    # Create missing public topics at start-up; off where the platform owns them
    # (Strimzi's KafkaTopic resources, with ACLs that grant no Create).
    kafka_create_topics: bool = True
    # A consumer joins its group in about half the session timeout on Tansu.
    kafka_session_timeout_ms: int = Field(default=10_000, ge=1_000)
    kafka_heartbeat_interval_ms: int = Field(default=3_000, ge=100)
    # How long a send may wait for the broker before it counts as failed.
    kafka_request_timeout_ms: int = Field(default=30_000, ge=1_000)
    kafka_consumer_max_attempts: int = Field(
        default=3, ge=1, description="attempts before a failing message is dead-lettered"
    )
    # Event ids applied are kept this long to spot a redelivery, then pruned: longer
    # than any redelivery window (the topics keep records 7 days; services.common.inbox).
    inbox_retention_days: float = Field(
        default=14, gt=0, description="days an applied event id is kept for deduplication")

    # --- Storage -------------------------------------------------------------
    database_url: str = Field(
        default="sqlite:///var/{service}.db",
        description="SQLAlchemy URL, SQLite or PostgreSQL; {service} names the service",
    )
    data_dir: Path = Path("var")

    # --- Domain --------------------------------------------------------------
    k_anonymity: int = Field(default=10, ge=2, description="least employees behind an aggregate")

    # --- HTTP and access ------------------------------------------------------
    tokens_file: Path | None = Field(default=None, description="JSON file of token digests")
    tokens: str | None = Field(default=None, description="the same JSON, inline (for secrets)")
    http_host: str = "127.0.0.1"
    intake_port: int = 8101
    supply_port: int = 8102
    operator_port: int = 8103
    matcher_port: int = 8104  # the matcher's API: rounds, /health, /ready, /metrics
    # Where `welfare round ...` finds the operator API, and with which token.
    operator_url: str = "http://127.0.0.1:8103"
    operator_token: SecretStr | None = None
    # Where the operator service reads rounds: the matcher's own API (it never opens
    # the matcher's database), with the calling operator's token.
    matcher_url: str = "http://127.0.0.1:8104"
    # The web console (services/console): where it finds the other services' APIs,
    # which it calls with the logged-in person's own token, and what signs its cookie
    # (unset: a secret generated once into data_dir/console-secret).
    console_port: int = 8105
    intake_url: str = "http://127.0.0.1:8101"
    supply_url: str = "http://127.0.0.1:8102"
    console_secret: SecretStr | None = None

    # --- Observability ---------------------------------------------------------
    log_level: str = "INFO"
    log_json: bool = True
    # Where alert notifications link to: deploy/k8s/generate.py writes it into
    # every alert's runbook_url (the anchor is the alert's name in lower case).
    runbook_url: str = Field(
        default="https://welfare.example.org/deploy/RUNBOOK.md",
        description="absolute URL of deploy/RUNBOOK.md as the team on call reads it")

    def idempotent_producer(self, embedded: bool) -> bool:
        if self.kafka_idempotent_producer is not None:
            return self.kafka_idempotent_producer
        return not embedded

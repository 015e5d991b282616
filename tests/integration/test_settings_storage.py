"""Settings select the storage: a SQLite file by default, PostgreSQL by URL."""

from __future__ import annotations

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select

from services.common.database import database_url, make_engine, reachable
from services.common.kafka import KafkaConnection
from services.common.settings import Settings


def test_defaults_are_the_embedded_ones(monkeypatch):
    for name in ("WELFARE_KAFKA_BOOTSTRAP", "WELFARE_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings()
    assert settings.kafka_bootstrap is None
    assert database_url(settings, "matcher") == "sqlite:///var/matcher.db"
    assert settings.idempotent_producer(embedded=True) is False
    assert settings.idempotent_producer(embedded=False) is True


def test_environment_selects_external_kafka_and_postgres(monkeypatch):
    monkeypatch.setenv("WELFARE_KAFKA_BOOTSTRAP", "kafka-0:9092,kafka-1:9092")
    monkeypatch.setenv("WELFARE_DATABASE_URL", "postgresql://welfare@db/welfare")
    monkeypatch.setenv("WELFARE_KAFKA_IDEMPOTENT_PRODUCER", "false")
    settings = Settings()
    connection = KafkaConnection.from_settings(settings)
    assert connection.bootstrap == "kafka-0:9092,kafka-1:9092" and connection.embedded is None
    assert connection.idempotent is False
    assert database_url(settings, "intake") == "postgresql+psycopg://welfare@db/welfare"


def test_sasl_scram_and_tls_settings_reach_the_clients(monkeypatch, tmp_path):
    settings = Settings(
        kafka_bootstrap="kafka:9093", kafka_security_protocol="SASL_PLAINTEXT",
        kafka_sasl_username="matcher", kafka_sasl_password="s3cret",
    )
    connection = KafkaConnection.from_settings(settings)
    options = connection.aiokafka_options()
    assert options["sasl_mechanism"] == "SCRAM-SHA-512"
    assert options["sasl_plain_username"] == "matcher"
    assert type(connection.faststream_security()).__name__ == "SASLScram512"


@pytest.mark.postgres
def test_sqlite_and_postgres_are_reachable_through_the_settings(database_url):
    settings = Settings(database_url=database_url)
    engine = make_engine(database_url_for(settings))
    assert reachable(engine)
    table = Table("probe", MetaData(), Column("id", Integer, primary_key=True), Column("v", String))
    table.metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(insert(table).values(v="ciao"))
    with engine.connect() as connection:
        assert connection.execute(select(table.c.v)).scalar_one() == "ciao"
    assert engine.dialect.name in ("sqlite", "postgresql")
    engine.dispose()


def database_url_for(settings: Settings) -> str:
    return database_url(settings, "probe")


def test_an_unreachable_database_is_reported_not_raised():
    assert not reachable(make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none"))

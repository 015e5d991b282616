"""Connecting to Kafka: the embedded broker or an external cluster.

Every service reaches Kafka through ``KafkaConnection``: it knows the bootstrap
servers, the security settings (TLS, SASL/SCRAM) and whether the idempotent
producer may be used, and builds FastStream brokers and plain aiokafka clients
from them, so that no service repeats those settings.
"""

from __future__ import annotations

import contextlib
import logging
import ssl
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import aiokafka.protocol.metadata
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from faststream.kafka import KafkaBroker
from faststream.security import (
    BaseSecurity,
    SASLPlaintext,
    SASLScram256,
    SASLScram512,
)

from schemas.topics import TOPICS
from services.common.embedded_broker import EmbeddedBroker
from services.common.metrics import ServiceMetrics
from services.common.prometheus import message_flow_middleware
from services.common.settings import Settings

log = logging.getLogger(__name__)

# How long a producer trusts what it knows of the topics' partitions. Kafka's
# default is 5 minutes; a cluster that lost a topic and got it back with its
# partitions (services/common/broker_log.py) then refuses every record sent to
# the old layout for that long. 30 s bounds the recovery the runbook promises.
METADATA_MAX_AGE_MS = 30_000


def _asking_for_metadata_never_creates_topics() -> None:
    """Make every aiokafka client of this process ask for metadata without
    creating the topics it names.

    aiokafka's metadata request asks the broker to auto-create a missing topic
    (``allow_auto_topic_creation`` true) and offers no setting for it. A broker
    with auto-creation on (Tansu always; Apache Kafka by default) then creates
    it with its default partition count: after the embedded broker restarts
    empty, a service asking about ``welfare.demand.v1`` before the topics are
    created again got one with the wrong partitions, and records sent to the
    partitions it lacked were refused (``UnknownError``) for minutes. Topics are
    created with their partitions by ``ensure_topics`` or by the platform only.
    """
    request = aiokafka.protocol.metadata.MetadataRequest
    if getattr(request, "_welfare_never_creates_topics", False):
        return
    original = request.__init__

    def __init__(self, topics=None, allow_auto_topic_creation=False):
        original(self, topics, allow_auto_topic_creation)

    request.__init__ = __init__
    request._welfare_never_creates_topics = True


_asking_for_metadata_never_creates_topics()

# Brokers built with idempotence left to its default (on for an external Kafka):
# these may drop it when the broker refuses it (Tansu does). One explicitly
# asked for idempotence is never silently downgraded.
_idempotence_by_default: weakref.WeakSet[KafkaBroker] = weakref.WeakSet()


@dataclass
class KafkaConnection:
    settings: Settings
    bootstrap: str
    embedded: EmbeddedBroker | None = field(default=None, repr=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> KafkaConnection:
        """Use ``WELFARE_KAFKA_BOOTSTRAP``, or start the embedded broker."""
        if settings.kafka_bootstrap:
            return cls(settings, settings.kafka_bootstrap)
        embedded = EmbeddedBroker().start()
        return cls(settings, embedded.bootstrap, embedded)

    @property
    def idempotent(self) -> bool:
        return self.settings.idempotent_producer(embedded=self.embedded is not None)

    def ssl_context(self) -> ssl.SSLContext | None:
        s = self.settings
        if s.kafka_security_protocol not in ("SSL", "SASL_SSL"):
            return None
        context = ssl.create_default_context(cafile=s.kafka_ssl_cafile)
        if s.kafka_ssl_certfile:
            context.load_cert_chain(s.kafka_ssl_certfile, s.kafka_ssl_keyfile)
        return context

    def faststream_security(self) -> BaseSecurity | None:
        s = self.settings
        context = self.ssl_context()
        if s.kafka_security_protocol in ("SASL_PLAINTEXT", "SASL_SSL"):
            kind = {
                "SCRAM-SHA-512": SASLScram512,
                "SCRAM-SHA-256": SASLScram256,
                "PLAIN": SASLPlaintext,
            }[s.kafka_sasl_mechanism]
            password = s.kafka_sasl_password.get_secret_value() if s.kafka_sasl_password else ""
            return kind(
                username=s.kafka_sasl_username or "",
                password=password,
                ssl_context=context,
                use_ssl=context is not None,
            )
        if context is not None:
            return BaseSecurity(ssl_context=context, use_ssl=True)
        return None

    def aiokafka_options(self) -> dict[str, Any]:
        """Connection options for plain aiokafka clients (admin, lag probes, tools)."""
        s = self.settings
        options: dict[str, Any] = {
            "bootstrap_servers": self.bootstrap,
            "security_protocol": s.kafka_security_protocol,
        }
        context = self.ssl_context()
        if context is not None:
            options["ssl_context"] = context
        if s.kafka_security_protocol.startswith("SASL"):
            options["sasl_mechanism"] = s.kafka_sasl_mechanism
            options["sasl_plain_username"] = s.kafka_sasl_username
            if s.kafka_sasl_password:
                options["sasl_plain_password"] = s.kafka_sasl_password.get_secret_value()
        return options

    def consumer_options(self) -> dict[str, Any]:
        """Group settings for subscribers: commit after handling, short joins."""
        s = self.settings
        return {
            "auto_offset_reset": "earliest",
            "session_timeout_ms": s.kafka_session_timeout_ms,
            "heartbeat_interval_ms": s.kafka_heartbeat_interval_ms,
        }

    def faststream_broker(self, *, client_id: str, metrics: ServiceMetrics | None = None,
                          middlewares: Iterable[Any] = ()) -> KafkaBroker:
        """A FastStream broker; given the service's metrics, its message flow
        (received, processed, published, durations) joins them on /metrics."""
        if metrics is not None:
            middlewares = (message_flow_middleware(metrics), *middlewares)
        broker = KafkaBroker(
            self.bootstrap,
            client_id=client_id,
            request_timeout_ms=self.settings.kafka_request_timeout_ms,
            security=self.faststream_security(),
            enable_idempotence=self.idempotent,
            acks="all",
            # Topics are created with their partitions by ensure_topics (or by
            # the platform, e.g. Strimzi); a typo must not create a new topic.
            allow_auto_create_topics=False,
            metadata_max_age_ms=METADATA_MAX_AGE_MS,
            middlewares=tuple(middlewares),
            logger=None,
        )
        if self.settings.kafka_idempotent_producer is None:
            _idempotence_by_default.add(broker)
        return broker

    def close(self) -> None:
        if self.embedded is not None:
            self.embedded.stop()


async def ensure_topics(connection: KafkaConnection) -> list[str]:
    """Create any missing public topic with its partitions; return those created."""
    admin = AIOKafkaAdminClient(**connection.aiokafka_options())
    try:
        await admin.start()
        existing = set(await admin.list_topics())
        missing = [
            NewTopic(name, spec.partitions, 1) for name, spec in TOPICS.items() if name not in existing
        ]
        if missing:
            try:
                await admin.create_topics(missing)
            except TopicAlreadyExistsError:
                pass  # another service created them first
        return [topic.name for topic in missing]
    finally:
        await admin.close()


def declared_publish(broker: KafkaBroker, topics: Iterable[str]):
    """A ``publish(topic, key, value, headers)`` over publishers declared on ``broker``.

    Declaring them makes the topics a service writes part of its broker's
    description (AsyncAPI, ACLs), next to the topics its subscribers read.
    """
    publishers = {topic: broker.publisher(topic) for topic in topics}

    async def publish(topic: str, key: bytes, value: bytes, headers: dict[str, str]):
        try:
            publisher = publishers[topic]
        except KeyError:
            raise ValueError(f"{topic} is not a topic this service declared it writes") from None
        return await publisher.publish(value, key=key, headers=headers)

    return publish


def topics_read(broker: KafkaBroker) -> set[str]:
    return {name for subscriber in broker.subscribers for name in subscriber.topic_names}


def topics_written(broker: KafkaBroker) -> set[str]:
    return {publisher.topic for publisher in broker.publishers}


class IdempotenceRefused(RuntimeError):
    """The broker answers, but refuses the idempotent producer that was asked for."""


async def connect_broker(broker: KafkaBroker) -> None:
    """Start ``broker``, after checking with a producer of its own settings that Kafka answers.

    FastStream leaves a producer whose start failed unclosed (a file descriptor
    per retry while Kafka is away); the probe closes its own whatever happens,
    so ``broker.start()`` only runs once it will succeed. A broker that refuses
    idempotent producers (the embedded Tansu) is told apart from one that is
    away: with idempotence at its default the service drops it and says so in
    one line; asked for explicitly, ``IdempotenceRefused`` names the setting.
    """
    # The keyword arguments FastStream hands to AIOKafkaProducer; the probe uses the same.
    options: dict[str, Any] = broker._connection_kwargs  # noqa: SLF001
    servers = options.get("bootstrap_servers")
    where = ",".join(servers) if isinstance(servers, list | tuple) else str(servers)
    try:
        await _probe(options)
    except Exception:
        if not options.get("enable_idempotence"):
            raise
        try:
            await _probe({**options, "enable_idempotence": False})
        except Exception:  # noqa: BLE001 - away altogether; report the first failure
            pass
        else:
            if broker not in _idempotence_by_default:
                raise IdempotenceRefused(
                    f"the broker at {where} refuses idempotent "
                    "producers (the embedded broker does): set "
                    "WELFARE_KAFKA_IDEMPOTENT_PRODUCER=false") from None
            options["enable_idempotence"] = False
            log.warning("the broker at %s refuses idempotent producers (the embedded broker "
                        "does): producing without idempotence; set "
                        "WELFARE_KAFKA_IDEMPOTENT_PRODUCER=false to say so yourself", where)
            return await connect_broker(broker)
        raise
    await broker.start()


async def _probe(options: dict[str, Any]) -> None:
    producer = AIOKafkaProducer(**options)
    try:
        await producer.start()
    finally:
        with contextlib.suppress(Exception):
            await producer.stop()

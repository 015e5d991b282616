"""Message-flow metrics: FastStream's Kafka Prometheus middleware on a service's registry.

A composition root passes it to its broker, next to the domain metrics::

    metrics = ServiceMetrics(CollectorRegistry(), "matcher")
    broker = connection.faststream_broker(
        client_id="welfare-matcher", middlewares=[message_flow_middleware(metrics)])

The broker then exposes, on the same ``/metrics``, ``faststream_received_messages_total``,
``faststream_received_processed_messages_total`` (by ``status``),
``faststream_received_processed_messages_duration_seconds``,
``faststream_published_messages_total`` and the rest, labelled with
``app_name`` = the service, ``handler`` = the topic read and ``destination`` =
the topic written: bounded values only.
"""

from __future__ import annotations

from faststream.kafka.prometheus import KafkaPrometheusMiddleware

from services.common.metrics import ServiceMetrics

METRICS_PREFIX = "faststream"


def message_flow_middleware(metrics: ServiceMetrics) -> KafkaPrometheusMiddleware:
    return KafkaPrometheusMiddleware(
        registry=metrics.registry,
        app_name=metrics.service,
        metrics_prefix=METRICS_PREFIX,
    )

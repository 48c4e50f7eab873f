"""Celery queue depth, read from the broker: messages waiting for a worker per queue (one
round trip per queue; with Redis, an LLEN per priority level). Tasks already handed to a
worker — running, or held there until their countdown — are not waiting and not counted."""

from __future__ import annotations

from collections.abc import Iterator

from celery import current_app
from kombu.exceptions import ChannelError
from prometheus_client.metrics_core import GaugeMetricFamily, Metric

BROKER_TIMEOUT_S = 3.0


def queue_names() -> list[str]:
    return sorted(current_app.amqp.queues.keys()) or [current_app.conf.task_default_queue]


def queue_depths() -> dict[str, int]:
    """{queue: messages waiting}. Raises when the broker does not answer."""
    depths: dict[str, int] = {}
    with current_app.connection_for_read() as conn:
        conn.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_S)
        channel = conn.default_channel
        for name in queue_names():
            try:
                depths[name] = int(channel.queue_declare(queue=name, passive=True).message_count)
            except ChannelError:  # never declared, or emptied and gone (Redis): nothing waits
                depths[name] = 0
    return depths


def queue_depth_sample() -> Iterator[Metric]:
    family = GaugeMetricFamily(
        "reelsmith_queue_depth",
        "Celery messages waiting for a worker, per queue (sampled from the broker).",
        labels=["queue"],
    )
    for name, depth in queue_depths().items():
        family.add_metric([name], depth)
    yield family

"""The moderation backlog as gauges sampled at each /metrics scrape (apps/core/metrics.py)."""

from collections.abc import Iterator

from prometheus_client.metrics_core import GaugeMetricFamily, Metric

from apps.moderation.selectors import moderation_backlog


def moderation_sample() -> Iterator[Metric]:
    size = GaugeMetricFamily(
        "reelsmith_moderation_queue_size",
        "Open moderation cases, by subject type.",
        labels=["subject_type"],
    )
    age = GaugeMetricFamily(
        "reelsmith_moderation_queue_oldest_age_seconds",
        "Age of the oldest open moderation case, by subject type (0 when none is open).",
        labels=["subject_type"],
    )
    for subject_type, row in moderation_backlog().items():
        size.add_metric([subject_type], row["open"])
        age.add_metric([subject_type], row["oldest_age_s"] or 0.0)
    yield size
    yield age

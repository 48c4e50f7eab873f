"""Jobs past their deadline as a gauge sampled at each /metrics scrape: more than zero for
longer than a sweep interval (JOBS_SWEEP_INTERVAL_S) means the sweep is not running."""

from collections.abc import Iterator

from django.db.models import Count
from prometheus_client.metrics_core import GaugeMetricFamily, Metric

from apps.jobs.selectors import SWEPT_STATUSES, jobs_stuck


def stuck_jobs_sample() -> Iterator[Metric]:
    family = GaugeMetricFamily(
        "reelsmith_jobs_past_deadline",
        "Jobs still queued, running or delivering after their deadline, by status.",
        labels=["status"],
    )
    counts = dict(
        jobs_stuck()
        .order_by()
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    for status in SWEPT_STATUSES:
        family.add_metric([str(status)], counts.get(status, 0))
    yield family

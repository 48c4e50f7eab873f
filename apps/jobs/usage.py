"""Usage reports of a workspace: jobs by status, success rate, credits spent, seconds of
video delivered and turnaround percentiles over a date range, grouped by day, model,
method, provider or API key (docs/usage.md).

Everything is read from the `jobs_job` table alone through `job_usage_idx` — (workspace,
created_at) carrying every aggregated column — so PostgreSQL answers with an index-only
scan of the workspace's range whatever the table's size. Turnaround percentiles are
PostgreSQL's `percentile_cont` (an ordered-set aggregate); on SQLite (the embedded dev
database) the same linear interpolation is done in Python over the range's completed
jobs.
"""

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Aggregate, Count, F, FloatField, Func, Q, QuerySet, Sum
from django.db.models.functions import TruncDate

from apps.accounts.models import ApiKey, Workspace
from apps.jobs.models import Job, JobStatus

GROUPS = ("day", "model", "method", "provider", "api_key")
STATUSES = tuple(JobStatus.values)
_COLUMN = {"model": "model", "method": "method", "provider": "provider", "api_key": "api_key_id"}


class _Percentile(Aggregate):
    """percentile_cont(p) WITHIN GROUP (ORDER BY expr), PostgreSQL only."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression: Any, *, fraction: float, **extra: Any) -> None:
        # A float literal of our own (0.5, 0.95), never user input.
        super().__init__(expression, fraction=repr(float(fraction)), **extra)


class _Seconds(Func):
    """EXTRACT(EPOCH FROM a - b): the seconds between two timestamps, PostgreSQL only."""

    template = "EXTRACT(EPOCH FROM (%(expressions)s))"
    arg_joiner = " - "
    output_field = FloatField()


@dataclass
class UsageRow:
    key: str | None
    label: str
    jobs: dict[str, int] = field(default_factory=dict)
    credits_spent: int = 0  # credits
    output_seconds: float = 0.0
    turnaround_p50_s: float | None = None
    turnaround_p95_s: float | None = None

    @property
    def success_rate(self) -> float | None:
        """Completed ÷ (completed + failed); None until one of them ended. Cancelled
        (the user's choice) and rejected (moderation) jobs are neither."""
        done = self.jobs.get("completed", 0) + self.jobs.get("failed", 0)
        return round(self.jobs.get("completed", 0) / done, 4) if done else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "jobs": self.jobs,
            "success_rate": self.success_rate,
            "credits_spent": self.credits_spent,
            "output_seconds": round(self.output_seconds, 3),
            "turnaround_p50_s": self.turnaround_p50_s,
            "turnaround_p95_s": self.turnaround_p95_s,
        }


@dataclass
class UsageReport:
    start: dt.date
    end: dt.date  # inclusive
    group_by: str
    totals: UsageRow
    rows: list[UsageRow]


def usage_jobs(*, workspace: Workspace, start: dt.date, end: dt.date) -> QuerySet[Job]:
    """The workspace's jobs accepted from `start` to `end` (UTC days, both included)."""
    lower = dt.datetime.combine(start, dt.time.min, tzinfo=dt.UTC)
    upper = dt.datetime.combine(end, dt.time.min, tzinfo=dt.UTC) + dt.timedelta(days=1)
    return Job.objects.filter(workspace=workspace, created_at__gte=lower, created_at__lt=upper)


def _on_postgres() -> bool:
    return connection.vendor == "postgresql"


def _aggregates() -> dict[str, Any]:
    completed = Q(status=JobStatus.COMPLETED, completed_at__isnull=False)
    out: dict[str, Any] = {"n_total": Count("*")}
    for status in STATUSES:
        out[f"n_{status}"] = Count("status", filter=Q(status=status))
    out["credits"] = Sum("credits_charged")
    out["seconds"] = Sum("output_seconds")
    if _on_postgres():
        turnaround = _Seconds(F("completed_at"), F("created_at"))
        out["p50"] = _Percentile(turnaround, fraction=0.5, filter=completed)
        out["p95"] = _Percentile(turnaround, fraction=0.95, filter=completed)
    return out


def _row(key: str | None, label: str, values: dict[str, Any]) -> UsageRow:
    jobs = {"total": values["n_total"], **{s: values[f"n_{s}"] for s in STATUSES}}
    p50, p95 = values.get("p50"), values.get("p95")
    return UsageRow(
        key=key,
        label=label,
        jobs=jobs,
        credits_spent=int(values["credits"] or 0),
        output_seconds=float(values["seconds"] or 0.0),
        turnaround_p50_s=None if p50 is None else round(p50, 3),
        turnaround_p95_s=None if p95 is None else round(p95, 3),
    )


def percentile(values: list[float], fraction: float) -> float | None:
    """PostgreSQL's percentile_cont: linear interpolation between the closest ranks."""
    if not values:
        return None
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    low, high = math.floor(position), math.ceil(position)
    value = ordered[low] + (ordered[high] - ordered[low]) * (position - low)
    return round(value, 3)


def _python_percentiles(jobs: QuerySet[Job], group: str | None) -> dict[Any, tuple[Any, Any]]:
    """(p50, p95) per group key computed here: the SQLite fallback."""
    column = "day" if group == "day" else _COLUMN.get(group or "")
    rows = jobs.filter(status=JobStatus.COMPLETED, completed_at__isnull=False)
    if group == "day":
        rows = rows.annotate(day=TruncDate("created_at", tzinfo=dt.UTC))
    fields = ["created_at", "completed_at", *([column] if column else [])]
    seconds: dict[Any, list[float]] = defaultdict(list)
    for values in rows.values_list(*fields):
        key = values[2] if column else None
        seconds[key].append((values[1] - values[0]).total_seconds())
    return {k: (percentile(v, 0.5), percentile(v, 0.95)) for k, v in seconds.items()}


def _labels(group: str, keys: Iterable[Any], workspace: Workspace) -> dict[Any, tuple[Any, str]]:
    """Each raw group value -> (public key, label)."""
    if group == "api_key":
        ids = [k for k in keys if k is not None]
        names = {
            pk: (public_id, name)
            for pk, public_id, name in ApiKey.objects.filter(
                workspace=workspace, pk__in=ids
            ).values_list("pk", "public_id", "name")
        }
        out: dict[Any, tuple[Any, str]] = {None: (None, "Dashboard (no API key)")}
        out.update({pk: names.get(pk, (None, "Deleted key")) for pk in ids})
        return out
    if group == "day":
        return {k: (k.isoformat(), k.isoformat()) for k in keys}
    return {k: (k, k) for k in keys}


def usage_report(
    *, workspace: Workspace, start: dt.date, end: dt.date, group_by: str
) -> UsageReport:
    """The report; `group_by` is one of GROUPS (the API validates it). Days with no jobs
    are listed too when grouping by day, so a chart has every day of the range."""
    if group_by not in GROUPS:
        raise ValueError(group_by)
    jobs = usage_jobs(workspace=workspace, start=start, end=end)
    aggregates = _aggregates()
    if group_by == "day":
        grouped = jobs.annotate(group=TruncDate("created_at", tzinfo=dt.UTC))
    else:
        grouped = jobs.annotate(group=F(_COLUMN[group_by]))
    raw: dict[Any, dict[str, Any]] = {}
    for values in grouped.values("group").annotate(**aggregates).order_by():
        row = dict(values)
        raw[row.pop("group")] = row
    totals_values: dict[str, Any] = jobs.aggregate(**aggregates)
    if not _on_postgres():
        by_group = _python_percentiles(jobs, group_by)
        for key, figures in raw.items():
            figures["p50"], figures["p95"] = by_group.get(key, (None, None))
        totals_values["p50"], totals_values["p95"] = _python_percentiles(jobs, None).get(
            None, (None, None)
        )
    if group_by == "day":
        empty: dict[str, Any] = dict.fromkeys(totals_values, 0) | {"p50": None, "p95": None}
        days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
        raw = {day: raw.get(day, empty) for day in days}
    labels = _labels(group_by, raw, workspace)
    rows = [_row(*labels[key], values) for key, values in raw.items()]
    if group_by != "day":
        rows.sort(key=lambda r: (-r.credits_spent, -r.jobs["total"], r.label))
    return UsageReport(
        start=start,
        end=end,
        group_by=group_by,
        totals=_row(None, "Total", totals_values),
        rows=rows,
    )


def usage_recent_spend(*, workspace: Workspace, days: int) -> int:
    """Credits captured for the workspace's jobs of the last `days` days (credits)."""
    end = dt.datetime.now(dt.UTC).date()
    jobs = usage_jobs(workspace=workspace, start=end - dt.timedelta(days=days - 1), end=end)
    return int(jobs.aggregate(spent=Sum("credits_charged"))["spent"] or 0)

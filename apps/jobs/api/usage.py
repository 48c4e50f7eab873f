"""GET /api/v1/usage: the workspace's usage report as JSON or, with `?format=csv`, CSV
(docs/usage.md). Any member of the workspace may read it."""

import csv
import datetime as dt
import io
from typing import Any

from django.conf import settings
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api.query import query_validated
from apps.core.api.schema import errors
from apps.jobs.usage import GROUPS, STATUSES, UsageReport, UsageRow, usage_report

# One day short of date.max: the range's exclusive upper bound must still be a date.
LAST_DATE = dt.date.max - dt.timedelta(days=1)


def _with_from(cls: type[serializers.Serializer[Any]], field: serializers.Field) -> Any:
    """Adds a field named `from` (a Python keyword, so not declarable) first."""
    cls._declared_fields = {"from": field, **cls._declared_fields}  # type: ignore[attr-defined]
    return cls


class UsageQuerySerializer(serializers.Serializer[Any]):
    to = serializers.DateField(
        required=False,
        help_text="Last day (UTC, included), YYYY-MM-DD. Default: today, or `from` if later.",
    )
    group_by = serializers.ChoiceField(choices=GROUPS, required=False, default="day")
    format = serializers.ChoiceField(
        choices=("json", "csv"),
        required=False,
        default="json",
        help_text="`csv`: the same rows as text/csv with a header row.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        today = dt.datetime.now(dt.UTC).date()
        start, end = attrs.get("from"), attrs.get("to")
        for name, value in (("from", start), ("to", end)):
            if value is not None and value > LAST_DATE:
                raise serializers.ValidationError({name: [f"Give a date up to {LAST_DATE}."]})
        if end is None:
            end = max(today, start) if start else today
        if start is None:
            start = end - dt.timedelta(days=settings.USAGE_DEFAULT_RANGE_DAYS - 1)
        if start > end:
            raise serializers.ValidationError({"from": ["`from` must not be after `to`."]})
        days = (end - start).days + 1
        if days > settings.USAGE_MAX_RANGE_DAYS:
            raise serializers.ValidationError(
                {
                    "to": [
                        f"The range is {days} days; at most {settings.USAGE_MAX_RANGE_DAYS} "
                        "days fit in one report. Ask for several ranges."
                    ]
                }
            )
        return {**attrs, "from": start, "to": end}


_with_from(
    UsageQuerySerializer,
    serializers.DateField(
        required=False,
        help_text=(
            "First day (UTC, included), YYYY-MM-DD. Default: the 30 days ending at `to` "
            "(USAGE_DEFAULT_RANGE_DAYS)."
        ),
    ),
)


class UsageJobsSerializer(serializers.Serializer[Any]):
    total = serializers.IntegerField(help_text="Jobs accepted in the range.")


for _status in STATUSES:
    UsageJobsSerializer._declared_fields[_status] = serializers.IntegerField(
        help_text=f"Of those, jobs now `{_status}`."
    )


class UsageRowSerializer(serializers.Serializer[Any]):
    key = serializers.CharField(
        allow_null=True,
        help_text="The group: a day (YYYY-MM-DD), model id, method, provider or API key id "
        "(key_…; null for jobs submitted from the dashboard, or a key since deleted).",
    )
    label = serializers.CharField(help_text="A name for the group (an API key's name).")
    jobs = UsageJobsSerializer()
    success_rate = serializers.FloatField(
        allow_null=True,
        help_text="completed / (completed + failed), 0..1; null when none of them ended.",
    )
    credits_spent = serializers.IntegerField(
        help_text="Credits actually captured for the group's delivered jobs (credits)."
    )
    output_seconds = serializers.FloatField(help_text="Seconds of video delivered.")
    turnaround_p50_s = serializers.FloatField(
        allow_null=True, help_text="Median seconds from acceptance to delivery (completed jobs)."
    )
    turnaround_p95_s = serializers.FloatField(
        allow_null=True, help_text="95th percentile of the same."
    )


class UsageReportSerializer(serializers.Serializer[Any]):
    to = serializers.DateField()
    group_by = serializers.ChoiceField(choices=GROUPS)
    totals = UsageRowSerializer(help_text="The whole range (key null, label `Total`).")
    rows = UsageRowSerializer(many=True)


_with_from(UsageReportSerializer, serializers.DateField())


CSV_COLUMNS = [
    "label",
    "jobs_total",
    *(f"jobs_{s}" for s in STATUSES),
    "success_rate",
    "credits_spent",
    "output_seconds",
    "turnaround_p50_s",
    "turnaround_p95_s",
]


def _cell(value: Any) -> Any:
    # Names are user input (API key names): a spreadsheet must not run them as formulas.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value


def _csv_line(row: UsageRow) -> list[Any]:
    data = row.as_dict()
    jobs = data["jobs"]
    values = [
        data["key"],
        data["label"],
        jobs["total"],
        *(jobs[s] for s in STATUSES),
        *(data[c] for c in CSV_COLUMNS[2 + len(STATUSES) :]),
    ]
    return [_cell(v) for v in values]


def usage_csv(report: UsageReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([report.group_by, *CSV_COLUMNS])
    for row in report.rows:
        writer.writerow(_csv_line(row))
    return out.getvalue()


class FormatParamIsOurs(DefaultContentNegotiation):
    """DRF reads `?format=` as a renderer's name (404 for any it lacks); here it is a query
    parameter the view answers itself, so negotiation looks only at Accept, and a CSV
    request is answered as CSV whatever Accept says."""

    def select_renderer(self, request: Request, renderers: Any, format_suffix: Any = None) -> Any:
        if request.query_params.get("format") == "csv":
            return renderers[0], renderers[0].media_type
        return super().select_renderer(request, renderers, format_suffix or "json")


CSV_EXAMPLE = "day,label,jobs_total,...,turnaround_p95_s\r\n2026-11-01,2026-11-01,12,...,48.2\r\n"


class UsageView(APIView):
    content_negotiation_class = FormatParamIsOurs

    @extend_schema(
        summary="Usage of the workspace: jobs, success rate, credits, turnaround (any member)",
        description=(
            "Jobs accepted from `from` to `to` (UTC days, both included; default: the last "
            "30 days; at most USAGE_MAX_RANGE_DAYS = 366 days), grouped by `group_by`. "
            "`credits_spent` is what was captured when results were delivered, never an "
            "estimate. With `group_by=day` every day of the range has a row. "
            "`format=csv` answers text/csv: a header row (the group's name, then the "
            "columns), then one line per row; the totals are not repeated."
        ),
        parameters=[UsageQuerySerializer],
        responses={
            (200, "application/json"): UsageReportSerializer,
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR,
                description="The rows as CSV (with `format=csv`).",
                examples=[OpenApiExample("CSV", value=CSV_EXAMPLE, media_type="text/csv")],
            ),
            **{(s, "application/json"): r for s, r in errors(400, 403).items()},
        },
    )
    def get(self, request: Request) -> Any:
        query = query_validated(request, UsageQuerySerializer)
        report = usage_report(
            workspace=request.workspace,
            start=query["from"],
            end=query["to"],
            group_by=query["group_by"],
        )
        if query["format"] == "csv":
            name = f"usage-{report.group_by}-{report.start}-{report.end}.csv"
            response = HttpResponse(usage_csv(report), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
        return Response(
            {
                "from": report.start,
                "to": report.end,
                "group_by": report.group_by,
                "totals": report.totals.as_dict(),
                "rows": [row.as_dict() for row in report.rows],
            }
        )

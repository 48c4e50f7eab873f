"""The Usage page: charts of the workspace's usage over a date range (the same report as
GET /api/v1/usage, docs/usage.md), and the low-credit notice every page shows."""

from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from rest_framework.exceptions import ValidationError as DrfValidationError

from apps.accounts.decorators import workspace_required
from apps.billing.selectors import credit_account_get, low_credit_threshold_effective
from apps.core.exceptions import error_from_drf
from apps.jobs.api.usage import UsageQuerySerializer
from apps.jobs.usage import GROUPS, usage_recent_spend, usage_report

# The pace the low-credit notice projects from (days).
RECENT_SPEND_DAYS = 7


def _range(request: HttpRequest) -> tuple[dict[str, Any], str | None]:
    """The validated range of ?from=&to= (the API's rules), or the default range and the
    message of what was wrong."""
    data = {k: request.GET[k] for k in ("from", "to") if request.GET.get(k)}
    serializer = UsageQuerySerializer(data=data)
    try:
        serializer.is_valid(raise_exception=True)
    except DrfValidationError as exc:
        fallback = UsageQuerySerializer(data={})
        fallback.is_valid(raise_exception=True)
        return fallback.validated_data, error_from_drf(exc).message
    return serializer.validated_data, None


@workspace_required
def usage(request: HttpRequest) -> HttpResponse:
    workspace = request.workspace  # type: ignore[attr-defined]
    query, error = _range(request)
    start, end = query["from"], query["to"]
    by_day = usage_report(workspace=workspace, start=start, end=end, group_by="day")
    by_model = usage_report(workspace=workspace, start=start, end=end, group_by="model")
    chart_data = {
        "days": [row.key for row in by_day.rows],
        "spend": [row.credits_spent for row in by_day.rows],
        "status": {
            status: [row.jobs[status] for row in by_day.rows]
            for status in ("completed", "failed", "cancelled")
        },
        "other": [
            row.jobs["total"] - sum(row.jobs[s] for s in ("completed", "failed", "cancelled"))
            for row in by_day.rows
        ],
        "success": [row.success_rate for row in by_day.rows],
        "models": [row.label for row in by_model.rows],
        "model_spend": [row.credits_spent for row in by_model.rows],
    }
    csv_links = [
        (
            group,
            "/api/v1/usage?"
            + urlencode({"from": start, "to": end, "group_by": group, "format": "csv"}),
        )
        for group in GROUPS
    ]
    return render(
        request,
        "dashboard/usage.html",
        {
            "start": start,
            "end": end,
            "error": error,
            "totals": by_day.totals,
            "models": by_model.rows,
            "chart_data": chart_data,
            "csv_links": csv_links,
        },
    )


def low_credit_notice(request: HttpRequest) -> dict[str, Any]:
    """Context processor: `low_credits` when the workspace's available credits are below
    its low-credit threshold (the one `credits.low` uses: its own setting, else 10 % of
    the last grant or purchase), with how long they last at the recent pace."""
    workspace = getattr(request, "workspace", None)
    if workspace is None or request.path.startswith("/api/"):
        return {}
    account = credit_account_get(workspace=workspace)
    if account.pk is None:
        return {}
    threshold = low_credit_threshold_effective(account=account)
    if threshold <= 0 or account.available >= threshold:
        return {}
    spent = usage_recent_spend(workspace=workspace, days=RECENT_SPEND_DAYS)
    per_day = spent / RECENT_SPEND_DAYS
    return {
        "low_credits": {
            "available": account.available,
            "threshold": threshold,
            "per_day": round(per_day),
            "days_left": int(account.available // per_day) if per_day else None,
        }
    }

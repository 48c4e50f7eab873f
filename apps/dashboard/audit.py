"""The Audit log page: owners and admins read who did what in the workspace, with the
same filters as `GET /api/v1/audit-events`. Members get 403, as in the API."""

import datetime as dt
from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from apps.accounts.audit_models import AuditAction
from apps.accounts.audit_selectors import ACTION_FAMILIES, audit_events_list
from apps.accounts.decorators import workspace_required
from apps.core.errors import ApplicationError, PermissionDenied
from apps.core.exceptions import error_response

PER_PAGE = 50


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(
        required=False,
        choices=[
            ("", "Any action"),
            ("Families", [(f, f"{f}.*") for f in ACTION_FAMILIES]),
            ("Actions", list(AuditAction.choices)),
        ],
    )
    actor = forms.CharField(
        required=False, max_length=254, help_text="Email, usr_…, key_…, or stripe/system."
    )
    target = forms.CharField(required=False, max_length=64, help_text="key_…, mem_…, ast_…")
    start = forms.DateField(required=False, label="From")
    end = forms.DateField(required=False, label="To (inclusive)")


def _day_start(day: dt.date | None) -> dt.datetime | None:
    if day is None:
        return None
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


@workspace_required
def audit_log(request: HttpRequest) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    if not membership.can_manage:
        return error_response(
            request, PermissionDenied("Only the workspace's owners and admins read the audit log.")
        )
    form = AuditFilterForm(request.GET or None)
    events: Any = []
    error = ""
    if form.is_bound and not form.is_valid():
        error = "Check the filters."
    else:
        data = form.cleaned_data if form.is_bound else {}
        end = data.get("end")
        try:
            events = audit_events_list(
                workspace=membership.workspace,
                action=data.get("action") or None,
                actor=(data.get("actor") or "").strip() or None,
                target=(data.get("target") or "").strip() or None,
                since=_day_start(data.get("start")),
                until=_day_start(end + dt.timedelta(days=1)) if end else None,
            )
        except ApplicationError as exc:
            error = exc.message
            events = []
    page = Paginator(events, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "dashboard/audit_log.html",
        {"form": form, "page": page, "error": error, "query": query.urlencode()},
    )

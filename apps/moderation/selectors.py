"""Reads of the moderation queue. Staff reads are platform-wide; the owner's reads (for
appeals) take the workspace first, and another tenant's case is the same 404 as none."""

import datetime as dt
import statistics
from collections import Counter, defaultdict
from typing import Any

from django.conf import settings
from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone

from apps.accounts.models import Workspace
from apps.core.errors import NotFound
from apps.gallery.models import Asset, AssetReport
from apps.moderation.models import CaseState, ModerationCase, SubjectType

_NOT_FOUND = "No such moderation case."


def cases_list(
    *, state: str | None = None, subject_type: str | None = None
) -> QuerySet[ModerationCase]:
    qs = ModerationCase.objects.select_related("workspace", "assignee", "decided_by")
    if state:
        qs = qs.filter(state=state)
    if subject_type:
        qs = qs.filter(subject_type=subject_type)
    return qs


def case_get(*, public_id: str) -> ModerationCase:
    """Any case (staff only)."""
    try:
        return cases_list().get(public_id=public_id)
    except ModerationCase.DoesNotExist:
        raise NotFound(_NOT_FOUND) from None


def case_get_for_workspace(
    *, workspace: Workspace, public_id: str | None = None, job_id: str | None = None
) -> ModerationCase:
    """The workspace's case by its id, or the latest case on one of its jobs."""
    qs = ModerationCase.objects.filter(workspace=workspace)
    if public_id:
        qs = qs.filter(public_id=public_id)
    elif job_id:
        qs = qs.filter(subject_type=SubjectType.JOB, subject_id=job_id)
    else:
        raise NotFound(_NOT_FOUND)
    case = qs.order_by("-created_at", "-id").first()
    if case is None:
        raise NotFound(_NOT_FOUND)
    return case


def cases_media(
    *, cases: list[ModerationCase]
) -> dict[int, tuple[Asset | None, list[AssetReport]]]:
    """For each case: the media under judgement (the asset, or for a job the asset it
    made or was given) and the reports on it — two queries for any number of cases."""
    asset_ids = {c.subject_id for c in cases if c.subject_type != SubjectType.JOB}
    job_ids = {c.subject_id for c in cases if c.subject_type == SubjectType.JOB}
    assets = Asset.objects.filter(
        Q(public_id__in=asset_ids) | Q(source_job_id__in=job_ids)
    ).order_by("created_at", "id")
    by_asset_id: dict[str, Asset] = {}
    by_job_id: dict[str, Asset] = {}
    for asset in assets:
        by_asset_id[asset.public_id] = asset
        if asset.source_job_id:
            by_job_id.setdefault(asset.source_job_id, asset)
    reports: dict[str, list[AssetReport]] = {}
    for report in (
        AssetReport.objects.filter(asset__public_id__in=asset_ids)
        .select_related("reporter", "asset")
        .order_by("created_at", "id")
    ):
        reports.setdefault(report.asset.public_id, []).append(report)
    result: dict[int, tuple[Asset | None, list[AssetReport]]] = {}
    for case in cases:
        is_job = case.subject_type == SubjectType.JOB
        found = (by_job_id if is_job else by_asset_id).get(case.subject_id)
        if found is not None and found.workspace_id != case.workspace_id:
            found = None  # an id from another tenant never shows here
        result[case.pk] = (found, [] if is_job else reports.get(case.subject_id, []))
    return result


def case_asset(*, case: ModerationCase) -> Asset | None:
    return cases_media(cases=[case])[case.pk][0]


def case_reports(*, case: ModerationCase) -> list[AssetReport]:
    return cases_media(cases=[case])[case.pk][1]


def moderation_stats(*, now: dt.datetime | None = None) -> dict[str, Any]:
    """Queue depth, the oldest open case's age, the median time to decision and the
    decisions per category over the last MODERATION_STATS_WINDOW_DAYS days."""
    now = now or timezone.now()
    window_days = int(settings.MODERATION_STATS_WINDOW_DAYS)
    open_cases = ModerationCase.objects.filter(state=CaseState.OPEN)
    by_type = dict(
        open_cases.values_list("subject_type")
        .annotate(n=Count("id"))
        .values_list("subject_type", "n")
    )
    oldest = open_cases.aggregate(m=Min("opened_at"))["m"]
    decided = ModerationCase.objects.filter(
        decided_at__gte=now - dt.timedelta(days=window_days),
        state__in=[CaseState.APPROVED, CaseState.REJECTED],
    ).values_list("opened_at", "decided_at", "state", "categories", "decided_by_id")[:5000]
    durations: list[float] = []
    per_category: dict[str, Counter[str]] = defaultdict(Counter)
    totals: Counter[str] = Counter()
    for opened_at, decided_at, state, categories, decided_by in decided:
        # System decisions (a blocked publish) take no time and would flatter the median.
        if decided_by is not None and decided_at is not None:
            durations.append(max(0.0, (decided_at - opened_at).total_seconds()))
        totals[state] += 1
        for category in categories or ["uncategorised"]:
            per_category[category][state] += 1
    return {
        "queue_depth": sum(by_type.values()),
        "queue_depth_by_type": {t: by_type.get(t, 0) for t in SubjectType.values},
        "oldest_open_age_s": round((now - oldest).total_seconds(), 1) if oldest else None,
        "median_time_to_decision_s": round(statistics.median(durations), 1) if durations else None,
        "window_days": window_days,
        "decisions": {
            "approved": totals[CaseState.APPROVED],
            "rejected": totals[CaseState.REJECTED],
        },
        "decisions_by_category": {
            cat: {"approved": c[CaseState.APPROVED], "rejected": c[CaseState.REJECTED]}
            for cat, c in sorted(per_category.items())
        },
    }


def moderation_backlog(*, now: dt.datetime | None = None) -> dict[str, dict[str, Any]]:
    """Open cases per subject type: {type: {"open": n, "oldest_age_s": seconds | None}}
    (one grouped query on the (state, subject_type, ...) index)."""
    now = now or timezone.now()
    rows = (
        ModerationCase.objects.filter(state=CaseState.OPEN)
        .values("subject_type")
        .annotate(n=Count("id"), oldest=Min("opened_at"))
        .values_list("subject_type", "n", "oldest")
    )
    found = {t: (n, oldest) for t, n, oldest in rows}
    backlog: dict[str, dict[str, Any]] = {}
    for subject_type in SubjectType.values:
        n, oldest = found.get(subject_type, (0, None))
        age = max(0.0, (now - oldest).total_seconds()) if oldest else None
        backlog[subject_type] = {"open": n, "oldest_age_s": age}
    return backlog

"""Retention of every kind, run hourly by the beat (`jobs.apply_retention`), each kind
per its workspace tier's days (docs/operations.md, "Audit log and retention"):

- unsaved results and uploads (GALLERY_RETENTION_DAYS: gallery deletes them);
- job inputs (RETENTION_JOB_INPUTS_DAYS): a finished job's prompt, parameters and input
  references are erased; the row (model, method, status, credits, timings) stays for
  usage and billing;
- job events (RETENTION_JOB_EVENTS_DAYS): the status trail of finished jobs;
- audit events (RETENTION_AUDIT_DAYS, accounts);
- expired workspace exports, and closed workspaces past their grace (apps/jobs/closure.py).

It lives in jobs because jobs is the lowest app that sees all four kinds."""

import datetime as dt
import logging

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from apps.accounts.audit import audit_events_purge
from apps.gallery.services import assets_apply_retention
from apps.jobs.closure import workspaces_erase_due
from apps.jobs.export import exports_purge_expired
from apps.jobs.models import TERMINAL, Job, JobEvent

logger = logging.getLogger(__name__)
BATCH = 5000


def _finished_before(tier_name: str, days: int, now: dt.datetime) -> Q:
    return Q(
        workspace__tier__name=tier_name,
        status__in=TERMINAL,
        created_at__lt=now - dt.timedelta(days=days),
    )


def job_inputs_purge(*, now: dt.datetime | None = None) -> int:
    """Erases prompt, params and inputs of finished jobs past their tier's
    RETENTION_JOB_INPUTS_DAYS; returns how many jobs were erased."""
    now = now or timezone.now()
    erased = 0
    empty = Q(prompt="", params={}, inputs={})
    for tier_name, days in settings.RETENTION_JOB_INPUTS_DAYS.items():
        if not days:
            continue
        due = Job.objects.filter(_finished_before(tier_name, int(days), now)).exclude(empty)
        while ids := list(due.values_list("pk", flat=True)[:BATCH]):
            erased += Job.objects.filter(pk__in=ids).update(
                prompt="", params={}, inputs={}, updated_at=now
            )
    return erased


def job_events_purge(*, now: dt.datetime | None = None) -> int:
    """Deletes the events of finished jobs past their tier's RETENTION_JOB_EVENTS_DAYS."""
    now = now or timezone.now()
    deleted = 0
    for tier_name, days in settings.RETENTION_JOB_EVENTS_DAYS.items():
        if not days:
            continue
        cutoff = now - dt.timedelta(days=int(days))
        due = JobEvent.objects.filter(
            job__workspace__tier__name=tier_name,
            job__status__in=TERMINAL,
            created_at__lt=cutoff,
        )
        while ids := list(due.values_list("pk", flat=True)[:BATCH]):
            deleted += JobEvent.objects.filter(pk__in=ids).delete()[0]
    return deleted


def retention_apply(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Applies every kind of retention; logs and returns the count per kind."""
    now = now or timezone.now()
    counts = {
        "unsaved_results": assets_apply_retention(now=now),
        "job_inputs": job_inputs_purge(now=now),
        "job_events": job_events_purge(now=now),
        "audit_events": audit_events_purge(now=now),
        "workspace_exports": exports_purge_expired(now=now),
        "closed_workspaces_erased": workspaces_erase_due(now=now),
    }
    logger.info(
        "Retention applied: %s",
        ", ".join(f"{kind}={count}" for kind, count in counts.items()),
        extra={"retention": counts},
    )
    return counts

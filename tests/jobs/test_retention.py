"""Retention with the clock moved (`now=`): job inputs erased, job events and audit events
deleted once past their workspace tier's days, never before, never for unfinished jobs;
counts per kind in the log; 0 days keeps forever."""

import datetime as dt
import logging

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from apps.accounts import audit
from apps.accounts.models import AuditAction, AuditEvent, Tier, Workspace
from apps.jobs import tasks
from apps.jobs.models import Job, JobEvent, JobStatus
from apps.jobs.retention import retention_apply

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def days(settings):
    settings.RETENTION_JOB_INPUTS_DAYS = {"free": 30, "pro": 90, "enterprise": 0}
    settings.RETENTION_JOB_EVENTS_DAYS = {"free": 30, "pro": 90, "enterprise": 0}
    settings.RETENTION_AUDIT_DAYS = {"free": 365, "pro": 365, "enterprise": 730}
    settings.RETENTION_AUDIT_DAYS_PLATFORM = 365


def job(actor, status=JobStatus.COMPLETED) -> Job:
    made = Job.objects.create(
        workspace=actor.workspace,
        created_by=actor.user,
        method="text-to-video",
        model="local/text-to-video",
        provider="local",
        prompt="my neighbour's address is 1 Elm St",
        params={"duration": 1, "prompt_extra": "x"},
        inputs={"image": "ast_123"},
        status=status,
    )
    JobEvent.objects.create(job=made, from_status="", to_status="queued")
    JobEvent.objects.create(job=made, from_status="queued", to_status=status)
    return made


def erased(j: Job) -> bool:
    j.refresh_from_db()
    return (j.prompt, j.params, j.inputs) == ("", {}, {})


def test_finished_jobs_lose_inputs_and_events_after_their_tiers_days_only(alice, charlie):
    Workspace.objects.filter(pk=charlie.workspace.pk).update(tier=Tier.objects.get(name="pro"))
    done, running, pro = job(alice), job(alice, JobStatus.RUNNING), job(charlie)
    now = timezone.now()

    assert retention_apply(now=now + 29 * DAY)["job_inputs"] == 0
    assert not erased(done) and JobEvent.objects.filter(job=done).count() == 2

    counts = retention_apply(now=now + 31 * DAY)
    assert (counts["job_inputs"], counts["job_events"]) == (1, 2)
    assert erased(done) and not JobEvent.objects.filter(job=done).exists()
    # The row stays for usage and billing.
    assert (done.status, done.model) == ("completed", "local/text-to-video")
    assert not erased(running) and JobEvent.objects.filter(job=running).count() == 2
    assert not erased(pro) and JobEvent.objects.filter(job=pro).count() == 2
    # A second run finds nothing more.
    again = retention_apply(now=now + 31 * DAY)
    assert (again["job_inputs"], again["job_events"]) == (0, 0)

    assert retention_apply(now=now + 91 * DAY)["job_inputs"] == 1
    assert erased(pro)


def test_zero_days_keeps_forever(alice):
    Workspace.objects.filter(pk=alice.workspace.pk).update(tier=Tier.objects.get(name="enterprise"))
    kept = job(alice)
    counts = retention_apply(now=timezone.now() + 5000 * DAY)
    assert (counts["job_inputs"], counts["job_events"]) == (0, 0)
    assert not erased(kept)


def test_audit_events_go_after_a_year_by_default_and_later_for_enterprise(alice, charlie):
    Workspace.objects.filter(pk=charlie.workspace.pk).update(
        tier=Tier.objects.get(name="enterprise")
    )
    free = audit.record(action=AuditAction.SIGN_IN, workspace=alice.workspace)
    ent = audit.record(action=AuditAction.SIGN_IN, workspace=charlie.workspace)
    platform = audit.record(action=AuditAction.SIGN_IN_FAILED, details={"email": "x@y.z"})
    now = timezone.now()
    assert retention_apply(now=now + 364 * DAY)["audit_events"] == 0
    retention_apply(now=now + 366 * DAY)
    left = set(AuditEvent.objects.values_list("pk", flat=True))
    assert free.pk not in left and platform.pk not in left and ent.pk in left
    # Every event of alice's and the other free workspaces is as old: all went.
    assert not AuditEvent.objects.filter(workspace=alice.workspace).exists()
    retention_apply(now=now + 731 * DAY)
    assert not AuditEvent.objects.filter(pk=ent.pk).exists()


def test_the_beat_task_logs_the_count_of_each_kind(alice, caplog):
    job(alice)
    Job.objects.update(created_at=timezone.now() - 40 * DAY)
    JobEvent.objects.update(created_at=timezone.now() - 40 * DAY)
    with caplog.at_level(logging.INFO, logger="apps.jobs.retention"):
        counts = tasks.apply_retention()
    assert counts == {
        "unsaved_results": 0,
        "job_inputs": 1,
        "job_events": 2,
        "audit_events": 0,
        "workspace_exports": 0,
        "closed_workspaces_erased": 0,
    }
    assert (
        "unsaved_results=0, job_inputs=1, job_events=2, audit_events=0, "
        "workspace_exports=0, closed_workspaces_erased=0" in caplog.text
    )
    schedule = django_settings.CELERY_BEAT_SCHEDULE["retention"]
    assert schedule["task"] == "jobs.apply_retention"


def test_audit_retention_defaults_keep_at_least_a_year():
    # The real settings (not this module's fixture): compliance needs a year.
    from config.settings import base

    assert min(base.RETENTION_AUDIT_DAYS.values()) >= 365
    assert base.RETENTION_AUDIT_DAYS_PLATFORM >= 365

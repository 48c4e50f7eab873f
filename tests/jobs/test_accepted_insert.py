"""The accepted job, its first event and its hold are written by hand-built statements
(issue 19: one round trip for the job and event, the hold inside the account's UPDATE on
PostgreSQL). They must write exactly what the ORM's save() writes, and leave the
instances as save() leaves them."""

import datetime as dt

import pytest
from django.forms.models import model_to_dict

from apps.billing.models import CreditHold
from apps.billing.services import credits_hold
from apps.jobs.accepted import job_accepted_insert
from apps.jobs.models import Job, JobEvent, JobStatus
from tests.jobs.conftest import fund

pytestmark = pytest.mark.django_db

# Set by the database or the call: differ between the two rows by design.
OWN = {"id", "public_id", "created_at", "updated_at", "job"}


def _row(model, pk) -> dict:
    instance = model.objects.get(pk=pk)
    return {k: v for k, v in model_to_dict(instance).items() if k not in OWN}


def _fields(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def _job(workspace, user) -> Job:
    return Job(
        workspace=workspace,
        created_by=user,
        method="text-to-video",
        model="local/text-to-video",
        provider="local",
        prompt="Ünïcode, 'quotes' and a \\ backslash",
        params={"duration": 1, "nested": {"list": [1, None, "x"]}},
        inputs={"image": {"asset": "ast_1"}},
        status=JobStatus.QUEUED,
        stage="Queued",
        credits_estimated=7,
        credits_held=7,
        deadline_at=dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC),
        fallback_models=["a/b"],
        fallbacks=[{"model": "a/b", "credits": 3}],
        webhook_url="https://example.com/hook",
    )


def _event() -> JobEvent:
    return JobEvent(to_status="queued", message="Accepted", data={"credits": 7, "held": 7})


def test_the_job_and_event_rows_are_what_save_writes(alice):
    ours, theirs = _job(alice.workspace, alice.user), _job(alice.workspace, alice.user)
    event = _event()
    job_accepted_insert(job=ours, event=event)
    theirs.save()
    their_event = JobEvent.objects.create(
        job=theirs, **{k: getattr(event, k) for k in ("to_status", "message", "data")}
    )

    assert _row(Job, ours.pk) == _row(Job, theirs.pk)
    assert _row(JobEvent, event.pk) == _row(JobEvent, their_event.pk)
    assert JobEvent.objects.get(pk=event.pk).job_id == ours.pk


def test_the_instances_are_left_as_save_leaves_them(alice):
    job, event = _job(alice.workspace, alice.user), _event()
    job_accepted_insert(job=job, event=event)
    assert not job._state.adding and not event._state.adding
    assert job.pk and event.job_id == job.pk
    assert _fields(job) == _fields(Job.objects.get(pk=job.pk))
    assert _fields(event) == _fields(JobEvent.objects.get(pk=event.pk))
    # Saved again, it updates the same row (an UPDATE, not a second INSERT).
    job.stage = "Later"
    job.save()
    assert Job.objects.filter(workspace=alice.workspace).count() == 1


def test_a_hold_is_the_row_it_wrote(alice):
    fund(alice.workspace, 100)
    hold = credits_hold(
        workspace=alice.workspace, credits=7, reference="job_x", description="d" * 600
    )
    assert not hold._state.adding
    assert _fields(hold) == _fields(CreditHold.objects.get(pk=hold.pk))
    assert (hold.state, hold.captured_credits, len(hold.description)) == ("held", 0, 500)


def test_a_refused_hold_writes_nothing(alice):
    from apps.billing.errors import InsufficientCredits

    fund(alice.workspace, 5)
    with pytest.raises(InsufficientCredits):
        credits_hold(workspace=alice.workspace, credits=7)
    assert not CreditHold.objects.filter(workspace=alice.workspace).exists()

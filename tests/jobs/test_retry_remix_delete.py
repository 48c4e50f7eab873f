"""Services behind the openai front, in the jobs app: a client's automatic retry returns
the job an identical request made, a remix re-runs a completed job with a new prompt, and
deleting an ended job keeps the money's history."""

import datetime as dt

import pytest

from apps.billing.models import CreditAccount, CreditHold
from apps.core.errors import ValidationError
from apps.gallery.models import Asset
from apps.jobs.deletion import job_delete
from apps.jobs.models import Job, JobStatus
from apps.jobs.remix import job_remix_fields
from apps.jobs.services import job_submit
from tests.jobs.conftest import TEXT_JOB, fund

pytestmark = pytest.mark.django_db(transaction=True)


def submit(actor, data=TEXT_JOB, **kwargs):
    return job_submit(workspace=actor.workspace, user=actor.user, data=dict(data), **kwargs)


def test_a_retry_returns_the_job_of_the_identical_first_attempt_with_one_hold(alice, priced):
    fund(alice.workspace, 20)
    first, created = submit(alice, client_retry=False)
    assert created and first.request_hash
    again, created_again = submit(alice, client_retry=True)
    assert (again.pk, created_again) == (first.pk, False)
    assert Job.objects.count() == 1 and CreditHold.objects.count() == 1
    acc = CreditAccount.objects.get(workspace=alice.workspace)
    assert acc.balance - acc.held in (20 - 7, 20 - 7 + 0)


def test_a_retry_with_another_body_or_past_the_window_is_a_new_job(alice, settings):
    first, _ = submit(alice, client_retry=False)
    other, created = submit(alice, {**TEXT_JOB, "prompt": "Another fox"}, client_retry=True)
    assert created and other.pk != first.pk
    Job.objects.filter(pk=first.pk).update(
        created_at=first.created_at - dt.timedelta(seconds=settings.JOBS_RETRY_REPLAY_WINDOW_S + 1)
    )
    late, created_late = submit(alice, client_retry=True)
    assert created_late and late.pk != first.pk


def test_a_first_attempt_or_an_unmarked_submit_is_always_a_new_job(alice):
    first, _ = submit(alice, client_retry=False)
    second, created = submit(alice, client_retry=False)
    assert created and second.pk != first.pk
    plain, _ = submit(alice)
    assert plain.request_hash == ""  # nothing to match: no fingerprint kept


def test_a_retry_never_returns_another_workspaces_job(alice, charlie):
    theirs, _ = submit(charlie, client_retry=False)
    mine, created = submit(alice, client_retry=True)
    assert created and mine.workspace == alice.workspace and mine.pk != theirs.pk


def test_a_remix_copies_model_parameters_and_inputs_with_the_new_prompt(alice):
    job, _ = submit(alice)
    job.refresh_from_db()
    assert job.status == JobStatus.COMPLETED  # eager: the local engine ran it
    job.inputs = {"image": "ast_x"}
    fields = job_remix_fields(job=job, prompt="At night")
    assert fields["prompt"] == "At night"
    assert (fields["model"], fields["method"], fields["duration"]) == (
        "local/text-to-video",
        "text-to-video",
        1,
    )
    assert fields["source_asset"] == "ast_x"


def test_only_a_completed_job_can_be_remixed(alice):
    job, _ = submit(alice, {**TEXT_JOB, "prompt": "A knight's g0ry duel in the rain"})
    assert job.status == JobStatus.REVIEW
    with pytest.raises(ValidationError):
        job_remix_fields(job=job, prompt="x")


def test_deleting_an_ended_job_removes_it_and_its_unsaved_result_but_not_the_ledger(alice, priced):
    fund(alice.workspace, 20)
    job, _ = submit(alice)
    job.refresh_from_db()
    assert job.status == JobStatus.COMPLETED and job.result_asset is not None
    asset_id = job.result_asset.pk
    job_delete(job=job)
    assert not Job.objects.exists()
    assert not Asset.objects.filter(pk=asset_id).exists()
    assert CreditHold.objects.count() == 1  # the money's history stays
    assert CreditAccount.objects.get(workspace=alice.workspace).balance == 20 - 7


def test_a_saved_result_outlives_its_deleted_job_and_a_running_one_cannot_go(alice):
    job, _ = submit(alice)
    job.refresh_from_db()
    Asset.objects.filter(pk=job.result_asset_id).update(saved=True)
    job_delete(job=job)
    assert Asset.objects.filter(pk=job.result_asset_id).exists()
    review, _ = submit(alice, {**TEXT_JOB, "prompt": "A knight's g0ry duel in the rain"})
    with pytest.raises(ValidationError):
        job_delete(job=review)
    assert Job.objects.filter(pk=review.pk).exists()

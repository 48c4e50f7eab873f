"""Screening on submit: block refuses at once, review holds the credits until a moderator
decides; provider refusals become cases."""

import datetime as dt

import pytest
from django.utils import timezone

from apps.billing.models import CreditAccount, CreditHold
from apps.jobs.models import Job
from apps.jobs.services import job_fail, job_submit
from apps.jobs.sweep import jobs_sweep
from apps.moderation.models import ModerationAction, ModerationCase
from tests.jobs.conftest import TEXT_JOB, fund

pytestmark = pytest.mark.django_db(transaction=True)

REVIEW_PROMPT = "A knight's g0ry duel in the rain"


def account(workspace) -> CreditAccount:
    return CreditAccount.objects.get(workspace=workspace)


def submit(api, prompt: str):
    return api.post("/api/v1/generate", {**TEXT_JOB, "prompt": prompt}, format="json")


def test_a_blocked_prompt_is_refused_with_its_category_and_nothing_is_held(alice, priced):
    fund(alice.workspace, 20)
    response = submit(alice.api, "ch1ld  p.o.r.n")
    assert response.status_code == 400, response.json()
    error = response.json()["error"]
    assert error["code"] == "CONTENT_POLICY"
    assert "sexual_minors" in error["message"]
    assert error["details"]["category"] == "sexual_minors"
    assert not Job.objects.exists()
    assert not CreditHold.objects.exists()
    assert not ModerationCase.objects.exists()
    acc = account(alice.workspace)
    assert (acc.balance, acc.held) == (20, 0)


def test_review_then_approval_runs_the_job_and_charges_it(alice, staff, priced):
    fund(alice.workspace, 20)
    response = submit(alice.api, REVIEW_PROMPT)
    assert response.status_code == 202, response.json()
    job_id = response.json()["id"]
    detail = alice.api.get(f"/api/v1/tasks/{job_id}").json()
    assert detail["status"] == "review"
    acc = account(alice.workspace)
    assert (acc.balance, acc.held) == (20, 7)

    case = ModerationCase.objects.get(subject_id=job_id)
    assert (case.subject_type, case.origin, case.state) == ("job", "screening", "open")
    assert case.workspace == alice.workspace
    assert case.snapshot_text == REVIEW_PROMPT
    assert case.categories == ["violence_graphic"]
    assert case.backend == "rules"

    approved = staff.api.post(
        f"/api/v1/moderation/cases/{case.public_id}/approve", {}, format="json"
    )
    assert approved.status_code == 200, approved.json()
    assert approved.json()["state"] == "approved"
    detail = alice.api.get(f"/api/v1/tasks/{job_id}").json()
    assert detail["status"] == "completed", detail
    acc = account(alice.workspace)
    assert (acc.balance, acc.held) == (13, 0)
    assert list(case.actions.values_list("action", flat=True)) == ["open", "approve"]
    assert ModerationAction.objects.get(case=case, action="approve").actor == staff.user


def test_review_then_rejection_releases_the_hold_and_tells_the_owner_why(alice, staff, priced):
    fund(alice.workspace, 20)
    job_id = submit(alice.api, REVIEW_PROMPT).json()["id"]
    case = ModerationCase.objects.get(subject_id=job_id)
    # A rejection needs a reason the owner can read.
    missing = staff.api.post(f"/api/v1/moderation/cases/{case.public_id}/reject", {}, format="json")
    assert missing.status_code == 400
    rejected = staff.api.post(
        f"/api/v1/moderation/cases/{case.public_id}/reject",
        {"reason": "Graphic violence is not allowed."},
        format="json",
    )
    assert rejected.status_code == 200, rejected.json()
    detail = alice.api.get(f"/api/v1/tasks/{job_id}").json()
    assert detail["status"] == "rejected"
    assert detail["error"]["code"] == "CONTENT_POLICY"
    assert detail["error"]["message"] == "Graphic violence is not allowed."
    acc = account(alice.workspace)
    assert (acc.balance, acc.held) == (20, 0)
    # Decided once: a second decision is a conflict.
    again = staff.api.post(f"/api/v1/moderation/cases/{case.public_id}/approve", {}, format="json")
    assert again.status_code == 409


def test_a_clean_prompt_runs_without_a_case(alice, priced):
    fund(alice.workspace, 20)
    response = submit(alice.api, "A red fox at dawn")
    assert alice.api.get(f"/api/v1/tasks/{response.json()['id']}").json()["status"] == "completed"
    assert not ModerationCase.objects.exists()


@pytest.mark.django_db(transaction=False)
def test_a_provider_refusal_becomes_a_case(alice):
    # Without transaction=True the job is accepted but never started (no on_commit).
    job, _ = job_submit(
        workspace=alice.workspace, user=alice.user, data={**TEXT_JOB, "prompt": "A quiet lake"}
    )
    job_fail(job_id=job.pk, code="CONTENT_POLICY", message="The provider flagged the prompt.")
    case = ModerationCase.objects.get(subject_id=job.public_id)
    assert (case.subject_type, case.origin, case.state) == ("job", "provider", "open")
    assert case.categories == ["provider_refusal"]
    assert case.snapshot_text == "A quiet lake"
    assert "provider flagged" in case.actions.last().message
    # Other failures are not moderation's business.
    other, _ = job_submit(
        workspace=alice.workspace, user=alice.user, data={**TEXT_JOB, "prompt": "A calm sea"}
    )
    job_fail(job_id=other.pk, code="PROCESSING_TIMEOUT", message="slow")
    assert not ModerationCase.objects.filter(subject_id=other.public_id).exists()


def test_a_job_approved_after_a_long_review_is_not_swept_as_timed_out(
    alice, staff, priced, not_eager
):
    fund(alice.workspace, 20)
    job = Job.objects.get(public_id=submit(alice.api, REVIEW_PROMPT).json()["id"])
    assert job.status == "review"
    budget = job.deadline_at - job.created_at
    # It waited for a moderator longer than its whole processing budget.
    week = dt.timedelta(days=7)
    Job.objects.filter(pk=job.pk).update(
        created_at=job.created_at - week, deadline_at=job.deadline_at - week
    )
    case = ModerationCase.objects.get(subject_id=job.public_id)
    staff.api.post(f"/api/v1/moderation/cases/{case.public_id}/approve", {}, format="json")
    job.refresh_from_db()
    assert job.status == "queued"
    assert job.deadline_at >= timezone.now() + budget - dt.timedelta(seconds=5)
    assert jobs_sweep()["timed_out"] == 0

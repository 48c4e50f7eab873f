"""Real jobs through the real pipeline (Celery eager) against the sandbox."""

import pytest

from apps.billing.models import CreditAccount, CreditHold
from apps.billing.services import credits_grant
from apps.jobs import pipeline
from apps.jobs.models import Job, JobStatus

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def job_storage(media_storage):
    """This test's own storage directory (see media_storage)."""
    return media_storage


def fund(workspace, credits):
    credits_grant(workspace=workspace, credits=credits, idempotency_key=f"fund:{workspace.pk}")


WAVESPEED_JOB = {
    "method": "text-to-video",
    "model": "wavespeed-ai/hunyuan-video-1.5/text-to-video",
    "prompt": "A red fox at dawn",
    "duration": 5,
    "resolution": "480p",
    "aspect_ratio": "16:9",
}
OPENAI_JOB = {
    "method": "text-to-video",
    "model": "sora-2-standard-t2v",
    "prompt": "A red fox at dawn",
    "duration": 10,
    "resolution": "720p",
    "aspect_ratio": "16:9",
}


def submit(actor, body):
    response = actor.api.post("/api/v1/generate", body, format="json")
    assert response.status_code == 202, response.json()
    return Job.objects.get(public_id=response.json()["id"])


@pytest.mark.parametrize(
    ("job", "provider"), [(WAVESPEED_JOB, "wavespeed"), (OPENAI_JOB, "openai")]
)
def test_a_remote_job_completes_with_the_sandbox_video(alice, sandbox, job, provider):
    fund(alice.workspace, 10_000)
    job = submit(alice, job)
    job.refresh_from_db()
    assert job.status == JobStatus.COMPLETED, (job.error_code, job.error_message)
    assert job.provider == provider and job.provider_task_id
    assert job.polls >= 3
    assert job.result_asset.size_bytes == len(sandbox.video_bytes())
    assert job.credits_held > 0 and job.credits_charged == job.credits_held
    assert job.hold.state == CreditHold.State.CAPTURED
    acct = CreditAccount.objects.get(workspace=alice.workspace)
    assert (acct.balance, acct.held) == (10_000 - job.credits_charged, 0)


def test_a_failing_sandbox_job_releases_the_hold(alice, sandbox):
    fund(alice.workspace, 10_000)
    job = submit(alice, {**WAVESPEED_JOB, "prompt": "A red fox [sandbox:fail]"})
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "failed" in job.error_message.lower()
    assert job.credits_charged == 0
    assert job.hold.state == CreditHold.State.RELEASED
    acct = CreditAccount.objects.get(workspace=alice.workspace)
    assert (acct.balance, acct.held) == (10_000, 0)


def test_content_policy_from_the_provider_fails_the_job_with_content_policy(alice, sandbox):
    fund(alice.workspace, 10_000)
    job = submit(alice, {**WAVESPEED_JOB, "prompt": "A red fox [sandbox:policy]"})
    job.refresh_from_db()
    assert (job.status, job.error_code) == (JobStatus.FAILED, "CONTENT_POLICY")
    assert job.hold.state == CreditHold.State.RELEASED


def test_a_signed_provider_webhook_polls_the_job_at_once(alice, sandbox, settings, not_eager):
    """The job waits between polls; the provider's callback makes it look now."""
    import json

    from celery import current_app

    from tests.providers.test_webhooks_and_byok import SECRET, post_signed

    settings.WAVESPEED_WEBHOOK_SECRET = SECRET
    fund(alice.workspace, 1000)
    job = submit(alice, WAVESPEED_JOB)
    pipeline.job_start(job_id=job.pk)  # submitted; the next poll waits on the broker
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING and job.polls == 0
    task_id = job.provider_task_id.split("#")[0]
    current_app.conf.task_always_eager = True  # what the webhook enqueues runs now
    body = json.dumps({"id": task_id, "status": "completed", "outputs": []}).encode()
    assert post_signed("wavespeed", body).status_code == 200
    job.refresh_from_db()
    # One immediate poll, and no second poll chain next to the scheduled one.
    assert (job.polls, job.status) == (1, JobStatus.RUNNING)
    for _ in range(2):  # the sandbox finishes on its third poll
        assert post_signed("wavespeed", body).status_code == 200
    job.refresh_from_db()
    assert job.polls == 3
    assert job.status == JobStatus.COMPLETED, (job.error_code, job.error_message)

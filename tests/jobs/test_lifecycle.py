"""The job lifecycle on the local engine, tasks eager (run in-process at commit)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps import media
from apps.billing.models import CreditAccount, CreditHold, LedgerEntry
from apps.gallery.models import Asset
from apps.jobs import delivery, pipeline
from apps.jobs.models import Job, JobEvent, JobStatus
from tests.jobs.conftest import TEXT_JOB, fund

# Real commits, as in production: jobs start from on_commit callbacks.
pytestmark = pytest.mark.django_db(transaction=True)


def account(workspace) -> CreditAccount:
    return CreditAccount.objects.get(workspace=workspace)


def test_a_text_to_video_job_is_delivered_as_a_playable_video(alice, alice_api, job_storage):
    response = alice_api.post("/api/v1/generate", TEXT_JOB, format="json")
    assert response.status_code == 202, response.json()
    body = alice_api.get(f"/api/v1/tasks/{response.json()['id']}").json()
    assert body["status"] == "completed"
    assert body["progress"] == 100
    assert body["error"] is None
    result = body["result"]
    assert result["format"] == "mp4"
    assert (result["width"], result["height"]) == (854, 480)
    assert abs(result["duration"] - 1.0) < 0.1
    assert result["video_url"].startswith("http://testserver/")
    asset = Asset.objects.get(public_id=result["asset"])
    assert asset.workspace == alice.workspace
    assert asset.source_job_id == body["id"]
    stored = job_storage / asset.storage_key
    info = media.probe(stored)
    assert info.video_codec == "h264"
    statuses = list(
        JobEvent.objects.filter(job__public_id=body["id"]).values_list("to_status", flat=True)
    )
    assert statuses == ["queued", "running", "delivering", "completed"]


def test_credits_are_held_on_accept_and_charged_only_on_delivery(alice, alice_api, priced):
    fund(alice.workspace, 100)
    body = alice_api.post("/api/v1/generate", TEXT_JOB, format="json").json()
    job = Job.objects.get(public_id=body["id"])
    assert job.status == JobStatus.COMPLETED
    assert (job.credits_estimated, job.credits_held, job.credits_charged) == (7, 7, 7)
    assert job.hold.state == CreditHold.State.CAPTURED
    acct = account(alice.workspace)
    assert (acct.balance, acct.held) == (93, 0)
    captures = LedgerEntry.objects.filter(account=acct, kind="capture")
    assert [e.credits for e in captures] == [-7]


def test_not_enough_credits_is_402_and_nothing_is_created(alice, alice_api, priced):
    fund(alice.workspace, 5)
    response = alice_api.post("/api/v1/generate", TEXT_JOB, format="json")
    assert response.status_code == 402
    error = response.json()["error"]
    assert error["code"] == "INSUFFICIENT_CREDITS"
    assert error["details"]["shortfall"] == 2
    assert not Job.objects.exists()
    assert account(alice.workspace).held == 0


def test_a_failed_job_costs_nothing(alice, alice_api, priced, job_storage, mp4):
    """The input disappears from storage before the run: the engine fails, the hold goes
    back."""
    fund(alice.workspace, 100)
    upload = alice_api.post(
        "/api/v1/uploads", {"file": SimpleUploadedFile("c.mp4", mp4.read_bytes())}
    ).json()
    (job_storage / Asset.objects.get(public_id=upload["id"]).storage_key).unlink()
    model_override_set_price("local/edit", 5)
    body = alice_api.post(
        "/api/v1/process",
        {"operation": "edit", "source_asset": upload["id"], "settings": {"mute": True}},
        format="json",
    ).json()
    job = Job.objects.get(public_id=body["id"])
    assert job.status == JobStatus.FAILED
    assert job.error_code
    assert job.credits_charged == 0
    assert job.hold.state == CreditHold.State.RELEASED
    acct = account(alice.workspace)
    assert (acct.balance, acct.held) == (100, 0)


def model_override_set_price(model_id: str, credits: int) -> None:
    from apps.catalog.services import model_override_set

    model_override_set(model_id=model_id, price_credits=credits)


def test_storage_full_at_delivery_fails_the_job_without_a_charge(alice, alice_api, priced):
    fund(alice.workspace, 100)
    tier = alice.workspace.tier
    tier.storage_quota_bytes = 1000  # the result will not fit
    tier.save()
    body = alice_api.post("/api/v1/generate", TEXT_JOB, format="json").json()
    job = Job.objects.get(public_id=body["id"])
    assert job.status == JobStatus.FAILED
    assert job.error_code == "STORAGE_FULL"
    assert job.result_asset is None
    assert not Asset.objects.filter(source_job_id=job.public_id).exists()
    assert job.hold.state == CreditHold.State.RELEASED
    assert account(alice.workspace).balance == 100
    alice.workspace.refresh_from_db()
    assert alice.workspace.storage_used_bytes == 0


def test_the_concurrency_limit_is_429_naming_the_limit(alice, alice_api, not_eager):
    for _ in range(2):  # Free: 2 at once; nothing consumes the queue here
        assert alice_api.post("/api/v1/generate", TEXT_JOB, format="json").status_code == 202
    response = alice_api.post("/api/v1/generate", TEXT_JOB, format="json")
    assert response.status_code == 429
    error = response.json()["error"]
    assert error["code"] == "RATE_LIMIT_EXCEEDED"
    assert error["details"]["max_concurrent_jobs"] == 2
    assert "2 jobs at once" in error["message"]
    assert response["Retry-After"] == "10"
    assert error["details"]["retry_after_s"] == 10


def test_admission_counts_jobs_in_flight_only_up_to_the_limit(alice, alice_api, not_eager):
    """Admission asks whether the workspace is at its limit, so it counts no further than
    the limit (a workspace with thousands queued pays for `limit` rows per submit): after
    the tier's limit drops below the jobs in flight, the refusal reports the limit."""
    from apps.accounts.services import tier_limits_update

    for _ in range(2):
        assert alice_api.post("/api/v1/generate", TEXT_JOB, format="json").status_code == 202
    tier_limits_update(tier=alice.workspace.tier, max_concurrent_jobs=1)
    response = alice_api.post("/api/v1/generate", TEXT_JOB, format="json")
    assert response.status_code == 429
    details = response.json()["error"]["details"]
    assert (details["max_concurrent_jobs"], details["active_jobs"]) == (1, 1)
    tier_limits_update(tier=alice.workspace.tier, max_concurrent_jobs=3)
    assert alice_api.post("/api/v1/generate", TEXT_JOB, format="json").status_code == 202
    assert alice_api.post("/api/v1/generate", TEXT_JOB, format="json").status_code == 429


def test_cancel_a_queued_job_releases_its_hold_and_a_second_cancel_is_409(
    alice, alice_api, priced, not_eager
):
    fund(alice.workspace, 100)
    job_id = alice_api.post("/api/v1/generate", TEXT_JOB, format="json").json()["id"]
    assert account(alice.workspace).held == 7
    response = alice_api.delete(f"/api/v1/tasks/{job_id}")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    acct = account(alice.workspace)
    assert (acct.balance, acct.held) == (100, 0)
    again = alice_api.delete(f"/api/v1/tasks/{job_id}")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "CONFLICT"
    # The start message arriving late changes nothing.
    pipeline.job_start(job_id=Job.objects.get(public_id=job_id).pk)
    assert Job.objects.get(public_id=job_id).status == JobStatus.CANCELLED


def test_running_a_task_twice_changes_nothing(alice, alice_api, priced):
    fund(alice.workspace, 100)
    job = Job.objects.get(
        public_id=alice_api.post("/api/v1/generate", TEXT_JOB, format="json").json()["id"]
    )
    events = job.events.count()
    pipeline.job_start(job_id=job.pk)
    delivery.job_deliver(job_id=job.pk, path=job_storage_path(job))
    job.refresh_from_db()
    assert job.status == JobStatus.COMPLETED
    assert job.events.count() == events
    assert LedgerEntry.objects.filter(kind="capture").count() == 1
    assert Asset.objects.filter(source_job_id=job.public_id).count() == 1


def job_storage_path(job: Job):
    from django.core.files.storage import default_storage

    return default_storage.path(job.result_asset.storage_key)


def test_result_redirects_to_the_signed_video_and_is_409_before_completion(
    alice, alice_api, not_eager
):
    job_id = alice_api.post("/api/v1/generate", TEXT_JOB, format="json").json()["id"]
    pending = alice_api.get(f"/api/v1/tasks/{job_id}/result")
    assert pending.status_code == 409
    pipeline.job_start(job_id=Job.objects.get(public_id=job_id).pk)
    done = alice_api.get(f"/api/v1/tasks/{job_id}/result")
    assert done.status_code == 302
    assert done["Location"].startswith("http://testserver/media-signed/")


def test_the_task_list_filters_by_status_and_method(alice, alice_api, not_eager):
    first = alice_api.post("/api/v1/generate", TEXT_JOB, format="json").json()["id"]
    alice_api.delete(f"/api/v1/tasks/{first}")
    alice_api.post("/api/v1/generate", TEXT_JOB, format="json")
    listed = alice_api.get("/api/v1/tasks?status=cancelled").json()["results"]
    assert [j["id"] for j in listed] == [first]
    assert len(alice_api.get("/api/v1/tasks?method=text-to-video").json()["results"]) == 2
    assert alice_api.get("/api/v1/tasks?method=lip-sync").json()["results"] == []


def test_preflight_problems_are_400_with_every_problem_listed(alice_api):
    response = alice_api.post(
        "/api/v1/generate",
        {**TEXT_JOB, "resolution": "8k", "fps": 500, "duration": 0},
        format="json",
    )
    assert response.status_code == 400
    problems = response.json()["error"]["details"]["problems"]
    assert {p["field"] for p in problems} >= {"resolution", "fps", "duration"}
    assert not Job.objects.exists()


def test_an_unknown_model_is_a_clear_error(alice_api):
    response = alice_api.post(
        "/api/v1/generate", {**TEXT_JOB, "model": "no-such/model"}, format="json"
    )
    assert response.status_code in (400, 404)
    assert "no-such/model" in response.json()["error"]["message"]


def test_a_model_without_provider_credentials_is_model_unavailable(alice_api, settings):
    settings.WAVESPEED_API_KEY = ""
    response = alice_api.post(
        "/api/v1/generate",
        {
            "method": "text-to-video",
            "model": "wavespeed-ai/hunyuan-video-1.5/text-to-video",
            "prompt": "x",
            "duration": 5,
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "MODEL_UNAVAILABLE"

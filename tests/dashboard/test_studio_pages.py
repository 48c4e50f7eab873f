"""The Studio page and the job detail page, through Django's test client."""

import html
import json
import re

import pytest

from apps.billing.services import credits_grant
from apps.catalog.registry import CATALOG
from apps.catalog.services import model_override_set
from apps.jobs.models import Job, JobStatus

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("studio_storage")]

TEXT_JOB = {
    "method": "text-to-video",
    "model": "local/text-to-video",
    "prompt": "A red fox at dawn",
    "duration": 1,
    "resolution": "480p",
    "fps": 24,
}


def text(response) -> str:
    return html.unescape(response.content.decode()).replace("\xa0", " ")


def studio_data(response) -> dict:
    match = re.search(
        r'<script id="studio-data" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    assert match, "the picker data is embedded with json_script"
    return json.loads(match.group(1))


@pytest.fixture
def priced(alice):
    """local/text-to-video at 7 credits a run, and credits to pay for it."""
    model_override_set(model_id="local/text-to-video", price_credits=7)
    credits_grant(workspace=alice.workspace, credits=100, idempotency_key="studio-test-fund")
    return 7


@pytest.fixture
def submit(django_capture_on_commit_callbacks):
    """Submits through the API; the job runs at commit (Celery is eager in tests)."""

    def submit(actor, body=None) -> Job:
        with django_capture_on_commit_callbacks(execute=True):
            response = actor.api.post("/api/v1/generate", body or TEXT_JOB, format="json")
        assert response.status_code in (200, 202), response.content
        return Job.objects.get(public_id=response.json()["id"])

    return submit


def test_the_studio_needs_login(client):
    for url in ("/studio/", "/studio/jobs/", "/jobs/job_whatever/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")


def test_the_studio_embeds_every_local_model_for_a_member(client, bob):
    client.force_login(bob.user)
    response = client.get("/studio/")
    assert response.status_code == 200
    data = studio_data(response)
    listed = {m["id"] for models in data["models"].values() for m in models}
    local = {spec_id for spec_id, spec in CATALOG.items() if spec.provider == "local"}
    assert local and local <= listed
    assert [t["key"] for t in data["tabs"]] == [
        "text-to-video",
        "image-to-video",
        "extend-video",
        "lip-sync",
        "storyboard",
        "process",
    ]
    assert [o["operation"] for o in data["operations"]] == [
        "edit",
        "retake",
        "enhance",
        "transform",
        "optimize",
        "remove-background",
    ]
    # retake offers only the AI edit models, with a prompt and the model's own settings.
    retake = next(o for o in data["operations"] if o["operation"] == "retake")
    assert (retake["method"], retake["models"]) == ("edit", ["lightricks/ltx-2-retake"])
    assert retake["model_settings"]["lightricks/ltx-2-retake"] == {
        name: name for name in ("duration", "resolution", "retake_mode", "seed", "start_time")
    }
    edit = next(o for o in data["operations"] if o["operation"] == "edit")
    assert edit["models"] is None and "lightricks/ltx-2-retake" in edit["model_settings"]
    assert data["options"]["retake_mode"] == [
        "replace_audio_and_video",
        "replace_video",
        "replace_audio",
    ]
    i2v = data["models"]["image-to-video"]
    ken_burns = next(m for m in i2v if m["id"] == "local/image-to-video")
    assert ken_burns["available"] and ken_burns["inputs"]["required"] == ["image"]
    assert ken_burns["strengths"] and ken_burns["pricing"]["summary"]
    page = text(response)
    assert 'href="/studio/"' in page  # the nav link


def test_the_studio_shows_the_tiers_per_file_limit_and_the_balance(client, alice, priced):
    client.force_login(alice.user)
    response = client.get("/studio/")
    page = text(response)
    assert "100.0 MB" in page
    assert studio_data(response)["upload"]["max_bytes"] == alice.workspace.tier.max_upload_bytes
    assert re.search(r'id="balance"[^>]*>100<', page)


def test_an_unknown_tab_falls_back_to_the_first(client, alice):
    client.force_login(alice.user)
    page = text(client.get("/studio/?tab=nonsense"))
    assert 'data-initial-tab="text-to-video"' in page
    page = text(client.get("/studio/?tab=image-to-video"))
    assert 'data-initial-tab="image-to-video"' in page


def test_the_recent_jobs_partial_lists_only_this_workspaces_jobs(submit, client, alice, charlie):
    job = submit(alice)
    client.force_login(alice.user)
    assert job.public_id in text(client.get("/studio/jobs/"))
    assert job.public_id in text(client.get("/studio/"))
    client.force_login(charlie.user)
    assert job.public_id not in text(client.get("/studio/jobs/"))


def test_the_job_page_shows_params_credits_events_and_the_player(submit, client, alice, priced):
    job = submit(alice)
    job.refresh_from_db()
    assert job.status == JobStatus.COMPLETED
    client.force_login(alice.user)
    response = client.get(f"/jobs/{job.public_id}/")
    assert response.status_code == 200
    page = text(response)
    assert "local/text-to-video" in page
    assert "A red fox at dawn" in page
    assert re.search(r"<dt>resolution</dt><dd>480p</dd>", page)
    assert re.search(r"<dt>fps</dt><dd>24</dd>", page)
    credits = re.search(r'data-testid="job-credits">(.*?)</section>', page, re.S).group(1)
    for label in ("Estimated", "Held", "Charged"):
        assert re.search(rf"<dt>{label}</dt><dd>7</dd>", credits), label
    events = re.search(r'data-testid="job-events">(.*?)</section>', page, re.S).group(1)
    for message in ("Accepted", "Started"):
        assert message in events
    assert "status-completed" in events
    assert "<video controls" in page and "/media-signed/" in page
    assert f"/jobs/{job.public_id}/download/" in page
    assert "Cancel" not in page  # ended: nothing to cancel


def test_download_redirects_to_a_signed_attachment(submit, client, alice):
    job = submit(alice)
    client.force_login(alice.user)
    response = client.get(f"/jobs/{job.public_id}/download/")
    assert response.status_code == 302
    assert "/media-signed/" in response["Location"]
    video = client.get(response["Location"].removeprefix("http://testserver"))
    assert video.status_code == 200
    assert "attachment" in video["Content-Disposition"]


def test_save_to_gallery_from_the_job_page(submit, client, alice):
    job = submit(alice)
    client.force_login(alice.user)
    page = text(client.post(f"/jobs/{job.public_id}/save/", follow=True))
    assert "Saved to the gallery." in page
    job.refresh_from_db()
    assert job.result_asset.saved


def test_a_failed_job_shows_its_error_message(submit, client, alice):
    job = submit(alice)
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.FAILED,
        error_code="PROCESSING_TIMEOUT",
        error_message="The provider took too long.",
        error_retryable=True,
    )
    client.force_login(alice.user)
    page = text(client.get(f"/jobs/{job.public_id}/"))
    assert "PROCESSING_TIMEOUT" in page and "The provider took too long." in page
    assert "Traceback" not in page


def test_cancel_from_the_job_page_releases_the_credits(submit, client, alice, priced, not_eager):
    job = submit(alice)
    assert job.status == JobStatus.QUEUED
    client.force_login(alice.user)
    page = text(client.get(f"/jobs/{job.public_id}/"))
    assert 'id="job-watch"' in page and "Cancel" in page
    page = text(client.post(f"/jobs/{job.public_id}/cancel/", follow=True))
    assert "Job cancelled" in page
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED
    page = text(client.post(f"/jobs/{job.public_id}/cancel/", follow=True))
    assert "already ended" in page  # the service's message, not a traceback


def test_charlie_gets_404_on_alices_job_pages(submit, client, alice, charlie):
    job = submit(alice)
    client.force_login(charlie.user)
    for url in (f"/jobs/{job.public_id}/", f"/jobs/{job.public_id}/download/"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Not found" in text(response)
    for url in (f"/jobs/{job.public_id}/cancel/", f"/jobs/{job.public_id}/save/"):
        assert client.post(url).status_code == 404, url
    job.refresh_from_db()
    assert not job.result_asset.saved


def test_a_missing_job_is_a_404_page(client, alice):
    client.force_login(alice.user)
    response = client.get("/jobs/job_doesnotexist/")
    assert response.status_code == 404
    assert "Not found" in text(response)

"""GET /api/v1/tasks/{id}/last-frame (issue 17, real continuation): the final frame of a
completed result as a PNG behind a signed link, stored once beside the video."""

import io
from urllib.parse import urlsplit

import numpy as np
import pytest
from django.core.files.storage import default_storage
from PIL import Image

from apps import media
from apps.gallery.objects import LAST_FRAME_NAME
from apps.jobs.models import Job
from tests.jobs.conftest import TEXT_JOB

pytestmark = pytest.mark.django_db(transaction=True)


def fetch(api, response):
    assert response.status_code == 302, getattr(response, "content", b"")[:300]
    location = urlsplit(response["Location"])
    got = api.get(location.path + ("?" + location.query if location.query else ""))
    assert got.status_code == 200
    return got


def test_the_last_frame_of_a_completed_job_is_its_final_frame_as_png(alice_api, job_storage):
    job_id = alice_api.post("/api/v1/generate", TEXT_JOB, format="json").json()["id"]
    job = Job.objects.get(public_id=job_id)
    assert job.status == "completed"

    got = fetch(alice_api, alice_api.get(f"/api/v1/tasks/{job_id}/last-frame"))
    assert got["Content-Type"] == "image/png"
    png = Image.open(io.BytesIO(b"".join(got.streaming_content))).convert("RGB")
    info = media.probe(job_storage / job.result_asset.storage_key)
    assert png.size == (info.width, info.height)
    # It is the final frame of the video, not the poster.
    final = None
    for _, frame in media.sources.decode_video(job_storage / job.result_asset.storage_key):
        final = frame
    expected = np.asarray(final.to_image().convert("RGB"), np.float32)
    assert np.abs(np.asarray(png, np.float32) - expected).mean() < 1.0

    # Kept beside the video: the second ask serves the same object, made once.
    key = job.result_asset.key_prefix + LAST_FRAME_NAME
    assert default_storage.exists(key)
    made = default_storage.get_modified_time(key)
    fetch(alice_api, alice_api.get(f"/api/v1/tasks/{job_id}/last-frame"))
    assert default_storage.get_modified_time(key) == made


def test_the_last_frame_is_a_conflict_until_the_job_completes(alice_api, not_eager):
    job_id = alice_api.post("/api/v1/generate", TEXT_JOB, format="json").json()["id"]
    response = alice_api.get(f"/api/v1/tasks/{job_id}/last-frame")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "CONFLICT"
    assert response.json()["error"]["details"]["status"] == "queued"


def test_an_unknown_job_has_no_last_frame(alice_api):
    response = alice_api.get("/api/v1/tasks/job_doesnotexist/last-frame")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOT_FOUND"


def test_the_last_frame_needs_a_key(client):
    response = client.get("/api/v1/tasks/job_x/last-frame")
    assert response.status_code == 401


@pytest.mark.isolation("api:task-last-frame")
def test_charlie_gets_404_on_the_last_frame_of_alices_job(alice_api, charlie_api, job_storage):
    job_id = alice_api.post("/api/v1/generate", TEXT_JOB, format="json").json()["id"]
    response = charlie_api.get(f"/api/v1/tasks/{job_id}/last-frame")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOT_FOUND"
    # Nothing was made for charlie's ask.
    job = Job.objects.get(public_id=job_id)
    assert not default_storage.exists(job.result_asset.key_prefix + LAST_FRAME_NAME)

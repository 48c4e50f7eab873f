"""`POST /api/v1/process` operation `remove-background` on the local model
(local/remove-background): the segmentation network runs in the worker on a real
photograph of a person (tests/media/fixtures/portrait.jpg)."""

import json
import sys
from pathlib import Path

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.billing.models import CreditAccount, CreditHold
from apps.catalog.services import model_override_set
from apps.gallery.models import Asset
from apps.jobs.models import Job
from tests.jobs.conftest import fund
from tests.media.test_matte import PORTRAIT, alpha_planes, first_rgb, person_clip, regions

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(sys.version_info >= (3, 13), reason="no mediapipe wheel"),
]


@pytest.fixture(scope="session")
def person_mp4(media_src) -> Path:
    """A second of the portrait, the camera drifting in slightly."""
    return person_clip(media_src / "person.mp4", camera_motion="zoom", strength=0.1)


def submit(api, source: Path, settings_: dict | None = None, **extra):
    body = {"operation": "remove-background", **extra}
    if settings_ is not None:
        body["settings"] = settings_
    with source.open("rb") as fh:
        body["source_file"] = SimpleUploadedFile(source.name, fh.read())
    if "settings" in body:
        body["settings"] = json.dumps(body["settings"])
    return api.post("/api/v1/process", body, format="multipart")


def stored(job_storage, body) -> Path:
    assert body["status"] == "completed", body
    return job_storage / Asset.objects.get(public_id=body["result"]["asset"]).storage_key


def test_the_default_is_the_local_model_and_gives_a_webm_with_alpha(
    alice_api, job_storage, person_mp4
):
    response = submit(alice_api, person_mp4)
    assert response.status_code == 202, response.json()
    assert response.json()["model"] == "local/remove-background"
    body = alice_api.get(f"/api/v1/tasks/{response.json()['id']}").json()
    assert body["result"]["format"] == "webm"
    path = stored(job_storage, body)
    planes = alpha_planes(path)
    assert len(planes) == 24
    left, right, face = regions(planes[0])
    assert planes[0].std() > 60
    assert left.mean() < 8 and right.mean() < 8
    assert face.mean() > 247


def test_a_background_colour_gives_an_mp4_on_that_colour(alice_api, job_storage, person_mp4):
    response = submit(alice_api, person_mp4, {"background_color": "#0000ff"})
    body = alice_api.get(f"/api/v1/tasks/{response.json()['id']}").json()
    assert body["result"]["format"] == "mp4"
    frame = first_rgb(stored(job_storage, body)).astype(int)
    left, _, face = regions(frame)
    assert np.abs(left.mean(axis=(0, 1)) - (0, 0, 255)).max() < 12
    assert face.mean(axis=(0, 1))[0] > face.mean(axis=(0, 1))[2]  # skin, not blue


def test_it_is_priced_like_the_other_local_models_held_then_charged(alice, alice_api, person_mp4):
    model_override_set(model_id="local/remove-background", price_credits=4)
    fund(alice.workspace, 10)
    response = submit(alice_api, person_mp4)
    assert response.json()["credits"]["estimated"] == 4
    job = Job.objects.get(public_id=response.json()["id"])
    assert job.status == "completed"
    assert job.credits_charged == 4 and job.hold.state == CreditHold.State.CAPTURED
    account = CreditAccount.objects.get(workspace=alice.workspace)
    assert (account.balance, account.held) == (6, 0)


def test_the_models_list_offers_the_local_remover_free_with_its_colour_option(alice_api):
    page = alice_api.get("/api/v1/models", {"method": "remove-background"}).json()
    models = {m["id"]: m for m in page["results"]}
    assert set(models) >= {"local/remove-background", "wavespeed-ai/video-background-remover"}
    local = models["local/remove-background"]
    assert local["available"] is True
    assert "background_color" in str(local)
    estimate = alice_api.post(
        "/api/v1/estimate-cost",
        {"method": "remove-background", "model": "local/remove-background", "duration": 5},
        format="json",
    )
    assert estimate.status_code == 200, estimate.json()
    assert estimate.json()["estimated_credits"] == 0


@pytest.mark.parametrize("colour", ["green", "#00ff0", "#00FF00FF", 65280, True, ["#fff"], {}])
def test_a_bad_colour_is_400_naming_the_field(alice_api, person_mp4, colour):
    uploaded = alice_api.post(
        "/api/v1/uploads", {"file": SimpleUploadedFile("p.mp4", person_mp4.read_bytes())}
    )
    response = alice_api.post(
        "/api/v1/process",
        {
            "operation": "remove-background",
            "source_asset": uploaded.json()["id"],
            "settings": {"background_color": colour},
        },
        format="json",
    )
    assert response.status_code == 400, response.json()
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert "background_color" in str(error["details"])
    assert not Job.objects.exists()


def test_unknown_settings_are_refused_by_name(alice_api, person_mp4):
    response = submit(alice_api, person_mp4, {"background_colour": "#00ff00"})
    assert response.status_code == 400
    assert response.json()["error"]["details"]["unknown"] == ["background_colour"]


def test_a_still_image_source_is_refused(alice_api):
    response = alice_api.post(
        "/api/v1/process",
        {
            "operation": "remove-background",
            "source_file": SimpleUploadedFile("p.jpg", PORTRAIT.read_bytes()),
        },
        format="multipart",
    )
    assert response.status_code == 400, response.json()
    assert response.json()["error"]["code"] in ("VALIDATION_ERROR", "UNSUPPORTED_FORMAT")
    assert not Job.objects.exists()


def test_the_wavespeed_remover_refuses_a_background_colour(alice_api, person_mp4):
    response = submit(
        alice_api,
        person_mp4,
        {"background_color": "#00ff00"},
        model="wavespeed-ai/video-background-remover",
    )
    assert response.status_code == 400
    assert "background_color" in str(response.json()["error"])

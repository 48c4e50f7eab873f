"""Every generate method and process operation end to end on the local engine, inputs as
files, asset ids and URLs; idempotency keys; Prefer: wait; isolation."""

import time
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps import media
from apps.billing.models import CreditAccount, CreditHold
from apps.gallery.models import Asset
from apps.jobs.models import Job
from tests.httpserver import serve
from tests.jobs.conftest import TEXT_JOB, fund

pytestmark = pytest.mark.django_db(transaction=True)


def upload(api, path) -> str:
    response = api.post(
        "/api/v1/uploads", {"file": SimpleUploadedFile(path.name, path.read_bytes())}
    )
    assert response.status_code == 201, response.json()
    return response.json()["id"]


def result_probe(job_storage, body) -> media.MediaInfo:
    assert body["status"] == "completed", body
    return media.probe(
        job_storage / Asset.objects.get(public_id=body["result"]["asset"]).storage_key
    )


def finished(api, response) -> dict:
    assert response.status_code in (200, 202), response.json()
    return api.get(f"/api/v1/tasks/{response.json()['id']}").json()


def test_image_to_video_from_an_uploaded_file(alice_api, job_storage, png):
    response = alice_api.post(
        "/api/v1/generate",
        {
            "method": "image-to-video",
            "model": "local/image-to-video",
            "duration": "2",
            "resolution": "480p",
            "fps": "24",
            "camera_motion": "zoom",
            "motion_strength": "0.6",
            "source_file": SimpleUploadedFile("still.png", png.read_bytes()),
        },
        format="multipart",
    )
    info = result_probe(job_storage, finished(alice_api, response))
    assert abs(info.duration - 2.0) < 0.1
    assert info.height == 480
    assert round(info.fps) == 24


def test_a_text_model_given_an_image_switches_to_its_image_sibling(alice_api, png):
    response = alice_api.post(
        "/api/v1/generate",
        {
            "method": "text-to-video",
            "model": "local/text-to-video",
            "prompt": "x",
            "duration": "1",
            "resolution": "480p",
            "source_file": SimpleUploadedFile("still.png", png.read_bytes()),
        },
        format="multipart",
    )
    assert response.status_code == 202, response.json()
    assert response.json()["model"] == "local/image-to-video"
    assert response.json()["switched_from"] == "local/text-to-video"


def test_lip_sync_from_asset_ids_lasts_as_long_as_the_audio(alice_api, job_storage, png, wav):
    image, audio = upload(alice_api, png), upload(alice_api, wav)
    response = alice_api.post(
        "/api/v1/generate",
        {
            "method": "lip-sync",
            "model": "local/lip-sync",
            "source_asset": image,
            "audio_asset": audio,
            "resolution": "480p",
        },
        format="json",
    )
    info = result_probe(job_storage, finished(alice_api, response))
    assert abs(info.duration - 1.5) < 0.1
    assert info.has_audio


def test_extend_a_video_given_by_url(alice_api, job_storage, mp4, settings):
    def clip(req):
        data = mp4.read_bytes()
        req.send_response(200)
        req.send_header("Content-Type", "video/mp4")
        req.send_header("Content-Length", str(len(data)))
        req.end_headers()
        req.wfile.write(data)

    with serve({"GET /clip.mp4": clip}) as base:
        settings.OUTBOUND_ALLOWED_NETLOCS = [urlsplit(base).netloc]
        response = alice_api.post(
            "/api/v1/generate",
            {
                "method": "extend-video",
                "model": "local/extend-video",
                "duration": 2,
                "source_url": f"{base}/clip.mp4",
            },
            format="json",
        )
    info = result_probe(job_storage, finished(alice_api, response))
    assert abs(info.duration - 4.0) < 0.15  # 2 s clip + 2 s


def test_a_source_url_on_a_private_network_is_refused(alice_api):
    response = alice_api.post(
        "/api/v1/generate",
        {
            "method": "extend-video",
            "model": "local/extend-video",
            "duration": 2,
            "source_url": "http://169.254.169.254/latest/meta-data/",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "private" in response.json()["error"]["message"]
    assert not Job.objects.exists()


def test_a_storyboard_joins_one_shot_per_scene(alice_api, job_storage):
    response = alice_api.post(
        "/api/v1/generate",
        {
            "method": "storyboard",
            "model": "local/storyboard",
            "resolution": "480p",
            "storyboard": [
                {"prompt": "Opening", "duration": 1},
                {"prompt": "Ending", "duration": 2},
            ],
        },
        format="json",
    )
    info = result_probe(job_storage, finished(alice_api, response))
    assert abs(info.duration - 3.0) < 0.15


@pytest.mark.parametrize(
    ("operation", "settings_", "check"),
    [
        (
            "edit",
            {"trim_start": 0.5, "trim_end": 1.5, "aspect_ratio": "9:16", "mute": True},
            lambda i: abs(i.duration - 1.0) < 0.1 and i.width < i.height and not i.has_audio,
        ),
        (
            "edit",  # keyframe mode copies whole GOPs: at least the asked second
            {"trim_start": 0.5, "trim_end": 1.5, "trim_mode": "keyframe"},
            lambda i: i.duration >= 0.99 and i.video_codec == "h264",
        ),
        ("enhance", {"target_resolution": "720p"}, lambda i: i.height == 720),
        (
            "transform",  # H.264 MP4 -> MOV is a remux
            {"format": "mov"},
            lambda i: i.container == "mov" and i.video_codec == "h264",
        ),
        (
            "transform",
            {"format": "webm"},
            lambda i: i.container == "webm" and i.video_codec == "vp9",
        ),
        ("optimize", {"quality": "low"}, lambda i: i.video_codec == "h264"),
    ],
)
def test_each_process_operation_runs_on_the_local_engine(
    alice_api, job_storage, mp4, operation, settings_, check
):
    response = alice_api.post(
        "/api/v1/process",
        {"operation": operation, "source_asset": upload(alice_api, mp4), "settings": settings_},
        format="json",
    )
    info = result_probe(job_storage, finished(alice_api, response))
    assert check(info), info


def test_process_settings_can_come_as_json_in_multipart(alice_api, job_storage, mp4):
    response = alice_api.post(
        "/api/v1/process",
        {
            "operation": "enhance",
            "settings": '{"target_resolution": "480p"}',
            "source_file": SimpleUploadedFile("c.mp4", mp4.read_bytes()),
        },
        format="multipart",
    )
    assert result_probe(job_storage, finished(alice_api, response)).height == 480


def test_unknown_process_settings_are_refused_by_name(alice_api, mp4):
    response = alice_api.post(
        "/api/v1/process",
        {"operation": "edit", "source_asset": upload(alice_api, mp4), "settings": {"blur": 3}},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["details"]["unknown"] == ["blur"]


def test_a_text_file_as_source_is_unsupported_format(alice_api):
    response = alice_api.post(
        "/api/v1/process",
        {"operation": "optimize", "source_file": SimpleUploadedFile("x.mp4", b"hello" * 100)},
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "UNSUPPORTED_FORMAT"
    assert not Asset.objects.exists()


def test_the_same_idempotency_key_and_body_return_the_same_job_with_one_hold(
    alice, alice_api, priced
):
    fund(alice.workspace, 100)
    headers = {"HTTP_IDEMPOTENCY_KEY": "order-42"}
    first = alice_api.post("/api/v1/generate", TEXT_JOB, format="json", **headers)
    second = alice_api.post("/api/v1/generate", TEXT_JOB, format="json", **headers)
    assert first.json()["id"] == second.json()["id"]
    assert second["Idempotent-Replayed"] == "true"
    assert Job.objects.count() == 1
    assert CreditHold.objects.count() == 1
    assert CreditAccount.objects.get(workspace=alice.workspace).balance == 93


def test_the_same_idempotency_key_with_another_body_is_409(alice_api):
    headers = {"HTTP_IDEMPOTENCY_KEY": "order-43"}
    alice_api.post("/api/v1/generate", TEXT_JOB, format="json", **headers)
    response = alice_api.post(
        "/api/v1/generate", {**TEXT_JOB, "prompt": "Something else"}, format="json", **headers
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "CONFLICT"
    assert Job.objects.count() == 1


def test_idempotency_keys_are_per_workspace(alice_api, charlie_api):
    headers = {"HTTP_IDEMPOTENCY_KEY": "shared-key"}
    a = alice_api.post("/api/v1/generate", TEXT_JOB, format="json", **headers).json()["id"]
    c = charlie_api.post("/api/v1/generate", TEXT_JOB, format="json", **headers).json()["id"]
    assert a != c


def test_prefer_wait_returns_200_with_the_result_when_it_finishes_in_time(alice_api):
    response = alice_api.post("/api/v1/generate", TEXT_JOB, format="json", HTTP_PREFER="wait=20")
    assert response.status_code == 200
    assert response["Preference-Applied"] == "wait=20"
    assert response.json()["result"]["video_url"]


def test_prefer_wait_returns_202_when_the_job_is_still_going(alice_api, not_eager):
    started = time.monotonic()
    response = alice_api.post("/api/v1/generate", TEXT_JOB, format="json", HTTP_PREFER="wait=1")
    assert response.status_code == 202
    assert response.json()["status"] == "queued"
    assert 0.9 < time.monotonic() - started < 5


@pytest.mark.isolation("api:generate", "api:process")
def test_charlie_cannot_use_alices_assets_as_inputs(alice_api, charlie_api, png, mp4):
    image, video = upload(alice_api, png), upload(alice_api, mp4)
    for path, body in (
        (
            "/api/v1/generate",
            {"method": "image-to-video", "model": "local/image-to-video", "source_asset": image},
        ),
        ("/api/v1/process", {"operation": "optimize", "source_asset": video}),
    ):
        response = charlie_api.post(path, body, format="json")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "NOT_FOUND"
    assert not Job.objects.exists()


@pytest.mark.isolation("api:tasks", "api:task-detail", "api:task-result")
def test_charlie_gets_404_on_alices_jobs_and_results(alice_api, charlie_api):
    job_id = alice_api.post("/api/v1/generate", TEXT_JOB, format="json").json()["id"]
    assert charlie_api.get("/api/v1/tasks").json()["results"] == []
    for response in (
        charlie_api.get(f"/api/v1/tasks/{job_id}"),
        charlie_api.get(f"/api/v1/tasks/{job_id}/result"),
        charlie_api.delete(f"/api/v1/tasks/{job_id}"),
    ):
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "NOT_FOUND"
    assert Job.objects.get(public_id=job_id).status == "completed"


def test_transform_applies_its_aspect_ratio_and_resolution(alice_api, job_storage, mp4):
    response = alice_api.post(
        "/api/v1/process",
        {
            "operation": "transform",
            "source_asset": upload(alice_api, mp4),
            "settings": {"format": "mov", "aspect_ratio": "1:1", "resolution": "480p"},
        },
        format="json",
    )
    info = result_probe(job_storage, finished(alice_api, response))
    assert info.container == "mov"
    assert (info.width, info.height) == (480, 480)


def test_transform_without_a_size_keeps_the_source_size(alice_api, job_storage, mp4):
    response = alice_api.post(
        "/api/v1/process",
        {
            "operation": "transform",
            "source_asset": upload(alice_api, mp4),
            "settings": {"format": "mp4"},
        },
        format="json",
    )
    info = result_probe(job_storage, finished(alice_api, response))
    assert (info.width, info.height) == (640, 360)


def test_prefer_wait_is_not_applied_when_the_process_has_no_wait_slot_left(
    alice_api, not_eager, settings
):
    # Every slot taken: the submit answers at once instead of holding another thread.
    settings.JOBS_PREFER_WAIT_MAX_WAITERS = 0
    started = time.monotonic()
    response = alice_api.post("/api/v1/generate", TEXT_JOB, format="json", HTTP_PREFER="wait=30")
    assert response.status_code == 202
    assert "Preference-Applied" not in response
    assert time.monotonic() - started < 5

"""The sync client end to end: real HTTP to a live server, jobs run by a real worker,
videos probed with PyAV."""

import pytest
from reelsmith import (
    AuthenticationError,
    JobFailed,
    NotFound,
    ProcessRequest,
    Reelsmith,
    ValidationError,
    VideoGenerationRequest,
)

from apps.billing.models import CreditHold
from apps.jobs.models import Job
from tests.clients.python.conftest import account, fund, probe
from tests.gallery.mediafiles import make_wav

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def test_generate_with_wait_returns_a_real_mp4_of_the_requested_duration_and_size(client, tmp_path):
    request = (
        VideoGenerationRequest("A lighthouse at dusk")
        .with_model("local/text-to-video")
        .with_duration(2)
        .with_width(854)
        .with_height(480)
        .with_fps(24)
    )
    seen = []
    response = client.generate_video(request, timeout=120, on_progress=seen.append)

    assert response.status == "completed", response.raw
    assert response.task_id.startswith("job_")
    assert response.raw["params"]["resolution"] == "480p"
    assert response.raw["params"]["aspect_ratio"] == "16:9"
    assert seen[0].status in ("queued", "running") and seen[-1].status == "completed"
    assert [r.progress for r in seen] == sorted(r.progress for r in seen)

    data = response.video_bytes
    assert data is not None and len(data) == response.size > 1000
    assert response.video_bytes is data  # downloaded once
    path = tmp_path / "bytes.mp4"
    path.write_bytes(data)
    duration, width, height, container = probe(path)
    assert duration == pytest.approx(2.0, abs=0.2)
    assert (width, height) == (response.width, response.height)
    assert height == 480
    assert "mp4" in container and response.format == "mp4"
    assert response.duration == pytest.approx(duration, abs=0.2)

    # save() streams from the server (a fresh response: nothing downloaded yet).
    again = client.poll_video(response.task_id)
    saved = again.save(tmp_path / "saved.mp4")
    assert saved.read_bytes() == data
    assert not (tmp_path / "saved.mp4.part").exists()


def test_wait_false_returns_at_once_and_poll_video_follows_the_job(client, tmp_path):
    request = VideoGenerationRequest("A red fox").with_model("local/text-to-video")
    request = request.with_duration(1).with_resolution("480p")
    response = client.generate_video(request, wait=False)
    assert response.status in ("queued", "running")
    assert response.video_url is None and response.video_bytes is None and response.size == 0

    polled = client.poll_video(response.task_id)
    assert polled.task_id == response.task_id
    done = client.wait_for_video(response.task_id, timeout=120)
    assert done.status == "completed"
    assert done.video_url and done.video_url.startswith("http")
    assert probe(done.save(tmp_path / "fox.mp4"))[0] == pytest.approx(1.0, abs=0.2)


def test_an_image_file_travels_as_multipart_and_the_method_is_inferred(client, still, tmp_path):
    request = VideoGenerationRequest("Slow zoom").with_image(still).with_duration(1)
    request = request.with_resolution("480p")
    response = client.generate_video(request, timeout=120)
    assert response.method == "image-to-video"
    assert response.status == "completed", response.raw
    assert probe(response.save(tmp_path / "zoom.mp4"))[0] == pytest.approx(1.0, abs=0.2)


def test_process_edit_trims_a_video(client, clip, tmp_path):
    request = ProcessRequest("edit", source=clip).with_setting("trim_start", 1)
    response = client.process(request, timeout=120)
    assert response.status == "completed", response.raw
    assert probe(response.save(tmp_path / "trimmed.mp4"))[0] == pytest.approx(1.0, abs=0.25)


def test_cancel_releases_the_hold_and_charges_nothing(alice, client, priced):
    fund(alice.workspace, 20)
    # A long render, so the cancel arrives while it runs.
    request = VideoGenerationRequest("A long tracking shot").with_model("local/text-to-video")
    response = client.generate_video(request.with_duration(60).with_resolution("1080p"), wait=False)
    assert client.balance().held == priced

    cancelled = client.cancel(response.task_id)
    assert cancelled.status == "cancelled"
    assert client.cancel(response.task_id).status == "cancelled"  # repeat: same answer
    with pytest.raises(JobFailed) as ended:  # waiting on it: a job that ended without a video
        client.wait_for_video(response.task_id, timeout=30)
    assert (ended.value.code, ended.value.job_status) == ("CANCELLED", "cancelled")
    assert ended.value.task_id == response.task_id
    final = client.poll_video(response.task_id)
    assert final.status == "cancelled" and final.credits["charged"] == 0
    balance = client.balance()
    assert (balance.balance, balance.held, balance.available) == (20, 0, 20)
    assert account(alice.workspace) == (20, 0)
    assert CreditHold.objects.get().state == CreditHold.State.RELEASED
    with pytest.raises(JobFailed):
        final.raise_for_status()


def test_estimate_models_balance_upload_and_gallery(alice, client, priced, clip):
    fund(alice.workspace, 50)
    request = VideoGenerationRequest("A fox").with_model("local/text-to-video").with_duration(3)
    estimate = client.estimate_cost(request)
    assert (estimate.model, estimate.credits, estimate.available) == (
        "local/text-to-video",
        priced,
        True,
    )
    assert client.estimate_cost(request.with_model("kling-2.0")).credits == 30  # $0.10/s x 3

    i2v = client.models(method="image-to-video")
    assert i2v and all("image-to-video" in m.methods for m in i2v)
    assert "local/image-to-video" in {m.id for m in i2v}
    assert {m.id for m in client.models(available=True)} >= {"local/text-to-video"}
    assert client.model("local/text-to-video").resolutions == ["480p", "720p", "1080p"]

    balance = client.balance()
    assert (balance.balance, balance.held, balance.available) == (50, 0, 50)

    asset = client.upload(clip, title="My clip")
    assert asset.id.startswith("ast_") and asset.kind == "video" and not asset.saved
    saved = client.gallery.save(asset, title="Kept", tags=["client"])
    assert saved.saved and saved.title == "Kept"
    assert asset.id in {a.id for a in client.gallery.list(saved=True)}
    assert client.gallery.get(asset.id).id == asset.id
    client.gallery.delete(asset.id)
    with pytest.raises(NotFound):
        client.gallery.get(asset.id)


def test_a_job_result_can_be_saved_to_the_gallery(client):
    request = VideoGenerationRequest("A hen").with_model("local/text-to-video").with_duration(1)
    response = client.generate_video(request.with_resolution("480p"), timeout=120)
    asset = client.gallery.save(response, title="Hen")
    assert asset.id == response.asset_id and asset.saved


def test_another_workspaces_task_is_not_found_and_a_bad_key_is_refused(alice, charlie, live_stack):
    with Reelsmith(api_key=alice.key, base_url=live_stack.url) as alice_client:
        job = alice_client.generate_video(
            VideoGenerationRequest("Mine").with_model("local/text-to-video").with_duration(1),
            wait=False,
        )
    with Reelsmith(api_key=charlie.key, base_url=live_stack.url) as charlie_client:
        with pytest.raises(NotFound) as info:
            charlie_client.poll_video(job.task_id)
        assert (info.value.status, info.value.code) == (404, "NOT_FOUND")
        with pytest.raises(NotFound):
            charlie_client.cancel(job.task_id)
    with (
        Reelsmith(api_key="rsk_wrong", base_url=live_stack.url) as bad,
        pytest.raises(AuthenticationError) as auth,
    ):
        bad.balance()
    assert auth.value.status == 401 and not auth.value.retryable
    assert Job.objects.get().status != "cancelled"


def test_a_validation_error_carries_the_servers_details(client):
    request = VideoGenerationRequest("Too long").with_model("local/text-to-video")
    with pytest.raises(ValidationError) as info:
        client.generate_video(request.with_duration(999))
    error = info.value
    assert error.status == 400 and not error.retryable
    assert any(p["field"] == "duration" for p in error.details["problems"])
    assert not Job.objects.exists()


def test_width_and_height_no_model_makes_is_a_clear_error_before_anything_is_sent(client):
    request = VideoGenerationRequest("Huge").with_model("local/text-to-video")
    with pytest.raises(ValidationError) as info:
        client.generate_video(request.with_width(3840).with_height(2160))
    assert info.value.status is None
    assert "480p, 720p, 1080p" in info.value.message
    assert not Job.objects.exists()


def test_lip_sync_storyboard_and_extend_through_the_builder(client, still, clip, client_media):
    voice = make_wav(client_media / "voice.wav", seconds=1.5)
    lip = VideoGenerationRequest("Say hello").with_image(still).with_audio_file(voice)
    board = VideoGenerationRequest("").with_storyboard([("A fox runs", 1), ("A hen looks", 2)])
    extend = VideoGenerationRequest("Keep going").with_video(clip).with_duration(1)
    jobs = [
        client.generate_video(request.with_resolution("480p"), wait=False)
        for request in (lip, board)
    ] + [client.generate_video(extend, wait=False)]
    assert [j.method for j in jobs] == ["lip-sync", "storyboard", "extend-video"]
    done = [client.wait_for_video(job.task_id, timeout=180) for job in jobs]
    lip_done, board_done, extend_done = done
    assert lip_done.duration == pytest.approx(1.5, abs=0.25)
    assert board_done.duration == pytest.approx(3.0, abs=0.25)
    assert extend_done.duration == pytest.approx(3.0, abs=0.25)  # the 2 s clip + 1 s
    estimate = client.estimate_cost(ProcessRequest("enhance", source=clip))
    assert (estimate.method, estimate.credits) == ("upscale", 0)

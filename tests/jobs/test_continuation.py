"""extend-video with mode "continue" and an image-to-video model (issue 17): the model
runs from the source's last frame, the result is the source followed by the continuation
in one video, priced as the model's run, and it chains."""

import itertools

import numpy as np
import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from apps import media
from apps.billing.models import CreditAccount
from apps.catalog.services import model_override_set
from apps.gallery import storage
from apps.gallery.models import Asset
from apps.gallery.objects import LAST_FRAME_NAME
from apps.jobs.models import Job
from apps.jobs.remix import job_remix_fields
from apps.jobs.services import job_submit
from apps.providers.sandbox.core import Sandbox
from tests.jobs.conftest import fund
from tests.media.conftest import rgb_frames
from tests.media.test_extend_motion import FPS, panning_clip

pytestmark = pytest.mark.django_db(transaction=True)

SIZE = (640, 360)


@pytest.fixture
def source(tmp_path):
    return panning_clip(tmp_path / "pan.mp4", dx=-2, dy=0, seconds=2.0, size=SIZE)


def submit(api, source_path=None, **fields):
    body = {"method": "extend-video", "mode": "continue", **fields}
    if source_path is not None:
        body["source_file"] = SimpleUploadedFile("pan.mp4", source_path.read_bytes())
    return api.post("/api/v1/generate", body, format="multipart")


def result_path(job_storage, job_id) -> tuple[Job, object]:
    job = Job.objects.get(public_id=job_id)
    assert job.status == "completed", (job.error_code, job.error_message)
    return job, job_storage / job.result_asset.storage_key


def seam(frames: list[np.ndarray], join: int) -> tuple[float, float]:
    """(mean absolute difference across the join, mean between neighbours in the source)."""

    def diff(a, b):
        return float(np.abs(a.astype(np.int16) - b.astype(np.int16)).mean())

    within = [diff(a, b) for a, b in itertools.pairwise(frames[:join])]
    return diff(frames[join - 1], frames[join]), float(np.mean(within))


def test_a_local_continuation_is_the_source_then_the_model_run_from_its_last_frame(
    alice, job_storage, source
):
    model_override_set(model_id="local/image-to-video", price_credits=9)
    fund(alice.workspace, 100)
    response = submit(
        alice.api,
        source,
        model="local/image-to-video",
        duration="2",
    )
    assert response.status_code in (200, 202), response.json()
    job, out = result_path(job_storage, response.json()["id"])
    info = media.probe(out)
    assert (info.width, info.height) == SIZE
    assert round(info.fps) == FPS
    assert info.duration == pytest.approx(4.0, abs=0.1)
    assert job.method == "extend-video" and job.model == "local/image-to-video"
    assert job.params["continuation"] == {"crossfade": 0.0}
    # Priced as the image-to-video model's run.
    assert job.credits_charged == 9

    frames = rgb_frames(out)
    src = rgb_frames(source)
    assert len(frames) == 4 * FPS
    # The first half is the source itself.
    assert np.abs(frames[10].astype(int) - src[10].astype(int)).mean() < 6  # re-encoded
    across, within = seam(frames, 2 * FPS)
    print(f"\nseam (local i2v, no crossfade): join {across:.2f}, within the clip {within:.2f}")
    assert across < 2 * within


def test_a_crossfade_dissolves_the_join_and_shortens_the_video_by_its_length(
    alice_api, job_storage, source
):
    response = submit(
        alice_api, source, model="local/image-to-video", duration="2", crossfade="0.5"
    )
    assert response.status_code in (200, 202), response.json()
    _, out = result_path(job_storage, response.json()["id"])
    assert media.probe(out).duration == pytest.approx(3.5, abs=0.1)
    frames = rgb_frames(out)
    join = 2 * FPS - FPS // 4  # the middle of the dissolve
    across, within = seam(frames, join)
    print(f"\nseam (local i2v, 0.5 s crossfade): join {across:.2f}, within {within:.2f}")
    assert across < 2 * within


def test_continuations_chain_into_a_longer_video(alice_api, job_storage, source):
    first = submit(alice_api, source, model="local/image-to-video", duration="1")
    first_job = Job.objects.get(public_id=first.json()["id"])
    second = submit(
        alice_api,
        model="local/image-to-video",
        duration="1",
        source_asset=first_job.result_asset.public_id,
    )
    assert second.status_code in (200, 202), second.json()
    _, out = result_path(job_storage, second.json()["id"])
    assert media.probe(out).duration == pytest.approx(4.0, abs=0.1)


def test_a_continuation_through_a_provider_sandbox_sends_the_last_frame(
    alice, settings, job_storage, source
):
    with Sandbox(polls_needed=1) as sandbox:
        for name, value in sandbox.settings().items():
            setattr(settings, name, value)
        settings.PROVIDER_WEBHOOK_BASE_URL = ""
        settings.OUTBOUND_ALLOWED_NETLOCS = [sandbox.netloc]
        fund(alice.workspace, 1_000)
        response = submit(
            alice.api,
            source,
            model="wan-2.5-i2v",
            prompt="The camera keeps drifting",
            duration="5",
            resolution="480p",
        )
        sent = sandbox.last("wavespeed", "POST")
    assert response.status_code in (200, 202), response.json()
    job, out = result_path(job_storage, response.json()["id"])
    # The provider was asked for an image-to-video run from a PNG, our last frame.
    assert sent.path.endswith("/alibaba/wan-2.5/image-to-video"), sent.path
    key = storage.key_from_media_url(sent.body.get("image") or "")
    source_asset = Asset.objects.get(public_id=job.inputs["video"])
    assert key == source_asset.key_prefix + LAST_FRAME_NAME, sent.body
    with default_storage.open(key, "rb") as fh:
        assert Image.open(fh).size == SIZE
    # Priced and charged as Wan 2.5 I2V's 5 s at 480p (12 credits a second).
    assert job.credits_charged == 60
    account = CreditAccount.objects.get(workspace=alice.workspace)
    assert (account.balance, account.held) == (1_000 - 60, 0)
    info = media.probe(out)
    sandbox_clip = 1.0  # the sandbox always answers with its 1 s clip
    assert (info.width, info.height) == SIZE
    assert info.duration == pytest.approx(2.0 + sandbox_clip, abs=0.1)
    frames = rgb_frames(out)
    across, within = seam(frames, 2 * FPS)
    print(f"\nseam (sandbox wan-2.5-i2v, unrelated clip): join {across:.2f}, within {within:.2f}")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"model": "local/edit"}, "model"),
        ({"model": "wavespeed-ai/kandinsky5-pro/image-to-video", "crossfade": "5"}, "crossfade"),
        ({"model": "local/image-to-video", "crossfade": "x"}, "crossfade"),
    ],
)
def test_a_continuation_that_cannot_be_made_is_refused_before_anything_is_held(
    alice_api, source, fields, field
):
    response = submit(alice_api, source, **fields)
    assert response.status_code == 400, response.json()
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert error["details"]["field"] == field
    assert not Job.objects.exists()


def test_a_continuation_needs_a_source_video(alice_api):
    response = submit(alice_api, model="local/image-to-video")
    assert response.status_code == 400
    assert not Job.objects.exists()


def test_a_continuation_remixes_as_a_continuation(alice, job_storage, source):
    first = submit(alice.api, source, model="local/image-to-video", duration="1", crossfade="0.25")
    job = Job.objects.get(public_id=first.json()["id"])
    fields = job_remix_fields(job=job, prompt="Now at dusk")
    assert (fields["method"], fields["mode"], fields["crossfade"]) == (
        "extend-video",
        "continue",
        0.25,
    )
    again, created = job_submit(workspace=alice.workspace, user=alice.user, data=fields)
    assert created
    again.refresh_from_db()
    assert again.status == "completed", again.error_message
    assert again.params["continuation"] == {"crossfade": 0.25}
    assert again.inputs["video"] == job.inputs["video"]


def test_charlie_cannot_continue_alices_result(alice_api, charlie_api, job_storage, source):
    first = submit(alice_api, source, model="local/image-to-video", duration="1")
    asset = Job.objects.get(public_id=first.json()["id"]).result_asset.public_id
    response = submit(charlie_api, model="local/image-to-video", source_asset=asset)
    assert response.status_code == 404
    assert Job.objects.count() == 1
    assert Asset.objects.filter(public_id=asset).exists()

"""Creative controls reach the models: through POST /api/v1/generate, the real pipeline
(Celery eager) and the providers' sandboxes, each model's declared way arrives as the
provider's own field, its documented prompt syntax, or prompt guidance."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.billing.services import credits_grant
from apps.catalog.registry.controls import CAMERA_PHRASES, HAILUO_COMMANDS
from apps.jobs.models import Job, JobStatus
from tests.gallery.mediafiles import make_png

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def job_storage(media_storage):
    return media_storage


@pytest.fixture
def funded(alice):
    credits_grant(workspace=alice.workspace, credits=100_000, idempotency_key="fund:controls")
    return alice


def submit(actor, body, format="json"):
    response = actor.api.post("/api/v1/generate", body, format=format)
    assert response.status_code == 202, response.json()
    job = Job.objects.get(public_id=response.json()["id"])
    assert job.status == JobStatus.COMPLETED, (job.error_code, job.error_message)
    return job


def test_seedance_static_reaches_fal_as_camera_fixed(funded, sandbox):
    submit(
        funded,
        {
            "model": "seedance-lite-t2v",
            "prompt": "A lighthouse at dusk",
            "duration": 3,
            "camera_motion": "static",
        },
    )
    got = sandbox.last("fal", "POST")
    assert got.path == "/fal-ai/bytedance/seedance/v1/lite/text-to-video"
    assert got.body["camera_fixed"] is True
    assert got.body["prompt"] == "A lighthouse at dusk"  # native: the prompt is untouched


def test_seedance_pan_is_prompt_guidance_and_leaves_the_camera_free(funded, sandbox):
    submit(
        funded,
        {"model": "seedance-pro-t2v", "prompt": "A lighthouse", "camera_motion": "pan_left"},
    )
    got = sandbox.last("fal", "POST")
    assert got.body["prompt"] == f"A lighthouse {CAMERA_PHRASES['pan_left']}"
    assert "camera_fixed" not in got.body


def test_hailuo_gets_its_bracketed_camera_command_in_the_prompt(funded, sandbox, tmp_path):
    png = make_png(tmp_path / "still.png", width=640, height=360)
    submit(
        funded,
        {
            "model": "hailuo-2.0-standard",
            "prompt": "A fox looks up",
            "camera_motion": "zoom_out",
            "source_file": SimpleUploadedFile("still.png", png.read_bytes()),
        },
        format="multipart",
    )
    got = sandbox.last("fal", "POST")
    assert got.path == "/fal-ai/minimax/hailuo-02/standard/image-to-video"
    assert got.body["prompt"] == "A fox looks up [Zoom out]"
    assert HAILUO_COMMANDS["pan"] == "[Pan right]"  # a bare pan takes the default direction


@pytest.mark.parametrize(
    ("model", "provider", "prompt_of"),
    [
        ("veo3.1-fast", "google", lambda body: body["instances"][0]["prompt"]),
        ("kling-2.1-master-t2v", "fal", lambda body: body["prompt"]),
        ("sora-2-standard-t2v", "openai", lambda body: body["prompt"]),
        ("runway-gen-4", "runway", lambda body: body["promptText"]),
    ],
)
def test_prompt_guidance_reaches_the_providers_prompt(funded, sandbox, model, provider, prompt_of):
    job = submit(funded, {"model": model, "prompt": "A red fox at dawn", "camera_motion": "tilt"})
    sent = prompt_of(sandbox.last(provider, "POST").body)
    assert sent == f"A red fox at dawn {CAMERA_PHRASES['tilt_up']}"
    # The job keeps what the user wrote; the phrase is added on the way out.
    assert job.prompt == "A red fox at dawn" and job.params["camera_motion"] == "tilt"


def test_ltx_fps_reaches_wavespeed_as_its_native_field(funded, sandbox):
    submit(
        funded,
        {"model": "lightricks/ltx-2-fast/text-to-video", "prompt": "A red fox", "fps": 50},
    )
    got = sandbox.last("wavespeed", "POST")
    assert got.path == "/api/v3/lightricks/ltx-2-fast/text-to-video"
    assert got.body["fps"] == 50 and got.body["prompt"] == "A red fox"


@pytest.mark.parametrize(("strength", "flag"), [(0.2, "--motion low"), (0.9, "--motion high")])
def test_midjourney_motion_strength_becomes_its_motion_parameter(
    funded, sandbox, tmp_path, strength, flag
):
    png = make_png(tmp_path / "still.png", width=640, height=360)
    submit(
        funded,
        {
            "model": "midjourney-i2v",
            "prompt": "Petals drift",
            "motion_strength": strength,
            "source_file": SimpleUploadedFile("still.png", png.read_bytes()),
        },
        format="multipart",
    )
    assert sandbox.last("replicate", "POST").body["input"]["prompt"] == f"Petals drift {flag}"


def test_a_job_without_controls_sends_the_prompt_unchanged(funded, sandbox):
    submit(funded, {"model": "veo3-fast", "prompt": "A red fox at dawn"})
    body = sandbox.last("google", "POST").body
    assert body["instances"][0]["prompt"] == "A red fox at dawn"


def test_a_refused_control_sends_nothing_and_names_the_supporting_models(funded, sandbox):
    before = len(sandbox.received)
    response = funded.api.post(
        "/api/v1/generate",
        {"model": "grok-imagine-t2v", "prompt": "A fox", "camera_motion": "pan"},
        format="json",
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR" and "camera_motion" in error["message"]
    supported = error["details"]["supported_models"]["camera_motion"]
    assert "veo3.1-fast" in supported and "seedance-pro-t2v" in supported
    assert "grok-imagine-t2v" not in supported
    assert len(sandbox.received) == before and not Job.objects.exists()

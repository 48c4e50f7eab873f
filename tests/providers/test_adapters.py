"""Every adapter against its protocol-faithful sandbox."""

import httpx
import pytest

from apps import media
from apps.catalog.registry import CATALOG
from apps.core.errors import ErrorCode
from apps.providers.base import PollState, ProviderError
from apps.providers.registry import provider_get
from tests.providers.specs import IMG, spec

REMOTE = ["wavespeed", "fal", "replicate", "runway", "google", "openai", "runware"]


def run(adapter, task_id, limit=12):
    results = []
    for _ in range(limit):
        try:
            result = adapter.poll(task_id)
        except ProviderError as exc:
            assert exc.retryable
            continue
        results.append(result)
        if result.state != PollState.RUNNING:
            return results
    raise AssertionError("never finished")


def test_every_catalog_provider_has_an_adapter():
    specs = CATALOG.values() if isinstance(CATALOG, dict) else CATALOG
    for provider in {s.provider for s in specs}:
        assert provider_get(name=provider).name == provider


@pytest.mark.parametrize("provider", REMOTE)
def test_submit_polls_and_succeeds_with_a_real_mp4(sandbox, provider, tmp_path):
    adapter = provider_get(name=provider)
    task_id = adapter.submit(spec(provider))
    results = run(adapter, task_id)
    assert results[0].state == PollState.RUNNING
    assert len(results) == 3
    done = results[-1]
    assert done.state == PollState.SUCCEEDED and done.output_url
    response = httpx.get(done.output_url, headers=done.output_headers)
    assert response.status_code == 200
    assert response.content[4:8] == b"ftyp"
    path = tmp_path / "out.mp4"
    path.write_bytes(response.content)
    assert media.probe(path).video_codec == "h264"


@pytest.mark.parametrize("provider", REMOTE)
@pytest.mark.parametrize(
    ("magic", "retryable", "code"),
    [
        ("429", True, ErrorCode.MODEL_UNAVAILABLE),
        ("500", True, ErrorCode.MODEL_UNAVAILABLE),
        ("invalid", False, ErrorCode.VALIDATION_ERROR),
    ],
)
def test_submit_errors_map_to_retryable_or_not(sandbox, provider, magic, retryable, code):
    with pytest.raises(ProviderError) as info:
        provider_get(name=provider).submit(spec(provider, prompt=f"a fox [sandbox:{magic}]"))
    assert (info.value.retryable, info.value.ambiguous, info.value.code) == (retryable, False, code)


@pytest.mark.parametrize("provider", [p for p in REMOTE if p != "runware"])
def test_a_submit_that_times_out_is_ambiguous(sandbox, provider):
    with pytest.raises(ProviderError) as info:
        provider_get(name=provider).submit(spec(provider, prompt="a fox [sandbox:timeout]"))
    assert info.value.ambiguous and info.value.code == ErrorCode.PROCESSING_TIMEOUT


def test_runware_resolves_a_timed_out_submit_by_its_own_task_uuid(sandbox):
    adapter = provider_get(name="runware")
    task_id = adapter.submit(spec("runware", prompt="a fox [sandbox:timeout]"))
    assert run(adapter, task_id)[-1].state == PollState.SUCCEEDED


@pytest.mark.parametrize("provider", REMOTE)
def test_content_policy_maps_to_content_policy(sandbox, provider):
    adapter = provider_get(name=provider)
    result = run(adapter, adapter.submit(spec(provider, prompt="a fox [sandbox:policy]")))[-1]
    assert result.state == PollState.FAILED
    assert result.error_code == ErrorCode.CONTENT_POLICY
    assert result.error_message


@pytest.mark.parametrize("provider", REMOTE)
def test_a_failed_task_is_failed_with_the_providers_message(sandbox, provider):
    adapter = provider_get(name=provider)
    result = run(adapter, adapter.submit(spec(provider, prompt="a fox [sandbox:fail]")))[-1]
    assert result.state == PollState.FAILED
    assert result.error_code != ErrorCode.CONTENT_POLICY
    assert len(result.error_message) > 5


@pytest.mark.parametrize("provider", REMOTE)
@pytest.mark.parametrize("magic", ["poll429", "poll500"])
def test_poll_rate_limits_and_server_errors_are_retryable(sandbox, provider, magic):
    adapter = provider_get(name=provider)
    task_id = adapter.submit(spec(provider, prompt=f"a fox [sandbox:{magic}]"))
    with pytest.raises(ProviderError) as info:
        adapter.poll(task_id)
    assert info.value.retryable
    assert run(adapter, task_id)[-1].state == PollState.SUCCEEDED


@pytest.mark.parametrize("provider", REMOTE)
def test_a_refused_key_is_not_retryable(sandbox, provider, settings):
    from apps.providers.credentials import PLATFORM_SETTINGS

    setattr(settings, PLATFORM_SETTINGS[provider], "sk-wrong")
    with pytest.raises(ProviderError) as info:
        provider_get(name=provider).submit(spec(provider))
    assert not info.value.retryable


@pytest.mark.parametrize("provider", ["fal", "replicate", "runway", "google", "openai"])
def test_cancel_reaches_the_provider(sandbox, provider):
    adapter = provider_get(name=provider)
    task_id = adapter.submit(spec(provider))
    adapter.cancel(task_id)
    task = [t for t in sandbox.tasks.values() if t.provider == provider][-1]
    assert task.cancelled
    if provider == "openai":  # DELETE removes the video: it is gone (404)
        with pytest.raises(ProviderError) as info:
            adapter.poll(task_id)
        assert not info.value.retryable
    else:
        assert run(adapter, task_id)[-1].state == PollState.FAILED


@pytest.mark.parametrize("provider", ["wavespeed", "runware"])
def test_cancel_is_a_no_op_where_the_provider_has_none(sandbox, provider):
    adapter = provider_get(name=provider)
    task_id = adapter.submit(spec(provider))
    sent = len(sandbox.received)
    adapter.cancel(task_id)
    assert len(sandbox.received) == sent  # nothing was sent
    assert run(adapter, task_id)[-1].state == PollState.SUCCEEDED  # the task ran on


# --- parameter mapping: what the provider received ----------------------------------------


def test_wavespeed_fields(sandbox):
    provider_get(name="wavespeed").submit(spec("wavespeed"))
    got = sandbox.last("wavespeed", "POST")
    assert got.path == "/api/v3/alibaba/wan-2.5/text-to-video"
    assert got.headers["authorization"] == "Bearer sk-sandbox-wavespeed"
    assert got.body == {
        "prompt": "A red fox at dawn",
        "negative_prompt": "blur",
        "duration": 5,
        "resolution": "720p",
        "aspect_ratio": "16:9",
        "seed": 7,
        "enable_prompt_expansion": True,
        "enable_base64_output": False,
    }


def test_fal_fields(sandbox):
    task_id = provider_get(name="fal").submit(spec("fal"))
    got = sandbox.last("fal", "POST")
    assert got.path == "/fal-ai/kling-video/v2.1/standard/image-to-video"
    assert got.headers["authorization"] == "Key sk-sandbox-fal"
    assert got.body["image_url"] == IMG and got.body["duration"] == "5"
    assert got.body["cfg_scale"] == 0.5 and got.body["negative_prompt"] == "blur"
    assert task_id.endswith("@fal-ai/kling-video")


def test_replicate_fields(sandbox):
    provider_get(name="replicate").submit(spec("replicate"))
    got = sandbox.last("replicate", "POST")
    assert got.path == "/v1/models/xai/grok-imagine-video/predictions"
    assert got.body == {
        "input": {
            "prompt": "A red fox at dawn",
            "duration": 6,
            "resolution": "720p",
            "aspect_ratio": "16:9",
            "seed": 7,
            "mode": "fun",
        }
    }


def test_runway_fields_and_routes(sandbox):
    adapter = provider_get(name="runway")
    adapter.submit(spec("runway"))
    got = sandbox.last("runway", "POST")
    assert got.path == "/v1/text_to_video"
    assert got.headers["x-runway-version"] == "2024-11-06"
    assert got.body == {
        "model": "gen4_turbo",
        "promptText": "A red fox at dawn",
        "ratio": "720:1280",
        "duration": 5,
        "seed": 7,
    }
    from apps.providers.base import JobInput

    adapter.submit(spec("runway", inputs={"image": JobInput(role="image", url=IMG)}))
    got = sandbox.last("runway", "POST")
    assert got.path == "/v1/image_to_video" and got.body["promptImage"] == IMG


def test_veo_fields(sandbox):
    task_id = provider_get(name="google").submit(spec("google"))
    got = sandbox.last("google", "POST")
    assert got.path == "/v1beta/models/veo-3.0-fast-generate-001:predictLongRunning"
    assert got.headers["x-goog-api-key"] == "sk-sandbox-google"
    assert got.body == {
        "instances": [{"prompt": "A red fox at dawn"}],
        "parameters": {
            "aspectRatio": "16:9",
            "resolution": "720p",
            "durationSeconds": 8,
            "negativePrompt": "blur",
            "seed": 7,
            "sampleCount": 1,
        },
    }
    assert task_id.startswith("models/veo-3.0-fast-generate-001/operations/")


def test_openai_fields(sandbox):
    provider_get(name="openai").submit(spec("openai"))
    got = sandbox.last("openai", "POST")
    assert got.headers["content-type"].startswith("multipart/form-data")
    assert got.body == {
        "model": "sora-2",
        "prompt": "A red fox at dawn",
        "size": "720x1280",
        "seconds": "10",
    }


def test_runware_fields(sandbox):
    task_id = provider_get(name="runware").submit(spec("runware"))
    got = sandbox.last("runware", "POST")
    [task] = [
        t
        for t in sandbox.received
        if t.provider == "runware" and t.body and t.body[0]["taskType"] == "videoInference"
    ][-1].body
    assert task["taskUUID"] == task_id
    assert {
        k: task[k]
        for k in (
            "model",
            "positivePrompt",
            "duration",
            "width",
            "height",
            "seed",
            "deliveryMethod",
            "outputFormat",
        )
    } == {
        "model": "klingai:5@3",
        "positivePrompt": "A red fox at dawn",
        "duration": 5,
        "width": 1280,
        "height": 720,
        "seed": 7,
        "deliveryMethod": "async",
        "outputFormat": "MP4",
    }
    assert got.headers["authorization"] == "Bearer sk-sandbox-runware"


def test_callback_urls_are_sent_when_enabled(sandbox, settings):
    settings.PROVIDER_WEBHOOK_BASE_URL = "https://studio.example.com"
    provider_get(name="replicate").submit(spec("replicate"))
    body = sandbox.last("replicate", "POST").body
    assert body["webhook"] == "https://studio.example.com/api/v1/providers/replicate/webhook"
    assert body["webhook_events_filter"] == ["completed"]
    provider_get(name="fal").submit(spec("fal"))
    task = [t for t in sandbox.tasks.values() if t.provider == "fal"][-1]
    assert task.extra["webhook"].startswith(
        "https://studio.example.com/api/v1/providers/fal/webhook?job=job_test123&token="
    )


# --- the OpenAI sandbox speaks the real wire format ------------------------------------------


def test_the_official_openai_client_works_against_the_sandbox(sandbox, tmp_path):
    from openai import OpenAI

    client = OpenAI(
        base_url=sandbox.url("openai") + "/v1", api_key="sk-sandbox-openai", max_retries=0
    )
    video = client.videos.create(model="sora-2", prompt="A calm lake", seconds="4", size="1280x720")
    assert video.status == "queued" and video.id.startswith("video_")
    for _ in range(5):
        video = client.videos.retrieve(video.id)
        if video.status == "completed":
            break
    assert video.status == "completed" and video.progress == 100
    content = client.videos.download_content(video.id)
    path = tmp_path / "sora.mp4"
    content.write_to_file(path)
    assert media.probe(path).video_codec == "h264"
    import openai

    with pytest.raises(openai.BadRequestError):
        client.videos.create(model="sora-2", prompt="x", size="999x1")
    with pytest.raises(openai.AuthenticationError):
        OpenAI(
            base_url=sandbox.url("openai") + "/v1", api_key="nope", max_retries=0
        ).videos.retrieve(video.id)

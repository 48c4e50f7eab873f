"""The Python client's issue-17 surface against a live server (tasks eager, in-process):
fallback models during a provider outage (the protocol sandbox's fault injection) and
the hold the estimate shows; continuation with an image-to-video model and the last
frame (client and CLI); HLS output (`hls_url`, `mp4_url`) and its tier refusal; the free
perk without a key, read through its capability URL."""

import io
import json

import httpx
import pytest
from reelsmith import AuthenticationError, Reelsmith, ValidationError, VideoGenerationRequest
from reelsmith.cli import main as cli_main

from apps.accounts.models import Tier
from apps.jobs.models import Job
from tests.clients.python.conftest import fund, probe
from tests.providers.conftest import sandbox, sandbox_server  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

PRIMARY = "wavespeed-ai/hunyuan-video-1.5/text-to-video"  # on wavespeed
FALLBACK = "seedance-lite-t2v"  # on fal
FALLBACK_2 = "seedance-pro-t2v"  # on fal
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def server(live_server, settings, media_storage):
    settings.PUBLIC_BASE_URL = live_server.url
    return live_server.url


@pytest.fixture
def client(alice, server):
    fund(alice.workspace, 10_000)
    with Reelsmith(api_key=alice.key, base_url=server, poll_interval=0.2) as c:
        yield c


def fox() -> VideoGenerationRequest:
    return (
        VideoGenerationRequest("A red fox at dawn")
        .with_model(PRIMARY)
        .with_duration(5)
        .with_resolution("480p")
        .with_aspect_ratio("16:9")
    )


def test_fallback_models_deliver_during_an_outage_and_the_attempts_are_listed(
    client,
    sandbox,  # noqa: F811
):
    request = fox().with_fallback_models(FALLBACK, FALLBACK_2)
    estimate = client.estimate_cost(request)
    prices = {m: client.estimate_cost(fox().with_model(m)).credits for m in (FALLBACK, FALLBACK_2)}
    assert estimate.model == PRIMARY and estimate.fallback_credits == prices
    assert estimate.hold_credits == max(estimate.credits, *prices.values())

    with sandbox.outage("wavespeed"):
        response = client.generate_video(request, timeout=120)
    assert response.status == "completed", response.raw
    assert response.model == FALLBACK
    assert response.fallback_models == [FALLBACK, FALLBACK_2]
    first, second = response.attempts
    assert (first.model, first.provider) == (PRIMARY, "wavespeed") and first.error_code
    assert (second.model, second.provider, second.error_code) == (FALLBACK, "fal", None)
    assert response.credits["held"] == estimate.hold_credits
    assert response.credits["charged"] == prices[FALLBACK]
    assert response.video_bytes == sandbox.video_bytes()


def test_a_bad_fallback_is_refused_before_anything_is_held(client, sandbox):  # noqa: F811
    with pytest.raises(ValidationError) as caught:
        client.generate_video(fox().with_fallback_models("local/edit"))
    assert "fallback_models" in json.dumps(caught.value.details)
    assert not Job.objects.exists()


def test_continue_a_video_with_an_image_to_video_model_then_chain_from_its_last_frame(
    client, clip, tmp_path
):
    request = (
        VideoGenerationRequest("")
        .with_video(clip)
        .with_continuation("local/image-to-video", crossfade=0.25)
        .with_duration(1)
    )
    estimate = client.estimate_cost(request)
    assert estimate.method == "image-to-video"  # priced as the model's run
    first = client.generate_video(request, timeout=120)
    assert (first.method, first.model) == ("extend-video", "local/image-to-video")
    assert first.raw["params"]["continuation"] == {"crossfade": 0.25}
    assert first.credits["charged"] == estimate.credits
    duration, width, height, _ = probe(first.save(tmp_path / "first.mp4"))
    assert duration == pytest.approx(2.75, abs=0.15) and (width, height) == (640, 360)

    frame = client.last_frame(first.task_id)
    assert frame.startswith(PNG_MAGIC)
    saved = client.save_last_frame(first.task_id, tmp_path / "last.png")
    assert saved.read_bytes() == frame

    # Chained: the result continued again, by its asset id, without a crossfade.
    again = client.generate_video(
        VideoGenerationRequest("")
        .with_video(first.asset_id)
        .with_continuation("local/image-to-video")
        .with_duration(1),
        timeout=120,
    )
    assert again.duration == pytest.approx(3.75, abs=0.2)


def test_the_cli_saves_the_last_frame_and_shows_the_attempts(client, server, alice, tmp_path):
    job = client.generate_video(
        VideoGenerationRequest("A lighthouse").with_model("local/text-to-video").with_duration(1)
    )
    out, err = io.StringIO(), io.StringIO()
    argv = ["--api-key", alice.key, "--base-url", server]
    target = tmp_path / "frame.png"
    code = cli_main([*argv, "last-frame", job.task_id, "-o", str(target), "--json"], stdout=out)
    assert code == 0, out.getvalue()
    assert json.loads(out.getvalue())["saved_to"] == str(target)
    assert target.read_bytes().startswith(PNG_MAGIC)
    # A job without a result yet is a conflict: exit 3 (an API error) and nothing written.
    running = Job.objects.get(public_id=job.task_id)
    running.status = "running"
    running.save(update_fields=["status"])
    code = cli_main(
        [*argv, "last-frame", job.task_id, "-o", str(tmp_path / "none.png")],
        stdout=io.StringIO(),
        stderr=err,
    )
    assert code == 3 and not (tmp_path / "none.png").exists()
    assert "running" in err.getvalue()


def test_hls_output_has_a_signed_master_playlist_and_the_mp4(client, alice):
    alice.workspace.tier = Tier.objects.get(name="enterprise")
    alice.workspace.save(update_fields=["tier"])
    response = client.generate_video(
        VideoGenerationRequest("Waves")
        .with_model("local/text-to-video")
        .with_duration(2)
        .with_output_format("hls"),
        timeout=120,
    )
    assert response.format == "hls"
    assert response.hls_url and response.hls_url.endswith("/master.m3u8")
    assert response.video_url == response.hls_url
    assert response.mp4_url and response.mp4_url != response.hls_url
    master = httpx.get(response.hls_url).text
    assert master.startswith("#EXTM3U") and master.count("#EXT-X-STREAM-INF") >= 2
    assert response.video_bytes[4:8] == b"ftyp"  # the MP4 itself


def test_hls_outside_hls_tiers_is_invalid_format_naming_the_tiers(client):
    with pytest.raises(ValidationError) as caught:
        client.generate_video(
            VideoGenerationRequest("Waves")
            .with_model("local/text-to-video")
            .with_output_format("hls")
        )
    assert caught.value.code == "INVALID_FORMAT"
    assert "enterprise" in str(caught.value)


def test_the_free_perk_runs_without_a_key_through_the_capability_url(server, settings, still):
    settings.PROVIDER_SANDBOX = True
    settings.PROVIDER_SANDBOX_POLLS = 2
    settings.PROVIDER_WEBHOOK_BASE_URL = ""
    settings.OUTBOUND_ALLOWED_NETLOCS = []
    settings.ANONYMOUS_FREE_JOBS_PER_DAY = 50
    perk = (
        VideoGenerationRequest("The lighthouse beam sweeps across the waves")
        .with_model("seedance-lite-i2v")
        .with_image(still)
        .with_duration(5)
        .with_resolution("480p")
    )
    with Reelsmith.anonymous(server, poll_interval=0.2) as visitor:
        job = visitor.generate_video(perk, wait=False)
        assert job.capability_url and job.capability_url.startswith("/api/v1/anonymous/tasks/")
        done = visitor.wait_for_video(job, timeout=120)
        assert done.capability_url == job.capability_url  # kept while polling
        again = visitor.poll_video(job.capability_url)
        assert (again.task_id, again.status) == (job.task_id, "completed")
        assert again.credits == {"estimated": 0, "held": 0, "charged": 0}
        assert again.video_bytes and again.video_bytes[4:8] == b"ftyp"
        # /tasks/{id} needs a key: only the capability URL reads a visitor's job.
        with pytest.raises(AuthenticationError):
            visitor.poll_video(job.task_id)
        # Anything but the free perk needs a key.
        with pytest.raises(AuthenticationError):
            visitor.generate_video(perk.with_duration(10))

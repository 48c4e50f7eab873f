"""`sora-2` and `sora-2-pro` map to the catalog's Sora entries, which run on OpenAI's
video API: here the provider sandbox that speaks it (apps/providers/sandbox)."""

import pytest

from apps.jobs.models import Job
from tests.compat.openai.conftest import sdk
from tests.jobs.conftest import fund

pytestmark = pytest.mark.django_db(transaction=True)


def test_sora_2_runs_the_sora_entry_with_the_size_and_seconds_asked_for(
    alice,
    sandbox,
    live_server,
):
    fund(alice.workspace, 10_000)
    client = sdk(live_server.url, alice.key, max_retries=0)
    # Tasks run eagerly inside the request here: the create answers with the ended video.
    video = client.videos.create(model="sora-2", prompt="A red fox", seconds="10", size="720x1280")
    video = client.videos.poll(video.id)
    assert video.status == "completed", video.error
    assert video.model == "sora-2-standard-t2v"
    # Once completed, `seconds` and `size` are the delivered file's (the sandbox's clip).
    asset = Job.objects.get(public_id=video.id).result_asset
    assert video.seconds == str(round(asset.duration))
    assert video.size == f"{asset.width}x{asset.height}"
    sent = sandbox.last("openai", "POST").body
    assert (sent["model"], sent["size"], sent["seconds"]) == ("sora-2", "720x1280", "10")
    job = Job.objects.get(public_id=video.id)
    assert job.credits_charged == job.credits_held > 0
    assert client.videos.download_content(video.id).content == sandbox.video_bytes()


def test_sora_2_pro_runs_the_pro_entry_with_the_prompt_as_its_one_scene(
    alice,
    sandbox,
    live_server,
):
    fund(alice.workspace, 10_000)
    client = sdk(live_server.url, alice.key, max_retries=0)
    video = client.videos.poll(
        client.videos.create(model="sora-2-pro", prompt="A red fox", seconds="15").id
    )
    assert video.status == "completed", video.error
    assert (video.model, video.prompt) == ("sora-2-pro-storyboard", "A red fox")
    sent = sandbox.last("openai", "POST").body
    assert sent["model"] == "sora-2-pro" and "A red fox" in sent["prompt"]
    assert sent["seconds"] == "15"

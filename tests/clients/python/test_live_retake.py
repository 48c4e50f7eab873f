"""A retake (LTX-2 Retake) through the Python clients against a live server (tasks eager,
in-process), WaveSpeed on the protocol sandbox: the top-level `prompt` of
`ProcessRequest` reaches the server as the job's prompt and the provider's, sync (the
source uploaded with the submit, multipart) and async (an asset id, JSON); a local
operation given a prompt is refused by name; the CLI's `process retake --prompt` does the
same. The builder's own checks are in test_builder.py."""

import io
import json

import pytest
from reelsmith import AsyncReelsmith, ProcessRequest, Reelsmith, ValidationError
from reelsmith.cli import main as cli_main

from apps.jobs.models import Job
from tests.clients.python import aio
from tests.clients.python.conftest import fund
from tests.gallery.mediafiles import make_mp4
from tests.providers.conftest import sandbox, sandbox_server  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

RETAKE = "lightricks/ltx-2-retake"
STRETCH = {"start_time": 1.5, "duration": 3, "resolution": "720p", "retake_mode": "replace_video"}


@pytest.fixture
def server(live_server, settings, media_storage):
    settings.PUBLIC_BASE_URL = live_server.url
    return live_server.url


@pytest.fixture
def take(tmp_path):
    """A 6 s source: room for a 3 s stretch from 1.5 s."""
    return make_mp4(tmp_path / "take.mp4", width=640, height=360, seconds=6.0)


@pytest.fixture
def client(alice, server):
    fund(alice.workspace, 10_000)
    with Reelsmith(api_key=alice.key, base_url=server, poll_interval=0.2) as c:
        yield c


def retake_bodies(sandbox, since: int):  # noqa: F811
    """The retake submits the sandbox got after its first `since` requests (it is shared
    by the module's tests)."""
    return [
        r.body
        for r in list(sandbox.received)[since:]
        if r.provider == "wavespeed" and r.method == "POST" and r.path.endswith(RETAKE)
    ]


def test_a_retake_with_an_uploaded_source_carries_its_prompt_to_the_job_and_provider(
    client,
    sandbox,  # noqa: F811
    take,
):
    prompt = "She turns and smiles at the camera"
    request = ProcessRequest("retake", source=take, settings=STRETCH, prompt=prompt)
    since = len(sandbox.received)
    response = client.process(request, timeout=120)
    assert response.status == "completed", response.raw
    assert (response.method, response.model) == ("edit", RETAKE)
    job = Job.objects.get(public_id=response.task_id)
    assert (job.prompt, job.model, job.provider) == (prompt, RETAKE, "wavespeed")
    (sent,) = retake_bodies(sandbox, since)
    assert sent["prompt"] == prompt
    assert (sent["start_time"], sent["duration"], sent["mode"]) == (1.5, 3, "replace_video")
    assert response.video_bytes == sandbox.video_bytes()
    assert job.credits_charged == job.credits_held > 0


def test_the_async_client_retakes_an_asset_with_the_prompt_set_by_the_builder(
    alice,
    server,
    sandbox,  # noqa: F811
    take,
):
    fund(alice.workspace, 10_000)
    base = ProcessRequest("retake", settings=STRETCH).with_prompt("A first try")
    prompt = "The door opens and a cat walks in"

    async def scenario():
        async with AsyncReelsmith(api_key=alice.key, base_url=server, poll_interval=0.2) as rs:
            asset = await rs.upload(take)
            request = base.with_source(asset.id).with_model(RETAKE).with_prompt(prompt)
            return await rs.process(request, timeout=120)

    since = len(sandbox.received)
    response = aio.run(scenario())
    assert response.status == "completed", response.raw
    job = Job.objects.get(public_id=response.task_id)
    assert (job.prompt, job.model, job.method) == (prompt, RETAKE, "edit")
    assert [b["prompt"] for b in retake_bodies(sandbox, since)] == [prompt]
    assert base.prompt == "A first try" and base.source is None  # the base is unchanged


def test_a_prompt_on_a_local_operation_is_sent_and_refused_by_name(client, take):
    request = ProcessRequest("edit", source=take, settings={"trim_start": 1})
    with pytest.raises(ValidationError) as caught:
        client.process(request.with_prompt("Make it cinematic"))
    assert caught.value.details.get("field") == "prompt"
    assert not Job.objects.exists()
    # Without a prompt the same edit is accepted: no `prompt` is sent when none is given.
    assert client.process(request, wait=False).task_id.startswith("job_")


def test_the_cli_retakes_with_its_prompt_option(
    client,
    server,
    alice,
    sandbox,  # noqa: F811
    take,
    tmp_path,
):
    prompt = "The fox looks up"
    target = tmp_path / "retaken.mp4"
    out = io.StringIO()
    argv = ["--api-key", alice.key, "--base-url", server, "process", "retake"]
    argv += ["--source", str(take), "--prompt", prompt, "-o", str(target), "--json"]
    for name, value in STRETCH.items():
        argv += ["--set", f"{name}={value}"]
    assert cli_main(argv, stdout=out, stderr=io.StringIO()) == 0, out.getvalue()
    job = Job.objects.get(public_id=json.loads(out.getvalue())["id"])
    assert (job.prompt, job.model, job.status) == (prompt, RETAKE, "completed")
    assert target.read_bytes() == sandbox.video_bytes()

"""The spec's complete "Generate and Save Video" example, unchanged (it names
`runway-gen-4`), against the protocol-faithful Runway sandbox; and a job's signed webhook,
delivered by the real worker, verified with reelsmith.webhooks."""

import json
import subprocess
import sys
import textwrap
import time

import pytest
import requests
from reelsmith import VideoGenerationRequest, webhooks

from apps.jobs.models import Job
from apps.providers.sandbox.core import Sandbox
from tests.clients.python.conftest import cli_env, fund, probe
from tests.webhooks.conftest import receiving

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

# Verbatim from the spec's "Complete Working Examples / Python: Generate and Save Video",
# but for the two names (and `requests`, which the example imports for its URL branch).
GENERATE_AND_SAVE = textwrap.dedent(
    """\
    from reelsmith import Reelsmith, VideoGenerationRequest

    def generate_and_save_video(prompt: str, output_file: str):
        client = Reelsmith.from_env()

        request = VideoGenerationRequest(prompt).with_model("runway-gen-4")
        response = client.generate_video(request)

        if response.video_bytes:
            with open(output_file, "wb") as f:
                f.write(response.video_bytes)
            print(f"✓ Video saved to {output_file}")
        elif response.video_url:
            import requests
            r = requests.get(response.video_url)
            with open(output_file, "wb") as f:
                f.write(r.content)
            print(f"✓ Video downloaded to {output_file}")
        else:
            print("✗ No video data available")

    # Usage
    generate_and_save_video("A cat playing with yarn", "cat_video.mp4")
    """
)


@pytest.fixture
def runway_sandbox(settings, monkeypatch):
    """Every provider pointed at the sandbox, in this process (the live server) and in
    the worker's environment (started after this fixture)."""
    with Sandbox(polls_needed=2, hang_s=1.0) as sandbox:
        values = {**sandbox.settings(), "OUTBOUND_ALLOWED_NETLOCS": sandbox.netloc}
        for name, value in values.items():
            monkeypatch.setenv(name, value)
        for name, value in sandbox.settings().items():
            setattr(settings, name, value)
        settings.OUTBOUND_ALLOWED_NETLOCS = [sandbox.netloc]
        monkeypatch.setenv("JOBS_POLL_INTERVAL_S", "0.5")
        settings.PROVIDER_WEBHOOK_BASE_URL = ""
        monkeypatch.setenv("PROVIDER_WEBHOOK_BASE_URL", "")
        yield sandbox


def test_the_specs_generate_and_save_example_runs_unchanged_on_runway_gen_4(
    alice, runway_sandbox, live_stack, tmp_path
):
    fund(alice.workspace, 10_000)
    done = subprocess.run(
        [sys.executable, "-c", GENERATE_AND_SAVE],
        env=cli_env(alice.key, live_stack.url),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "✓ Video saved to cat_video.mp4"
    job = Job.objects.get()
    assert (job.model, job.provider, job.status) == ("runway-gen-4", "runway", "completed")
    assert job.credits_charged == job.credits_held > 0
    saved = (tmp_path / "cat_video.mp4").read_bytes()
    assert saved == runway_sandbox.video_bytes()
    assert probe(tmp_path / "cat_video.mp4")[0] > 0


@pytest.fixture
def worker_receiver(settings, monkeypatch):
    # Started before the worker, so the worker's environment allows the receiver's port.
    with receiving(settings) as receiver:
        monkeypatch.setenv("OUTBOUND_ALLOWED_NETLOCS", ",".join(settings.OUTBOUND_ALLOWED_NETLOCS))
        yield receiver


def test_a_jobs_webhook_verifies_with_the_job_secret(alice, worker_receiver, live_stack, client):
    request = VideoGenerationRequest("A heron").with_model("local/text-to-video").with_duration(1)
    request = request.with_resolution("480p").with_webhook_url(worker_receiver.url)
    response = client.generate_video(request, timeout=120)
    assert response.status == "completed"
    deadline = time.monotonic() + 60
    while not worker_receiver.requests:
        assert time.monotonic() < deadline, "no delivery"
        time.sleep(0.2)
    secret = requests.get(
        f"{live_stack.url}/api/v1/webhooks/job-secret",
        headers={"Authorization": f"Bearer {alice.key}"},
        timeout=30,
    ).json()["secret"]
    delivered = worker_receiver.requests[0]
    event = webhooks.verify(delivered["body"], delivered["headers"], secret)
    assert event["type"] == "task.completed"
    assert event["data"]["id"] == response.task_id
    tampered = delivered["body"].replace(b"completed", b"failed")
    with pytest.raises(webhooks.WebhookVerificationError):
        webhooks.verify(tampered, delivered["headers"], secret)
    assert json.loads(delivered["body"])["data"]["status"] == "completed"

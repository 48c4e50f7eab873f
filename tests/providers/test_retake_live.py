"""A retake as a client makes it: HTTP to a live server, a real Celery worker, the
WaveSpeed sandbox as the provider; upload the take, POST /process `retake`, poll, download."""

import time

import pytest
import requests

from apps.billing.models import CreditAccount, CreditHold
from apps.billing.services import credits_grant
from apps.jobs.models import Job
from apps.providers.sandbox.core import Sandbox
from tests.gallery.mediafiles import make_mp4

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


@pytest.fixture
def wavespeed_sandbox(settings, monkeypatch):
    """Every provider on the sandbox, in this process (the live server) and in the
    worker's environment (started after this fixture)."""
    with Sandbox(polls_needed=2, hang_s=1.0) as sandbox:
        values = {**sandbox.settings(), "OUTBOUND_ALLOWED_NETLOCS": sandbox.netloc}
        for name, value in values.items():
            monkeypatch.setenv(name, value)
        for name, value in sandbox.settings().items():
            setattr(settings, name, value)
        settings.OUTBOUND_ALLOWED_NETLOCS = [sandbox.netloc]
        settings.PROVIDER_WEBHOOK_BASE_URL = ""
        monkeypatch.setenv("PROVIDER_WEBHOOK_BASE_URL", "")
        monkeypatch.setenv("JOBS_POLL_INTERVAL_S", "0.5")
        yield sandbox


def test_a_retake_over_http_is_delivered_and_charged_once(
    alice, wavespeed_sandbox, live_stack, tmp_path
):
    credits_grant(workspace=alice.workspace, credits=10_000, idempotency_key="fund")
    auth = {"Authorization": f"Bearer {alice.key}"}
    clip = make_mp4(tmp_path / "take.mp4", seconds=6.0)
    with clip.open("rb") as fh:
        uploaded = requests.post(
            f"{live_stack.url}/api/v1/uploads", headers=auth, files={"file": fh}, timeout=60
        )
    assert uploaded.status_code == 201, uploaded.text
    submitted = requests.post(
        f"{live_stack.url}/api/v1/process",
        headers=auth,
        json={
            "operation": "retake",
            "prompt": "The door opens and a cat walks in",
            "source_asset": uploaded.json()["id"],
            "settings": {"start_time": 2, "duration": 3, "resolution": "720p"},
        },
        timeout=60,
    )
    assert submitted.status_code == 202, submitted.text
    task = submitted.json()
    assert (task["method"], task["model"]) == ("edit", "lightricks/ltx-2-retake")
    deadline = time.monotonic() + 120
    while task["status"] not in ("completed", "failed", "cancelled", "rejected"):
        assert time.monotonic() < deadline, task
        time.sleep(0.5)
        task = requests.get(
            f"{live_stack.url}/api/v1/tasks/{task['id']}", headers=auth, timeout=30
        ).json()
    assert task["status"] == "completed", task["error"]
    video = requests.get(task["result"]["mp4_url"], timeout=60)
    assert video.status_code == 200 and video.content == wavespeed_sandbox.video_bytes()
    sent = [
        r.body
        for r in wavespeed_sandbox.received
        if r.method == "POST" and r.path.endswith("lightricks/ltx-2-retake")
    ]
    assert len(sent) == 1
    assert (sent[0]["start_time"], sent[0]["duration"]) == (2, 3)
    job = Job.objects.get(public_id=task["id"])
    assert job.credits_charged == job.credits_estimated == task["credits"]["charged"] > 0
    assert job.hold.state == CreditHold.State.CAPTURED
    account = CreditAccount.objects.get(workspace=alice.workspace)
    assert (account.balance, account.held) == (10_000 - job.credits_charged, 0)

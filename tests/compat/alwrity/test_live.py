"""The spec's REST integration (spec 000, "Integration Options"), with `requests` in place
of `fetch`, against /compat/alwrity on a live server with a real worker: generate →
status → result, downloaded and probed with PyAV; and a registered webhook receiving the
spec's payload, signed."""

import base64
import hashlib
import hmac
import json
import time

import av
import pytest
import requests
from standardwebhooks import Webhook

from apps.billing.models import CreditAccount
from apps.billing.services import credits_grant
from apps.jobs.models import Job
from tests.compat.alwrity.conftest import BASE, TEXT_FORM
from tests.webhooks.conftest import receiving

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

SPEC_SECRET = "your-webhook-secret"  # the spec's own example


def form(fields: dict) -> dict:
    """`formData` as requests sends it: multipart even without a file."""
    return {name: (None, str(value)) for name, value in fields.items()}


def wait_done(base: str, task_id: str, auth: dict, timeout_s: float = 120) -> dict:
    deadline = time.monotonic() + timeout_s
    while True:
        # The spec's `fetch(`/api/video-studio/tasks/${taskId}/status`)`.
        status = requests.get(f"{base}{BASE}/tasks/{task_id}/status", headers=auth, timeout=30)
        assert status.status_code == 200, status.text
        task = status.json()
        if task["status"] in ("completed", "failed", "cancelled", "rejected"):
            return task
        assert time.monotonic() < deadline, task
        time.sleep(0.5)


def download(base: str, task_id: str, auth: dict, tmp_path) -> av.container.InputContainer:
    # The spec's "Download result": fetch(`/api/video-studio/tasks/${taskId}/result`).
    result = requests.get(f"{base}{BASE}/tasks/{task_id}/result", headers=auth, timeout=30)
    assert result.status_code == 200, result.text
    assert result.history and result.history[0].status_code == 302
    assert result.content[4:8] == b"ftyp"
    path = tmp_path / f"{task_id}.mp4"
    path.write_bytes(result.content)
    return av.open(str(path))


def test_the_spec_rest_example_generates_and_downloads_a_playable_mp4(
    alice, live_stack, tmp_path, priced
):
    credits_grant(workspace=alice.workspace, credits=20, idempotency_key="alw-live")
    token = alice.key
    auth = {"Authorization": f"Bearer {token}"}
    response = requests.post(
        f"{live_stack.url}{BASE}/generate", headers=auth, files=form(TEXT_FORM), timeout=30
    )
    assert response.status_code == 202, response.text
    task_id = response.json()["task_id"]
    account = CreditAccount.objects.get(workspace=alice.workspace)
    assert (account.balance, account.held) == (20, priced)

    task = wait_done(live_stack.url, task_id, auth)
    assert task["status"] == "completed", task
    assert task["progress"] == 100 and task["result"]["video_url"].startswith("http")
    with download(live_stack.url, task_id, auth, tmp_path) as container:
        assert container.streams.video[0].height == 480
        assert float(container.duration / av.time_base) == pytest.approx(1.0, abs=0.2)
    account.refresh_from_db()
    assert (account.balance, account.held) == (20 - priced, 0)  # captured on delivery


def test_an_uploaded_image_animates_and_an_uploaded_video_is_processed(
    alice, live_stack, tmp_path, png
):
    auth = {"Authorization": f"Bearer {alice.key}"}
    with png.open("rb") as fh:
        files = {
            **form({"method": "image-to-video", "duration": 2, "resolution": "480p"}),
            "source_file": ("still.png", fh, "image/png"),
        }
        made = requests.post(f"{live_stack.url}{BASE}/generate", headers=auth, files=files)
    assert made.status_code == 202, made.text
    i2v = made.json()["task_id"]
    assert wait_done(live_stack.url, i2v, auth)["status"] == "completed"
    with download(live_stack.url, i2v, auth, tmp_path) as container:
        assert float(container.duration / av.time_base) == pytest.approx(2.0, abs=0.2)

    with (tmp_path / f"{i2v}.mp4").open("rb") as fh:
        files = {
            **form({"operation": "edit", "settings": json.dumps({"trim_end": 1})}),
            "source_file": ("clip.mp4", fh, "video/mp4"),
        }
        edited = requests.post(f"{live_stack.url}{BASE}/process", headers=auth, files=files)
    assert edited.status_code == 202, edited.text
    edit_id = edited.json()["task_id"]
    assert wait_done(live_stack.url, edit_id, auth)["status"] == "completed"
    with download(live_stack.url, edit_id, auth, tmp_path) as container:
        assert float(container.duration / av.time_base) == pytest.approx(1.0, abs=0.2)


@pytest.fixture
def hooked_stack(live_server, settings, monkeypatch, request):
    """A receiver, then the live stack, its worker allowed to reach the receiver and
    signing result links for the live server."""
    with receiving(settings) as receiver:
        allowed = ",".join(settings.OUTBOUND_ALLOWED_NETLOCS)
        monkeypatch.setenv("OUTBOUND_ALLOWED_NETLOCS", allowed)
        monkeypatch.setenv("PUBLIC_BASE_URL", live_server.url)
        yield request.getfixturevalue("live_stack"), receiver


def test_a_registered_webhook_receives_the_spec_payload_signed_with_its_secret(
    alice, hooked_stack, tmp_path
):
    stack, receiver = hooked_stack
    auth = {"Authorization": f"Bearer {alice.key}"}
    # The spec's "Register webhook", with our receiver's URL.
    registered = requests.post(
        f"{stack.url}{BASE}/webhooks",
        headers=auth,
        json={
            "url": receiver.url,
            "events": ["task.completed", "task.failed"],
            "secret": SPEC_SECRET,
        },
        timeout=30,
    )
    assert registered.status_code == 201, registered.text
    assert "secret" not in registered.json()  # the caller's own: not echoed

    made = requests.post(
        f"{stack.url}{BASE}/generate", headers=auth, files=form(TEXT_FORM), timeout=30
    )
    task_id = made.json()["task_id"]
    assert wait_done(stack.url, task_id, auth)["status"] == "completed"
    deadline = time.monotonic() + 60
    while not receiver.requests:
        assert time.monotonic() < deadline, "no webhook arrived"
        time.sleep(0.2)

    request = receiver.requests[0]
    payload = json.loads(request["body"])
    assert set(payload) == {"event", "task_id", "user_id", "result_url", "metadata"}
    assert (payload["event"], payload["task_id"]) == ("task.completed", task_id)
    assert payload["user_id"] == alice.user.public_id
    assert payload["metadata"]["status"] == "completed"
    assert payload["metadata"]["model"] == "local/text-to-video"
    video = requests.get(payload["result_url"], timeout=30)
    assert video.status_code == 200 and video.content[4:8] == b"ftyp"

    # Verifiable with the secret the caller chose: Standard Webhooks, keyed by its bytes.
    key = "whsec_" + base64.b64encode(SPEC_SECRET.encode()).decode()
    assert Webhook(key).verify(request["body"], request["headers"]) == payload
    headers = request["headers"]
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + request["body"]
    digest = hmac.new(SPEC_SECRET.encode(), signed, hashlib.sha256).digest()
    assert "v1," + base64.b64encode(digest).decode() in headers["webhook-signature"].split()
    assert Job.objects.get(public_id=task_id).status == "completed"

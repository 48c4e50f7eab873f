"""The spec's own client code (spec 002, `requests`), run against /compat/veo3 on a live
server with a real worker: only the base URL changed and a key header added. The videos
it yields are downloaded and probed with PyAV."""

import threading
import time
from urllib.parse import urlsplit

import av
import pytest
import requests

from apps.billing.models import CreditAccount
from apps.billing.services import credits_grant
from apps.jobs.models import Job
from tests.httpserver import serve

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

# "Example (Python)" of "1. Generate Video (Async)", verbatim but for `headers=AUTH`.
QUICK_START = """
import requests
import base64
import time

# Read and encode image
with open("input.jpg", "rb") as f:
    image_b64 = base64.b64encode(f.read()).decode()

# Submit video generation
response = requests.post(
    "http://localhost:8000/api/v1/videos/generate",
    headers=AUTH,
    json={
        "image": image_b64,
        "prompt": "Camera slowly pans across the landscape",
        "duration": 5,
        "fps": 30,
        "motion_strength": 0.6
    }
)

task_info = response.json()
task_id = task_info["task_id"]
print(f"Task submitted: {task_id}")

# Poll for completion
while True:
    status_response = requests.get(
        f"http://localhost:8000/api/v1/tasks/{task_id}",
        headers=AUTH,
    )
    status = status_response.json()

    print(f"Status: {status['status']}, Progress: {status['progress']}%")

    if status['status'] == 'completed':
        video_url = status['result']['result']['video_url']
        print(f"Video ready: {video_url}")
        break
    elif status['status'] == 'failed':
        print(f"Failed: {status['error']}")
        break

    time.sleep(5)  # Poll every 5 seconds
"""

# "Best Practices" 1 (second half), 4 and 5: an image URL, backoff polling, error handling.
BEST_PRACTICES = '''
import time

def poll_video_status(task_id, max_wait=300):
    """Poll video status with exponential backoff"""
    poll_interval = 5  # Start with 5 seconds
    max_interval = 30  # Max 30 seconds between polls
    elapsed = 0

    while elapsed < max_wait:
        response = requests.get(
            f"http://localhost:8000/api/v1/tasks/{task_id}",
            headers=AUTH,
        )
        status = response.json()

        if status['status'] in ['completed', 'failed', 'cancelled']:
            return status

        print(f"Progress: {status['progress']}%")
        time.sleep(poll_interval)
        elapsed += poll_interval

        # Exponential backoff
        poll_interval = min(poll_interval * 1.5, max_interval)

    raise TimeoutError(f"Video generation timeout after {max_wait}s")

try:
    response = requests.post(
        "http://localhost:8000/api/v1/videos/generate",
        headers=AUTH,
        json={"image": image_url, "duration": 5}
    )
    response.raise_for_status()

    task_id = response.json()["task_id"]

    # Poll for status
    result = poll_video_status(task_id)

    if result['status'] == 'completed':
        video_url = result['result']['result']['video_url']
        print(f"Success: {video_url}")
    elif result['status'] == 'failed':
        error = result.get('error', {})
        if 'content_policy' in error.get('message', '').lower():
            print("Content policy violation - adjust prompt")
        elif error.get('retryable'):
            print("Temporary error - retry")
        else:
            print(f"Permanent error: {error.get('message')}")

except requests.exceptions.HTTPError as e:
    print(f"HTTP Error: {e}")
except TimeoutError as e:
    print(f"Timeout: {e}")
'''


def run_example(code: str, base: str, key: str, timeout_s: float = 300, **names) -> dict:
    """Runs spec example code with the base URL swapped; fails the test if it hangs."""
    printed: list[str] = []
    namespace = {
        "AUTH": {"Authorization": f"Bearer {key}"},
        "print": lambda *a: printed.append(" ".join(map(str, a))),
        "requests": requests,
        **names,
    }
    source = code.replace("http://localhost:8000", f"{base}/compat/veo3")
    errors: list[BaseException] = []

    def target() -> None:
        try:
            exec(compile(source, "spec-002-example", "exec"), namespace)
        except BaseException as exc:  # reported in the test's thread
            errors.append(exc)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(timeout_s)
    assert not thread.is_alive(), f"the example did not finish: {printed[-3:]}"
    if errors:
        raise errors[0]
    namespace["printed"] = printed
    return namespace


def probe(url: str, tmp_path) -> av.container.InputContainer:
    response = requests.get(url, timeout=30)
    assert response.status_code == 200
    assert response.content[4:8] == b"ftyp"  # an MP4
    path = tmp_path / f"{time.monotonic_ns()}.mp4"
    path.write_bytes(response.content)
    return av.open(str(path))


def test_the_spec_quick_start_yields_a_playable_mp4_and_charges_once(
    alice, live_stack, jpeg, tmp_path, monkeypatch, priced
):
    credits_grant(workspace=alice.workspace, credits=20, idempotency_key="veo3-live")
    monkeypatch.chdir(jpeg.parent)
    ns = run_example(QUICK_START, live_stack.url, alice.key)
    assert ns["printed"][0] == f"Task submitted: {ns['task_id']}"
    assert ns["printed"][-1].startswith("Video ready: http"), ns["printed"]
    with probe(ns["video_url"], tmp_path) as container:
        stream = container.streams.video[0]
        assert (stream.width, stream.height) == (1920, 1080)  # the spec's default resolution
        assert round(float(stream.average_rate)) == 30
        assert float(container.duration / av.time_base) == pytest.approx(5.0, abs=0.2)
    account = CreditAccount.objects.get(workspace=alice.workspace)
    assert (account.balance, account.held) == (20 - priced, 0)  # held, then captured once
    assert Job.objects.get(public_id=ns["task_id"]).credits_charged == priced

    # The deprecated status form agrees.
    auth = {"Authorization": f"Bearer {alice.key}"}
    old = requests.get(
        f"{live_stack.url}/compat/veo3/api/v1/videos/{ns['task_id']}", headers=auth, timeout=30
    ).json()
    assert (old["status"], old["progress"], old["error"]) == ("completed", 100, None)
    assert old["video_url"].startswith("http")


def test_the_best_practices_example_animates_an_image_url(
    alice, live_stack, jpeg, tmp_path, settings
):
    def image(handler) -> None:
        data = jpeg.read_bytes()
        handler.send_response(200)
        handler.send_header("content-type", "image/jpeg")
        handler.send_header("content-length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    with serve({"GET /image.jpg": image}) as base:
        settings.OUTBOUND_ALLOWED_NETLOCS = [urlsplit(base).netloc]
        ns = run_example(BEST_PRACTICES, live_stack.url, alice.key, image_url=f"{base}/image.jpg")
    assert ns["printed"][-1].startswith("Success: http"), ns["printed"]
    with probe(ns["video_url"], tmp_path) as container:
        assert float(container.duration / av.time_base) == pytest.approx(5.0, abs=0.2)

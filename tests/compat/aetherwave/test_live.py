"""AetherWave over real HTTP: the spec's own Python examples, run with only the base URL
and the key changed, against a live server and a real Celery worker; the spec's models
run on the fal / WaveSpeed sandbox. Results download and probe as MP4s with PyAV; credits
are held on submit and captured on delivery only."""

import contextlib
import io
import time
from http.server import BaseHTTPRequestHandler

import av
import pytest
import requests

from apps.billing.models import CreditAccount, CreditHold
from apps.compat.aetherwave import views
from apps.gallery.models import Asset
from apps.jobs.models import Job, JobStatus
from tests.compat.aetherwave.conftest import BASE, b64, fund, spec_examples
from tests.httpserver import serve

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

SPEC_API = 'API = "https://aetherwavestudio.com"'


def run_example(code: str, *, api: str, key: str, replace: dict | None = None) -> tuple[dict, str]:
    """Runs a spec example with its base URL and key swapped (and nothing else unless
    `replace` says so); returns its globals and what it printed."""
    assert code.count(SPEC_API) == 1 and code.count('"YOUR_KEY"') == 1
    code = code.replace(SPEC_API, f'API = "{api}"').replace('"YOUR_KEY"', f'"{key}"')
    for old, new in (replace or {}).items():
        assert old in code
        code = code.replace(old, new)
    out = io.StringIO()
    scope: dict = {"__name__": "spec_example"}
    with contextlib.redirect_stdout(out):
        exec(compile(code, "spec_003_example", "exec"), scope)
    return scope, out.getvalue()


def probe(url: str, tmp_path) -> av.container.InputContainer:
    video = requests.get(url, timeout=30)
    assert video.status_code == 200, video.text[:200]
    path = tmp_path / f"v{time.monotonic_ns()}.mp4"
    path.write_bytes(video.content)
    with av.open(str(path)) as container:
        assert container.format.name.startswith("mov,mp4")
        stream = container.streams.video[0]
        assert stream.width > 0 and stream.height > 0
        assert next(container.decode(video=0)) is not None
        return container


def poll(url: str, headers: dict, *, key: str = "state", seconds: float = 90) -> dict:
    deadline = time.monotonic() + seconds
    seen = []
    while True:
        body = requests.get(url, headers=headers, timeout=30).json()
        seen.append(body.get(key))
        if body.get(key) in ("completed", "failed", "error"):
            body["_seen"] = seen
            return body
        assert time.monotonic() < deadline, body
        time.sleep(0.3)


def settled(workspace) -> CreditAccount:
    return CreditAccount.objects.get(workspace=workspace)


def test_the_spec_quick_start_runs_with_only_the_base_url_and_key_changed(
    alice, aw_stack, tmp_path
):
    fund(alice.workspace, 100)
    quick_start = spec_examples()[0]
    scope, printed = run_example(quick_start, api=aw_stack.url + BASE, key=alice.key)
    assert printed.startswith("Video: http"), printed
    video_url = printed.split("Video: ", 1)[1].strip()
    probe(video_url, tmp_path)
    # Seedance Lite at 3 credits/s x 5 s, charged once, on delivery.
    job = Job.objects.get(workspace=alice.workspace)
    assert (job.model, job.status, job.credits_charged) == (
        "seedance-lite-t2v",
        JobStatus.COMPLETED,
        15,
    )
    assert job.hold.state == CreditHold.State.CAPTURED
    assert (settled(alice.workspace).balance, settled(alice.workspace).held) == (85, 0)
    # The job ended within the wait: the spec's synchronous answer.
    assert scope["resp"] == {
        "status": "complete",
        "videoUrl": video_url,
        "creditsUsed": 15,
        "taskId": job.public_id,
        "model": "seedance-lite-t2v",
    }


def test_the_spec_full_pipeline_runs_generate_save_and_a_free_i2v(
    alice, aw_stack, settings, png, tmp_path
):
    fund(alice.workspace, 100)

    def image(handler: BaseHTTPRequestHandler) -> None:
        data = png.read_bytes()
        handler.send_response(200)
        handler.send_header("Content-Type", "image/png")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    with serve({"GET /portrait.png": image}) as origin:
        # The portrait is fetched by the web process, through the SSRF guard.
        settings.OUTBOUND_ALLOWED_NETLOCS = [
            *settings.OUTBOUND_ALLOWED_NETLOCS,
            origin.split("//")[1],
        ]
        scope, printed = run_example(
            spec_examples()[1],
            api=aw_stack.url + BASE,
            key=alice.key,
            replace={"https://example.com/portrait.jpg": f"{origin}/portrait.png"},
        )
    t2v_url = scope["video_url"]
    assert f"T2V: {t2v_url}" in printed
    probe(t2v_url, tmp_path)
    # Step 3 saved the result it was given: that link names the job's own asset.
    t2v = Job.objects.get(workspace=alice.workspace, model="seedance-lite-t2v")
    saved = Asset.objects.get(public_id=t2v.result_asset.public_id)
    assert saved.saved and saved.kind == "video"
    # Step 4: Seedance Lite I2V at 5 s / 480p is free.
    i2v = Job.objects.get(workspace=alice.workspace, model="seedance-lite-i2v")
    assert scope["resp2"].get("videoUrl") or scope["resp2"].get("taskId") == i2v.public_id
    assert i2v.credits_estimated == 0 and i2v.inputs.get("image")
    assert settled(alice.workspace).balance == 100 - 15


def test_an_async_answer_is_polled_to_completion_and_charged_on_delivery(
    alice, aw_stack, monkeypatch, tmp_path
):
    monkeypatch.setattr(views, "SYNC_WAIT_S", 0)
    fund(alice.workspace, 100)
    headers = {"X-AW-Key": alice.key, "Content-Type": "application/json"}
    body = {"prompt": "A red fox at dawn", "model": "seedance-lite-t2v", "duration": 4}
    answer = requests.post(
        f"{aw_stack.url}{BASE}/api/generate-video", headers=headers, json=body, timeout=30
    )
    assert answer.status_code == 202, answer.text
    created = answer.json()
    assert set(created) >= {"taskId", "timeoutSeconds", "creditsUsed"}
    assert created["creditsUsed"] == 12 and created["timeoutSeconds"] > 0
    assert "videoUrl" not in created
    assert settled(alice.workspace).held == 12  # held, not yet charged

    status = poll(f"{aw_stack.url}{BASE}/api/generate-video/status/{created['taskId']}", headers)
    assert set(status["_seen"]) <= {"pending", "processing", "completed"}
    assert status["state"] == "completed", status
    assert (status["model"], status["creditCost"], status["creditsDeducted"]) == (
        "seedance-lite-t2v",
        12,
        True,
    )
    probe(status["videoUrl"], tmp_path)
    account = settled(alice.workspace)
    assert (account.balance, account.held) == (88, 0)


def test_an_image_turns_a_t2v_model_into_its_i2v_sibling_as_the_spec_says(
    alice, aw_stack, png, tmp_path
):
    fund(alice.workspace, 100)
    headers = {"X-AW-Key": alice.key}
    body = {
        "prompt": "Slow camera push-in",
        "model": "seedance-lite-t2v",
        "imageData": "data:image/png;base64," + b64(png),
        "duration": "5",
        "resolution": "720p",
    }
    answer = requests.post(
        f"{aw_stack.url}{BASE}/api/generate-video", headers=headers, json=body, timeout=60
    ).json()
    assert (answer["model"], answer["switchedFrom"]) == ("seedance-lite-i2v", "seedance-lite-t2v")
    status = poll(f"{aw_stack.url}{BASE}/api/generate-video/status/{answer['taskId']}", headers)
    assert status["state"] == "completed", status
    assert (status["model"], status["switchedFrom"]) == ("seedance-lite-i2v", "seedance-lite-t2v")
    probe(status["videoUrl"], tmp_path)
    job = Job.objects.get(public_id=answer["taskId"])
    assert job.credits_charged == 15 and set(job.inputs) == {"image"}


def test_a_failed_generation_is_state_failed_and_charges_nothing(alice, aw_stack):
    fund(alice.workspace, 100)
    headers = {"X-AW-Key": alice.key}
    body = {"prompt": "A red fox [sandbox:fail]", "model": "seedance-lite-t2v", "duration": 5}
    answer = requests.post(
        f"{aw_stack.url}{BASE}/api/generate-video", headers=headers, json=body, timeout=30
    ).json()
    status = poll(f"{aw_stack.url}{BASE}/api/generate-video/status/{answer['taskId']}", headers)
    assert status["state"] == "failed", status
    assert (status["videoUrl"], status["creditsDeducted"]) == (None, False)
    assert status["error"]["code"]
    account = settled(alice.workspace)
    assert (account.balance, account.held) == (100, 0)
    assert Job.objects.get(public_id=answer["taskId"]).hold.state == CreditHold.State.RELEASED


def test_remove_background_uploads_a_video_and_progress_reaches_the_result(
    alice, aw_stack, mp4, tmp_path, sandbox_server
):
    fund(alice.workspace, 100)
    headers = {"X-AW-Key": alice.key}
    with mp4.open("rb") as fh:
        answer = requests.post(
            f"{aw_stack.url}{BASE}/api/video/remove-background",
            headers=headers,
            files={"video": ("clip.mp4", fh, "video/mp4")},
            timeout=60,
        )
    assert answer.status_code == 202, answer.text
    created = answer.json()
    assert created["creditsUsed"] == 20  # the spec's price
    assert created["state"] in ("pending", "processing")
    progress = poll(f"{aw_stack.url}{BASE}/api/video/progress/{created['jobId']}", headers)
    assert progress["state"] == "completed", progress
    assert progress["jobId"] == created["jobId"] and progress["progress"] == 100
    assert progress["model"] == "wavespeed-ai/video-background-remover"
    probe(progress["videoUrl"], tmp_path)
    assert sandbox_server.last("wavespeed", "POST").path.endswith("video-background-remover")
    account = settled(alice.workspace)
    assert (account.balance, account.held) == (80, 0)

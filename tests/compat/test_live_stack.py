"""The live stack the compat fronts and the clients are tested on: a request over real
HTTP is run by a real worker and its result downloads as a video."""

import time

import av
import pytest
import requests

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def test_a_job_submitted_over_http_is_run_by_the_worker_and_downloads(alice, live_stack, tmp_path):
    auth = {"Authorization": f"Bearer {alice.key}"}
    body = {
        "method": "text-to-video",
        "model": "local/text-to-video",
        "prompt": "A lighthouse at dusk",
        "duration": 1,
        "resolution": "480p",
    }
    created = requests.post(
        f"{live_stack.url}/api/v1/generate", json=body, headers=auth, timeout=30
    )
    assert created.status_code == 202, created.text
    deadline = time.monotonic() + 90
    while True:
        task = requests.get(
            live_stack.url + created.headers["Location"], headers=auth, timeout=30
        ).json()
        if task["status"] in ("completed", "failed", "cancelled"):
            break
        assert time.monotonic() < deadline, task
        time.sleep(1)
    assert task["status"] == "completed", task
    video = requests.get(task["result"]["video_url"], timeout=30)
    assert video.status_code == 200
    path = tmp_path / "out.mp4"
    path.write_bytes(video.content)
    with av.open(str(path)) as container:
        assert container.streams.video[0].width > 0
        assert float(container.duration / av.time_base) == pytest.approx(1.0, abs=0.2)

"""local/remove-background through the whole stack: an HTTP upload to a live server, a
real Celery worker running the segmentation network, progress polled, the result
downloaded through its signed link and its alpha decoded. (Here rather than in tests/jobs,
whose per-test storage the worker process cannot see.)"""

import sys
import time

import av
import pytest
import requests

from apps import media
from apps.jobs.models import Job
from tests.media.test_matte import PORTRAIT, alpha_planes, person_clip, regions

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres,
    pytest.mark.skipif(sys.version_info >= (3, 13), reason="no mediapipe wheel"),
]


@pytest.fixture
def person_mp4(tmp_path):
    return person_clip(tmp_path / "person.mp4", camera_motion="zoom", strength=0.1)


def poll(url: str, auth: dict, until, *, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        answer = requests.get(url, headers=auth, timeout=30)
        task = answer.json()
        if answer.status_code == 200 and until(task):
            return task
        assert answer.status_code in (200, 429), task
        assert time.monotonic() < deadline, task
        time.sleep(1)  # the Free tier allows 60 requests a minute


def test_over_http_a_real_worker_reports_progress_and_delivers_alpha(
    alice, live_stack, person_mp4, tmp_path
):
    auth = {"Authorization": f"Bearer {alice.key}"}
    with person_mp4.open("rb") as fh:
        created = requests.post(
            f"{live_stack.url}/api/v1/process",
            data={"operation": "remove-background"},
            files={"source_file": ("person.mp4", fh, "video/mp4")},
            headers=auth,
            timeout=30,
        )
    assert created.status_code == 202, created.text
    task = poll(
        live_stack.url + created.headers["Location"],
        auth,
        lambda t: t["status"] in ("completed", "failed", "cancelled"),
    )
    assert task["status"] == "completed", task["error"]
    assert task["progress"] == 100
    video = requests.get(task["result"]["video_url"], timeout=30)
    assert video.status_code == 200
    path = tmp_path / "out.webm"
    path.write_bytes(video.content)
    with av.open(str(path)) as container:
        assert container.streams.video[0].codec_context.name == "vp9"
    planes = alpha_planes(path)
    left, right, face = regions(planes[-1])
    assert left.mean() < 8 and right.mean() < 8 and face.mean() > 247


def test_a_running_removal_stops_when_cancelled(alice, live_stack, tmp_path):
    """A 20 s clip takes the worker well over the time it needs to see the cancel."""
    long_clip = media.image_to_video(
        src=PORTRAIT, dst=tmp_path / "long.mp4", duration=20, fps=24, resolution="480p"
    )
    auth = {"Authorization": f"Bearer {alice.key}"}
    with long_clip.path.open("rb") as fh:
        created = requests.post(
            f"{live_stack.url}/api/v1/process",
            data={"operation": "remove-background", "settings": '{"background_color": "#000000"}'},
            files={"source_file": ("long.mp4", fh, "video/mp4")},
            headers=auth,
            timeout=30,
        )
    assert created.status_code == 202, created.text
    url = live_stack.url + created.headers["Location"]
    running = poll(url, auth, lambda t: t["status"] == "running" and t["progress"] > 0)
    assert running["stage"].startswith("Removing the background")
    cancelled = requests.delete(url, headers=auth, timeout=30)
    assert cancelled.status_code == 200, cancelled.text
    time.sleep(3)  # the worker notices within a progress tick and stops
    task = requests.get(url, headers=auth, timeout=30).json()
    assert task["status"] == "cancelled" and task["result"] is None
    job = Job.objects.get(public_id=task["id"])
    assert job.result_asset is None
    assert job.progress < 100

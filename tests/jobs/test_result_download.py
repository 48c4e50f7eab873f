"""A provider's result served slowly (issue 12, #8): the download ends at
JOBS_DOWNLOAD_TIMEOUT_S and fails the job with DELIVERY_FAILED, its hold released."""

import threading
import time
from urllib.parse import urlsplit

import pytest

from apps.billing.models import CreditHold
from apps.jobs.models import Job, JobStatus
from apps.providers.sandbox.core import Sandbox
from tests.httpserver import serve
from tests.jobs.conftest import fund
from tests.slowserver import dripping

pytestmark = pytest.mark.django_db(transaction=True)

WAVESPEED_JOB = {
    "method": "text-to-video",
    "model": "wavespeed-ai/hunyuan-video-1.5/text-to-video",
    "prompt": "A red fox at dawn",
    "duration": 5,
    "resolution": "480p",
    "aspect_ratio": "16:9",
}


def test_a_result_dripping_bytes_fails_the_job_with_delivery_failed(alice, settings, monkeypatch):
    stop = threading.Event()
    with Sandbox(polls_needed=1) as sandbox, serve({"GET /out.mp4": dripping(stop)}) as slow:
        for name, value in sandbox.settings().items():
            setattr(settings, name, value)
        settings.PROVIDER_WEBHOOK_BASE_URL = ""
        settings.OUTBOUND_ALLOWED_NETLOCS = [sandbox.netloc, urlsplit(slow).netloc]
        settings.JOBS_DOWNLOAD_TIMEOUT_S = 2
        settings.OUTBOUND_MIN_RATE_BPS = 0  # the deadline alone
        monkeypatch.setattr(sandbox, "file_url", lambda task_id: f"{slow}/out.mp4")
        fund(alice.workspace, 10_000)
        started = time.monotonic()
        try:
            response = alice.api.post("/api/v1/generate", WAVESPEED_JOB, format="json")
        finally:
            stop.set()
        took = time.monotonic() - started
    assert response.status_code == 202, response.json()
    job = Job.objects.get(public_id=response.json()["id"])
    assert (job.status, job.error_code) == (JobStatus.FAILED, "DELIVERY_FAILED")
    assert "longer than 2 s" in job.error_message
    assert job.hold.state == CreditHold.State.RELEASED
    assert took < 2 + 5  # the download's 2 s, plus submit and one poll

"""/metrics over real HTTP after jobs ran on a real Celery worker: the worker's process
counted in its own files (multiprocess mode, PROMETHEUS_MULTIPROC_DIR set for the whole test
run) and the live server's scrape adds them up. Parsed with prometheus-client's own parser;
every figure is compared as the change between a scrape before and one after."""

import time
from collections.abc import Iterator

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from apps.billing.services import credits_grant
from apps.jobs.models import Job
from apps.providers.sandbox.core import Sandbox
from tests.clients.python.conftest import own_tier
from tests.gallery.mediafiles import make_png
from tests.webhooks.conftest import receiving

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

TOKEN = "test-metrics-token"
TERMINAL = ("completed", "failed", "cancelled", "rejected")


Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape(url: str) -> Samples:
    response = requests.get(
        f"{url}/metrics", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30
    )
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("text/plain")
    samples: Samples = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def delta(before: Samples, after: Samples, name: str, **labels: str) -> float:
    key = (name, frozenset(labels.items()))
    return after.get(key, 0.0) - before.get(key, 0.0)


@pytest.fixture
def sandbox(settings, monkeypatch) -> Iterator[Sandbox]:
    """Every provider on the sandbox, here (the live server) and in the worker's
    environment (the worker starts after this fixture)."""
    with Sandbox(polls_needed=2) as box:
        for name, value in box.settings().items():
            monkeypatch.setenv(name, value)
            setattr(settings, name, value)
        settings.OUTBOUND_ALLOWED_NETLOCS = [box.netloc]
        monkeypatch.setenv("JOBS_POLL_INTERVAL_S", "0.5")
        settings.PROVIDER_WEBHOOK_BASE_URL = ""
        monkeypatch.setenv("PROVIDER_WEBHOOK_BASE_URL", "")
        yield box


@pytest.fixture
def hook(settings, sandbox, monkeypatch):
    with receiving(settings) as receiver:
        monkeypatch.setenv("OUTBOUND_ALLOWED_NETLOCS", ",".join(settings.OUTBOUND_ALLOWED_NETLOCS))
        yield receiver


def _wait_all(url: str, auth: dict[str, str], locations: list[str]) -> list[dict]:
    deadline = time.monotonic() + 120
    while True:
        tasks = [requests.get(url + loc, headers=auth, timeout=30).json() for loc in locations]
        if all(t["status"] in TERMINAL for t in tasks):
            return tasks
        assert time.monotonic() < deadline, tasks
        time.sleep(0.5)


def test_metrics_count_what_the_worker_did(alice, hook, live_stack, settings, tmp_path):
    settings.METRICS_TOKEN = TOKEN
    credits_grant(workspace=alice.workspace, credits=10_000, idempotency_key="metrics-fund")
    own_tier(alice.workspace, max_concurrent_jobs=5, requests_per_minute=10_000)
    auth = {"Authorization": f"Bearer {alice.key}"}
    url = live_stack.url
    before = scrape(url)

    def submit(prompt: str, **extra: str) -> requests.Response:
        body = {"method": "text-to-video", "model": "runway-gen-4", "prompt": prompt, **extra}
        response = requests.post(f"{url}/api/v1/generate", json=body, headers=auth, timeout=30)
        assert response.status_code == 202, response.text
        return response

    completed = submit("A heron over a lake", webhook_url=hook.url)
    failed = submit("A storm [sandbox:fail]")
    cancelled = submit("A slow tide [sandbox:slow]")
    assert requests.delete(
        url + cancelled.headers["Location"], headers=auth, timeout=30
    ).status_code in (200, 202)
    png = make_png(tmp_path / "still.png", width=320, height=180)
    with png.open("rb") as fh:
        upload = requests.post(
            f"{url}/api/v1/uploads", files={"file": ("still.png", fh)}, headers=auth, timeout=30
        )
    assert upload.status_code == 201, upload.text
    tasks = _wait_all(url, auth, [r.headers["Location"] for r in (completed, failed, cancelled)])
    assert [t["status"] for t in tasks] == ["completed", "failed", "cancelled"]
    deadline = time.monotonic() + 60
    while not hook.requests:  # the completed job's own webhook, sent by the worker
        assert time.monotonic() < deadline, "no webhook delivery"
        time.sleep(0.2)
    time.sleep(0.5)  # the delivery's outcome is counted after its row commits

    after = scrape(url)
    jobs = {j.public_id: j for j in Job.objects.all()}
    done, bad, gone = (jobs[t["id"]] for t in tasks)
    runway = {"provider": "runway", "model": "runway-gen-4"}

    assert delta(before, after, "reelsmith_jobs_submitted_total", **runway) == 3
    assert delta(before, after, "reelsmith_jobs_completed_total", **runway) == 1
    assert delta(before, after, "reelsmith_jobs_failed_total", **runway, code=bad.error_code) == 1
    assert delta(before, after, "reelsmith_jobs_cancelled_total", **runway) == 1
    for status in ("completed", "failed", "cancelled"):
        assert (
            delta(before, after, "reelsmith_job_turnaround_seconds_count", **runway, status=status)
            == 1
        )
    # Each failed task is an error the provider reported, under its code; the failure is
    # retryable, so the job was submitted again until its attempts ran out.
    assert bad.attempts == 3
    assert (
        delta(before, after, "reelsmith_provider_errors_total", provider="runway",
              code=bad.error_code)
        == bad.attempts
    )  # fmt: skip
    submits = delta(
        before,
        after,
        "reelsmith_provider_call_duration_seconds_count",
        provider="runway",
        call="submit",
        outcome="ok",
    )
    # The cancelled job was submitted too if the worker started it before the DELETE.
    assert submits == done.attempts + bad.attempts + gone.attempts
    assert (
        delta(
            before,
            after,
            "reelsmith_provider_call_duration_seconds_count",
            provider="runway",
            call="poll",
            outcome="ok",
        )
        >= 2 * (done.attempts + bad.attempts)  # every task polled to its end (2 polls)
    )
    # Money: held on accept, charged on delivery, returned on failure and cancel.
    assert delta(before, after, "reelsmith_credits_held_total") == sum(
        j.credits_held for j in (done, bad, gone)
    )
    assert done.credits_charged > 0
    assert delta(before, after, "reelsmith_credits_captured_total") == done.credits_charged
    assert delta(before, after, "reelsmith_credits_released_total") == (
        bad.credits_held + gone.credits_held + (done.credits_held - done.credits_charged)
    )
    assert (
        delta(
            before,
            after,
            "reelsmith_webhook_deliveries_total",
            event="task.completed",
            outcome="succeeded",
        )
        == 1
    )
    assert delta(before, after, "reelsmith_upload_bytes_total", source="upload") == (
        png.stat().st_size
    )
    assert delta(before, after, "reelsmith_uploads_total", source="upload") == 1
    # Requests by URL name, never by path: three accepted submits on one route.
    assert (
        delta(
            before,
            after,
            "reelsmith_http_requests_total",
            route="api:generate",
            method="POST",
            status="202",
        )
        == 3
    )
    assert not any(done.public_id in value for (_, labels) in after for _, value in labels), (
        "a job id in a label"
    )
    # Sampled at scrape time: nothing waits in the queue once every job has ended.
    assert after[("reelsmith_queue_depth", frozenset({("queue", "celery")}))] >= 0
    assert after[("reelsmith_metrics_sampler_up", frozenset({("sampler", "queues")}))] == 1

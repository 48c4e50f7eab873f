"""Cancels, races, lost workers and the sweep: every job ends in exactly one terminal
state, its hold captured or released exactly once."""

import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.db.models import Sum

from apps import media
from apps.billing.models import CreditAccount, CreditHold, LedgerEntry
from apps.core.errors import Conflict
from apps.gallery.models import Asset
from apps.jobs import delivery, pipeline, sweep
from apps.jobs.models import Job, JobStatus
from apps.jobs.services import job_cancel, job_transition
from tests.jobs.conftest import TEXT_JOB, fund

pytestmark = pytest.mark.django_db(transaction=True)

LONG_JOB = {**TEXT_JOB, "duration": 60, "resolution": "1080p", "fps": 60}


def wait_for(predicate, timeout: float = 60.0, step: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise AssertionError("timed out waiting")


def account(workspace) -> CreditAccount:
    return CreditAccount.objects.get(workspace=workspace)


def test_cancel_mid_run_releases_the_hold_and_stops_the_engine(
    alice, alice_api, priced, not_eager, job_storage
):
    fund(alice.workspace, 100)
    job = Job.objects.get(
        public_id=alice_api.post("/api/v1/generate", LONG_JOB, format="json").json()["id"]
    )

    def run():
        try:
            pipeline.job_start(job_id=job.pk)
        finally:
            connection.close()

    worker = threading.Thread(target=run)
    worker.start()
    wait_for(lambda: Job.objects.filter(pk=job.pk, progress__gt=0).exists())
    cancelled_at = time.monotonic()
    assert alice_api.delete(f"/api/v1/tasks/{job.public_id}").json()["status"] == "cancelled"
    worker.join(timeout=30)
    assert not worker.is_alive()
    assert time.monotonic() - cancelled_at < 5  # the engine noticed within a second or so
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED
    assert job.hold.state == CreditHold.State.RELEASED
    assert (account(alice.workspace).balance, account(alice.workspace).held) == (100, 0)
    assert not Asset.objects.filter(source_job_id=job.public_id).exists()
    assert not [p for p in job_storage.rglob("*") if p.is_file()]


def _running_job_with_output(alice, alice_api, tmp_path):
    job = Job.objects.get(
        public_id=alice_api.post("/api/v1/generate", TEXT_JOB, format="json").json()["id"]
    )
    job_transition(job_id=job.pk, from_={JobStatus.QUEUED}, to=JobStatus.RUNNING)
    tmp_path.mkdir(parents=True, exist_ok=True)
    output = tmp_path / f"{job.public_id}.mp4"
    media.text_to_video(dst=output, prompt="x", duration=1.0, fps=24, resolution="480p")
    return job, output


def test_a_cancel_before_delivery_finishes_means_nothing_is_stored_or_charged(
    alice, alice_api, priced, not_eager, tmp_path
):
    fund(alice.workspace, 100)
    job, output = _running_job_with_output(alice, alice_api, tmp_path)
    job_cancel(job=job)
    assert delivery.job_deliver(job_id=job.pk, path=output) is None
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED
    assert job.hold.state == CreditHold.State.RELEASED
    assert not LedgerEntry.objects.filter(kind="capture").exists()
    assert not Asset.objects.filter(source_job_id=job.public_id).exists()


def test_a_cancel_after_delivery_is_409_and_the_charge_stands(
    alice, alice_api, priced, not_eager, tmp_path
):
    fund(alice.workspace, 100)
    job, output = _running_job_with_output(alice, alice_api, tmp_path)
    assert delivery.job_deliver(job_id=job.pk, path=output).status == JobStatus.COMPLETED
    with pytest.raises(Conflict):
        job_cancel(job=job)
    assert account(alice.workspace).balance == 93


@pytest.mark.postgres
def test_deliveries_racing_cancels_end_each_job_exactly_once(
    alice, alice_api, priced, not_eager, tmp_path
):
    fund(alice.workspace, 1000)
    alice.workspace.tier.max_concurrent_jobs = 50
    alice.workspace.tier.save()
    outcomes = []
    for round_ in range(10):
        job, output = _running_job_with_output(alice, alice_api, tmp_path / str(round_))

        def deliver(job=job, output=output):
            try:
                delivery.job_deliver(job_id=job.pk, path=output)
            finally:
                connection.close()

        def cancel(job=job):
            try:
                job_cancel(job=Job.objects.get(pk=job.pk))
            except Conflict:
                pass
            finally:
                connection.close()

        with ThreadPoolExecutor(max_workers=2) as pool:
            for future in [pool.submit(deliver), pool.submit(cancel)]:
                future.result()
        job.refresh_from_db()
        hold = job.hold
        outcomes.append(job.status)
        assert job.status in (JobStatus.COMPLETED, JobStatus.CANCELLED)
        if job.status == JobStatus.COMPLETED:
            assert hold.state == CreditHold.State.CAPTURED
            assert Asset.objects.filter(source_job_id=job.public_id).count() == 1
        else:
            assert hold.state == CreditHold.State.RELEASED
            assert not Asset.objects.filter(source_job_id=job.public_id).exists()
        assert job.events.filter(to_status__in=["completed", "cancelled"]).count() == 1
    completed = outcomes.count(JobStatus.COMPLETED)
    acct = account(alice.workspace)
    assert (acct.balance, acct.held) == (1000 - 7 * completed, 0)
    assert LedgerEntry.objects.filter(kind="capture").count() == completed
    alice.workspace.refresh_from_db()
    stored = Asset.objects.filter(workspace=alice.workspace).aggregate(s=Sum("size_bytes"))["s"]
    assert alice.workspace.storage_used_bytes == (stored or 0)


def test_the_sweep_times_out_a_job_past_its_deadline_once(alice, alice_api, priced, not_eager):
    fund(alice.workspace, 100)
    job = Job.objects.get(
        public_id=alice_api.post("/api/v1/generate", TEXT_JOB, format="json").json()["id"]
    )
    later = job.deadline_at + (job.deadline_at - job.created_at)
    assert sweep.jobs_sweep(now=later)["timed_out"] == 1
    assert sweep.jobs_sweep(now=later)["timed_out"] == 0
    job.refresh_from_db()
    assert (job.status, job.error_code) == (JobStatus.FAILED, "PROCESSING_TIMEOUT")
    assert job.hold.state == CreditHold.State.RELEASED
    assert account(alice.workspace).held == 0


def test_the_sweep_releases_a_hold_left_behind_by_an_ended_job(alice, alice_api, priced, not_eager):
    fund(alice.workspace, 100)
    job = Job.objects.get(
        public_id=alice_api.post("/api/v1/generate", TEXT_JOB, format="json").json()["id"]
    )
    Job.objects.filter(pk=job.pk).update(status=JobStatus.FAILED)  # a crash between writes
    assert sweep.jobs_sweep()["holds_released"] == 1
    assert sweep.jobs_sweep()["holds_released"] == 0
    assert account(alice.workspace).held == 0


@pytest.mark.postgres
def test_a_real_worker_on_the_broker_runs_a_job_to_completion(alice, alice_api, real_worker):
    job_id = alice_api.post("/api/v1/generate", TEXT_JOB, format="json").json()["id"]
    # Polled in the database: polling the API every 0.1 s on a slow machine runs into the
    # Free tier's 60 requests/min before the worker is done.
    wait_for(lambda: Job.objects.filter(public_id=job_id, status=JobStatus.COMPLETED).exists())
    body = alice_api.get(f"/api/v1/tasks/{job_id}").json()
    assert body["status"] == "completed"
    assert body["result"]["duration"] == pytest.approx(1.0, abs=0.1)


@pytest.mark.postgres
def test_a_worker_killed_mid_job_leaves_a_job_the_sweep_settles_exactly_once(
    alice, alice_api, priced, real_worker, settings
):
    fund(alice.workspace, 100)
    job_id = alice_api.post("/api/v1/generate", LONG_JOB, format="json").json()["id"]
    wait_for(lambda: Job.objects.filter(public_id=job_id, progress__gt=0).exists())
    os.killpg(real_worker.pid, signal.SIGKILL)
    real_worker.wait(timeout=10)
    job = Job.objects.get(public_id=job_id)
    assert job.status == JobStatus.RUNNING  # nobody settled it
    assert account(alice.workspace).held == 7
    settings.JOBS_HEARTBEAT_STALE_S = 1
    time.sleep(1.5)
    assert sweep.jobs_sweep()["lost"] == 1
    assert sweep.jobs_sweep()["lost"] == 0
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error_retryable
    assert job.hold.state == CreditHold.State.RELEASED
    acct = account(alice.workspace)
    assert (acct.balance, acct.held) == (100, 0)

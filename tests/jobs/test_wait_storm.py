"""Issue 12 item 9: a storm of `Prefer: wait=30` submits must not stall the API.

Starts the documented web server (`gunicorn -c config/gunicorn.py`) on the test
PostgreSQL database and Redis. No worker consumes the jobs queue, so every submitted job
stays queued and every `Prefer: wait=30` submit really waits; a worker on a queue of its
own answers /healthz's ping only."""

import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings

from apps.accounts.models import Tier
from apps.jobs.models import Job
from tests.conftest import _database_url
from tests.jobs.conftest import TEXT_JOB, fund

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WAITERS = 20


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _request(url: str, *, key: str | None = None, body: dict | None = None, headers=None):
    """(status, parsed JSON body, seconds taken) of one request, errors included."""
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode() if body is not None else None,
        headers={
            **({"Authorization": f"Bearer {key}"} if key else {}),
            **({"Content-Type": "application/json"} if body is not None else {}),
            **(headers or {}),
        },
    )
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=40) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as exc:
        status, raw = exc.code, exc.read()
    return status, json.loads(raw or b"null"), time.monotonic() - started


def _spawn(args: list[str], env: dict[str, str], log) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", *args],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _stop(proc: subprocess.Popen, sig: int) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.fixture
def documented_server(tmp_path, not_eager):
    """Base URL of `gunicorn -c config/gunicorn.py` plus a ping-only Celery worker."""
    queue = f"healthz-{uuid.uuid4().hex[:8]}"
    (tmp_path / "storm_settings.py").write_text(
        "from config.settings.test import *  # noqa: F403\n"
        f"CELERY_TASK_ROUTES = {{'core.ping': {{'queue': '{queue}'}}}}\n"
    )
    port = _free_port()
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(tmp_path), str(settings.BASE_DIR)]),
        "DJANGO_SETTINGS_MODULE": "storm_settings",
        "DATABASE_URL": _database_url(),
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_LOG_LEVEL": "warning",
    }
    log = (tmp_path / "server.log").open("wb")
    server = _spawn(["gunicorn", "-c", "config/gunicorn.py"], env, log)
    worker_args = ["celery", "-A", "config", "worker", "--pool=solo", "-Q", queue]
    worker_args += ["--loglevel=WARNING", "--without-gossip", "--without-mingle"]
    worker = _spawn([*worker_args, "--without-heartbeat"], env, log)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 45  # boots in 3-20 s, depending on the machine's load
        while True:  # up, and its worker answers the ping
            assert server.poll() is None, (tmp_path / "server.log").read_text()
            try:
                if _request(f"{base}/healthz")[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, (tmp_path / "server.log").read_text()
            time.sleep(0.3)
        yield base, server
    finally:
        # Killed, not stopped: a graceful stop would let the waiting submits run out.
        _stop(server, signal.SIGKILL)
        _stop(worker, signal.SIGKILL)
        log.close()


def test_twenty_waiting_submits_leave_healthz_and_other_tenants_answering_within_a_second(
    alice, charlie, documented_server
):
    base, server = documented_server
    alice.workspace.tier = Tier.objects.get(name="enterprise")  # 20 concurrent jobs
    alice.workspace.save()
    fund(alice.workspace, 10_000)
    fund(charlie.workspace, 1_000)
    status, charlie_job, _ = _request(f"{base}/api/v1/generate", key=charlie.key, body=TEXT_JOB)
    assert status == 202

    pool = ThreadPoolExecutor(WAITERS)
    submits = [
        pool.submit(
            _request,
            f"{base}/api/v1/generate",
            key=alice.key,
            body=TEXT_JOB,
            headers={"Prefer": "wait=30"},
        )
        for _ in range(WAITERS)
    ]
    try:
        deadline = time.monotonic() + 20
        while Job.objects.filter(workspace=alice.workspace).count() < WAITERS:
            assert time.monotonic() < deadline, "the submits were not all accepted"
            time.sleep(0.1)
        alice_job = Job.objects.filter(workspace=alice.workspace).first()
        time.sleep(0.5)  # every submit is now in its wait loop

        healthz, own, foreign = [], [], []
        for _ in range(10):
            healthz.append(_request(f"{base}/healthz"))
            own.append(_request(f"{base}/api/v1/tasks/{charlie_job['id']}", key=charlie.key))
            foreign.append(_request(f"{base}/api/v1/tasks/{alice_job.public_id}", key=charlie.key))
        still_waiting = sum(not f.done() for f in submits)
    finally:
        _stop(server, signal.SIGKILL)  # cut the waits short
        pool.shutdown(wait=False, cancel_futures=True)

    seconds = [t for _, _, t in healthz]
    print(
        f"\n/healthz with {still_waiting} waiting submits: "
        f"p50 {statistics.median(seconds) * 1000:.0f} ms, max {max(seconds) * 1000:.0f} ms; "
        f"GET /tasks/{{id}} (other tenant) max {max(t for _, _, t in own) * 1000:.0f} ms"
    )
    assert still_waiting == WAITERS
    assert all(status == 200 and body["status"] == "ok" for status, body, _ in healthz)
    assert all(status == 200 and body["status"] == "queued" for status, body, _ in own)
    assert all(status == 404 for status, _, _ in foreign)
    assert max(seconds) < 1.0
    assert max(t for _, _, t in own + foreign) < 1.0

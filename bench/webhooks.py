"""Webhook delivery latency: job completion → receipt at a real HTTP receiver.

Run: DATABASE_URL=postgres://… REDIS_URL=redis://… .venv/bin/python bench/webhooks.py [JOBS]

Uses the database of DATABASE_URL (migrated first) and the Redis broker of REDIS_URL;
starts a real `celery worker` (threads pool, 4) and a local receiver that records when each
`webhook-id` arrives and verifies every signature with the `standardwebhooks` library.
Each of JOBS (default 200) jobs is driven through the real completion path
(apps.jobs.delivery.job_deliver: probe, gallery asset, state `completed`, outbox row in the
same transaction, enqueue on commit); latency = receipt time - the job's `completed_at`.
Jobs are completed one after another, as a steady trickle. Prints p50/p90/p99/max.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    jobs = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    if not os.environ.get("DATABASE_URL", "").startswith("postgres") or not os.environ.get(
        "REDIS_URL"
    ):
        sys.exit("Set DATABASE_URL (PostgreSQL) and REDIS_URL: the worker shares them.")

    from tests.httpserver import serve

    received: dict[str, float] = {}
    bodies: list[tuple[bytes, dict[str, str]]] = []
    lock = threading.Lock()
    done = threading.Event()

    def handle(handler) -> None:
        body = handler.rfile.read(int(handler.headers.get("content-length") or 0))
        now = time.time()
        headers = {k.lower(): v for k, v in handler.headers.items()}
        with lock:
            received.setdefault(headers["webhook-id"], now)
            bodies.append((body, headers))
            if len(received) >= jobs:
                done.set()
        handler.send_response(204)
        handler.end_headers()

    with serve({"POST /hook": handle}) as base:
        netloc = base.split("://", 1)[1]
        os.environ["OUTBOUND_ALLOWED_NETLOCS"] = netloc
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "--quiet", "worker", "--pool=threads",
             "--concurrency=4", "--loglevel=WARNING", "--without-gossip",
             "--without-mingle", "--without-heartbeat", "-Q", "celery"],
            cwd=ROOT, env=dict(os.environ), start_new_session=True,
        )  # fmt: skip
        try:
            run(jobs, base + "/hook", received, bodies, done)
        finally:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=30)


def run(jobs, url, received, bodies, done) -> None:
    from standardwebhooks import Webhook

    from apps.accounts.services import user_signup
    from apps.jobs.delivery import job_deliver
    from apps.jobs.models import Job, JobStatus
    from apps.webhooks.models import WebhookMessage
    from apps.webhooks.services import endpoint_create
    from tests.gallery.mediafiles import make_mp4

    stamp = int(time.time())
    user = user_signup(email=f"bench-webhooks-{stamp}@example.com", password="bench-pw-123456")
    membership = user.memberships.get()
    workspace = membership.workspace
    endpoint, secret = endpoint_create(membership=membership, url=url, events=["task.completed"])
    with tempfile.TemporaryDirectory(prefix="reelsmith-whbench-") as tmp:
        clip = make_mp4(Path(tmp) / "clip.mp4", seconds=1.0)
        from celery import current_app

        deadline = time.monotonic() + 60
        while not current_app.control.ping(timeout=1.0):  # the worker is up and consuming
            if time.monotonic() > deadline:
                sys.exit("The worker did not start.")
        started = time.monotonic()
        ids = []
        for n in range(jobs):
            job = Job.objects.create(
                workspace=workspace, method="text-to-video", model="local/text-to-video",
                provider="local", status=JobStatus.RUNNING, prompt=f"bench {n}",
            )  # fmt: skip
            out = Path(tmp) / f"out{n}.mp4"
            shutil.copyfile(clip, out)
            job_deliver(job_id=job.pk, path=out)
            ids.append(job.pk)
        submit_s = time.monotonic() - started
        done.wait(timeout=120)
        total_s = time.monotonic() - started
    messages = dict(
        WebhookMessage.objects.filter(endpoint=endpoint).values_list("public_id", "body")
    )
    completed = {
        j.public_id: j.completed_at.timestamp()
        for j in Job.objects.filter(pk__in=ids, status=JobStatus.COMPLETED)
    }
    latencies = []
    for msg_id, body in messages.items():
        job_id = json.loads(body)["data"]["id"]
        if msg_id in received:
            latencies.append((received[msg_id] - completed[job_id]) * 1000)
    verifier = Webhook(secret)
    for body, headers in bodies:
        verifier.verify(body, headers)
    ms = latencies
    print(
        f"webhook delivery latency, job completed → received ({len(ms)}/{jobs} jobs, "
        f"real worker: threads x4, Redis broker, PostgreSQL)"
    )
    print(f"{'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'max ms':>8} {'mean ms':>8}")
    print(
        f"{pct(ms, 50):8.1f} {pct(ms, 90):8.1f} {pct(ms, 99):8.1f} {max(ms):8.1f} "
        f"{statistics.mean(ms):8.1f}"
    )
    print(f"{jobs} completions in {submit_s:.1f} s; all received after {total_s:.1f} s; "
          f"{len(bodies)} requests for {len(received)} ids, every signature verified")  # fmt: skip


if __name__ == "__main__":
    main()

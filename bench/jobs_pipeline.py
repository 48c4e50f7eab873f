"""Benchmark (issue 19): the whole job pipeline scaled over Celery worker processes.

Jobs are submitted through the real API (gunicorn -c config/gunicorn.py, PostgreSQL,
Redis) by concurrent clients and run by real Celery workers: first the local-engine jobs
(text-to-video, 1 s at 480p, priced at 1 credit: CPU-bound, rendered inside the worker),
then the provider jobs (a WaveSpeed model on the in-app provider sandbox: a submit call,
polls and a download, I/O-bound). The sandbox is served by a second gunicorn process of
the same app (its tasks live in one process's memory), reached through PUBLIC_BASE_URL
as a real provider would be. For each worker count, one `celery worker --pool=prefork
-c N` consuming every queue. Per kind and worker count: jobs/s from the first job's
creation to the last one's terminal state, and the queue wait (the job's created_at ->
started_at) p50/p99. After each phase: `manage.py billing_verify`, credits held 0,
charged = delivered x price, no job left non-terminal.

    .venv/bin/python bench/jobs_pipeline.py [--local-jobs 2000] [--provider-jobs 2000]
        [--workers 1,2,4] [--clients 50] [--web-processes 2]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PY = sys.executable
# Overridable so two benchmarks (e.g. in two checkouts) can run side by side.
DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/reelsmith_bench"
)
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
PORT = int(os.environ.get("BENCH_PORT", "8111"))
SANDBOX_PORT = PORT + 1
BASE = f"http://127.0.0.1:{PORT}"
LOCAL_MODEL = "local/text-to-video"
PROVIDER_MODEL = "wavespeed-ai/hunyuan-video-1.5/text-to-video"
JOBS = {
    "local": {"method": "text-to-video", "model": LOCAL_MODEL, "duration": 1, "resolution": "480p"},
    "provider": {
        "method": "text-to-video",
        "model": PROVIDER_MODEL,
        "duration": 5,
        "resolution": "480p",
        "aspect_ratio": "16:9",
    },
}
POLL_INTERVAL_S = "1.0"  # JOBS_POLL_INTERVAL_S: the sandbox answers at once; 3 polls a task
DEADLINE_FLOOR_S = 4 * 3600
STALL_S = 180  # give up on a phase when no job ended for this long


def env(media_root: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.pipelinesite",
        "DJANGO_SECRET_KEY": "bench-" + "k" * 60,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": REDIS_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{SANDBOX_PORT}",
        "MEDIA_ROOT": media_root,
        "JOBS_POLL_INTERVAL_S": POLL_INTERVAL_S,
        # A job's deadline counts from its submit, queue wait included: the tier's
        # concurrency limit (lifted here) normally bounds that wait. A burst of thousands
        # of jobs at once would time its tail out in the queue and measure failures.
        "JOBS_DEADLINE_FLOOR_S": str(DEADLINE_FLOOR_S),
        "GUNICORN_LOG_LEVEL": "warning",
        "GUNICORN_ACCESS_LOG": "/dev/null",
        "PYTHONPATH": str(ROOT),
    }


def setup_database(environ: dict[str, str]) -> None:
    db = DATABASE_URL.rsplit("/", 1)[1]
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", db], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", db], check=True)
    for args in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
        subprocess.run(
            [PY, "manage.py", *args], cwd=ROOT, env=environ, check=True, capture_output=True
        )


def setup_tenants(clients: int) -> list[str]:
    """One enterprise workspace per 10 clients (a workspace's submits serialise on its
    credit account's row lock, as they must), with their limits lifted: the benchmark
    measures the pipeline, not the limiter's 429s. Returns one key per client."""
    from django.core.management import call_command

    from apps.accounts.models import Tier
    from apps.catalog.services import model_override_set

    Tier.objects.filter(name="enterprise").update(
        max_concurrent_jobs=10**6, requests_per_minute=10**7
    )
    model_override_set(model_id=LOCAL_MODEL, price_credits=1)
    keys = []
    for n in range(-(-clients // 10)):
        out = io.StringIO()
        call_command(
            "create_workspace",
            email=f"bench{n}@example.com",
            tier="enterprise",
            credits=100_000_000,
            stdout=out,
        )
        keys.append(json.loads(out.getvalue())["api_key"])
    return [keys[i % len(keys)] for i in range(clients)]


def spawn(args: list[str], environ: dict[str, str], log) -> subprocess.Popen:
    return subprocess.Popen(
        args, cwd=ROOT, env=environ, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def wait_http(url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=10)
            return
        except httpx.HTTPError:
            time.sleep(0.3)
    raise SystemExit(f"{url} did not come up")


def wait_worker() -> None:
    from celery import current_app

    deadline = time.monotonic() + 90
    while not current_app.control.ping(timeout=1.0):
        if time.monotonic() > deadline:
            raise SystemExit("The Celery worker did not start.")


def submit_all(kind: str, count: int, keys: list[str], tag: str) -> tuple[list[str], dict, float]:
    """`count` submits shared by len(keys) client threads, each as fast as it can go.
    Returns the accepted job ids, the count of each refused status, and the seconds taken."""
    ids: list[str] = []
    refused: dict[int | str, int] = {}
    lock = threading.Lock()
    counter = iter(range(count))

    def client(key: str) -> None:
        with httpx.Client(
            base_url=BASE, timeout=60, headers={"Authorization": f"Bearer {key}"}
        ) as http:
            while True:
                with lock:
                    n = next(counter, None)
                if n is None:
                    return
                body = {**JOBS[kind], "prompt": f"Bench {tag} job {n}"}
                try:
                    r = http.post("/api/v1/generate", json=body)
                    status: int | str = r.status_code
                except httpx.HTTPError as exc:
                    status = type(exc).__name__
                with lock:
                    if status == 202:
                        ids.append(r.json()["id"])
                    else:
                        refused[status] = refused.get(status, 0) + 1

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(k,)) for k in keys]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return ids, refused, time.monotonic() - started


def wait_terminal(ids: list[str]) -> None:
    from apps.jobs.models import TERMINAL, Job

    left, last_change = len(ids), time.monotonic()
    while left:
        time.sleep(0.5)
        now_left = Job.objects.filter(public_id__in=ids).exclude(status__in=TERMINAL).count()
        if now_left != left:
            left, last_change = now_left, time.monotonic()
        elif time.monotonic() - last_change > STALL_S:
            print(f"  gave up: {left} jobs still not terminal after {STALL_S} s without progress")
            return


def phase_check(ids: list[str], environ: dict[str, str]):
    from django.db.models import Count

    from apps.billing.models import CreditAccount
    from apps.jobs.models import Job
    from bench.pipeline_stats import JobRow, phase_summary

    rows = [
        JobRow(**r)
        for r in Job.objects.filter(public_id__in=ids).values(
            "status",
            "created_at",
            "started_at",
            "completed_at",
            "credits_estimated",
            "credits_charged",
        )
    ]
    summary = phase_summary(rows, submitted=len(ids))
    failed = Job.objects.filter(public_id__in=ids, status="failed")
    for code, n in failed.values_list("error_code").annotate(n=Count("pk")):
        summary.problems.append(f"{n} jobs failed with {code}")
    held = sum(CreditAccount.objects.values_list("held", flat=True))
    if held:
        summary.problems.append(f"{held} credits still held")
    verify = subprocess.run(
        [PY, "manage.py", "billing_verify"], cwd=ROOT, env=environ, capture_output=True, text=True
    )
    if verify.returncode:
        summary.problems.append("billing_verify: " + (verify.stdout + verify.stderr).strip())
    return summary


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--local-jobs", type=int, default=2000)
    parser.add_argument("--provider-jobs", type=int, default=2000)
    parser.add_argument("--workers", default="1,2,4", help="worker processes (-c) per run")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--web-processes", type=int, default=2)
    parser.add_argument("--web-threads", type=int, default=16)
    args = parser.parse_args()
    workers = [int(w) for w in args.workers.split(",")]
    media_root = tempfile.mkdtemp(prefix="reelsmith-pipeline-bench-")
    environ = env(media_root)
    os.environ.update({k: v for k, v in environ.items() if k not in ("PYTHONPATH",)})
    setup_database(environ)
    import django

    django.setup()
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()  # the bench's own broker database
    keys = setup_tenants(args.clients)
    log = open(Path(media_root) / "processes.log", "ab")  # noqa: SIM115
    web = spawn(
        [PY, "-m", "gunicorn", "-c", "config/gunicorn.py"],
        {
            **environ,
            "GUNICORN_BIND": f"127.0.0.1:{PORT}",
            "WEB_CONCURRENCY": str(args.web_processes),
            "GUNICORN_THREADS": str(args.web_threads),
        },
        log,
    )
    sandbox = spawn(
        [PY, "-m", "gunicorn", "-c", "config/gunicorn.py"],
        {
            **environ,
            "GUNICORN_BIND": f"127.0.0.1:{SANDBOX_PORT}",
            "WEB_CONCURRENCY": "1",
            "GUNICORN_THREADS": "16",
            "DATABASE_CONN_MAX_AGE": "0",
        },
        log,
    )
    results = []
    try:
        # Any answer will do (/healthz would wait on a worker that is not started yet).
        wait_http(f"{BASE}/api/v1/models")
        wait_http(f"http://127.0.0.1:{SANDBOX_PORT}/api/v1/models")
        for n in workers:
            worker = spawn(
                [
                    PY,
                    "-m",
                    "celery",
                    "-A",
                    "config",
                    "worker",
                    "--pool=prefork",
                    f"--concurrency={n}",
                    "--loglevel=WARNING",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                ],
                environ,
                log,
            )
            try:
                wait_worker()
                for kind, count in (("local", args.local_jobs), ("provider", args.provider_jobs)):
                    if not count:
                        continue
                    ids, refused, submit_s = submit_all(kind, count, keys, f"{kind}-w{n}")
                    wait_terminal(ids)
                    summary = phase_check(ids, environ)
                    results.append((kind, n, summary, refused, len(ids) / submit_s))
                    print(
                        f"  {kind} x{count}, {n} worker process(es): {summary.jobs_per_s:.1f} "
                        f"jobs/s; {'OK' if not summary.problems else summary.problems}",
                        flush=True,
                    )
            finally:
                stop(worker)
    finally:
        stop(web)
        stop(sandbox)
        log.close()
    report(results, args)
    if any(r[2].problems or r[3] for r in results):
        sys.exit(f"Processes' output: {log.name}")
    shutil.rmtree(media_root, ignore_errors=True)  # the delivered videos and the log


def report(results, args) -> None:
    print(
        f"\nPipeline: {args.clients} clients -> gunicorn {args.web_processes} processes x "
        f"{args.web_threads} threads -> PostgreSQL + Redis -> one `celery worker --pool=prefork "
        f"-c N` (all queues); {os.cpu_count()} CPUs. local = {LOCAL_MODEL} 1 s 480p at 1 "
        f"credit; provider = {PROVIDER_MODEL} on the in-app sandbox (3 polls, "
        f"JOBS_POLL_INTERVAL_S={POLL_INTERVAL_S}); JOBS_DEADLINE_FLOOR_S={DEADLINE_FLOOR_S}."
    )
    print(
        f"{'kind':<10}{'workers':>8}{'jobs':>7}{'done':>7}{'failed':>7}{'jobs/s':>8}"
        f"{'start p50 s':>12}{'start p99 s':>12}{'submit/s':>9}{'refused':>8}  checks"
    )
    for kind, n, s, refused, submit_rate in results:
        checks = "billing_verify OK, held 0, charged = delivered x price, all terminal"
        print(
            f"{kind:<10}{n:>8}{s.jobs:>7}{s.completed:>7}{s.failed:>7}{s.jobs_per_s:>8.1f}"
            f"{s.start_p50_s:>12.2f}{s.start_p99_s:>12.2f}{submit_rate:>9.0f}"
            f"{sum(refused.values()):>8}  {'; '.join(s.problems) or checks}"
        )


if __name__ == "__main__":
    main()

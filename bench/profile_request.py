"""Where one API request's time goes (issue 19): wall and CPU µs per request, database
queries and Redis round trips per request, and the functions that cost the most
(cProfile, cumulative), for any method and path, in-process (Django's test client) under
bench/benchsite.py on the database and Redis that bench/jobs_api.py sets up.

    .venv/bin/python bench/profile_request.py GET /api/v1/tasks/{job}
    .venv/bin/python bench/profile_request.py POST /api/v1/generate [--requests 1000]
        [--cpu] [--sort tottime] [--all] [--queries]

`{job}` is replaced with a job submitted for the run. POST sends bench/jobs_api.py's
submit body. The profile is of a second batch of requests, after the timed one.
"""

import argparse
import cProfile
import json
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import jobs_api  # noqa: E402

# The functions worth reading in a profile of a request: the project's own, and the
# libraries a request spends its time in.
SHOWN = (
    r"/apps/|rest_framework/(views|request)|celery/app/(task|base)|kombu/messaging"
    r"|psycopg/cursor"
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("method", choices=["GET", "POST"])
    parser.add_argument("path")
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--queries", action="store_true", help="print one request's SQL")
    parser.add_argument("--sort", choices=["cumulative", "tottime"], default="cumulative")
    parser.add_argument(
        "--cpu", action="store_true", help="profile CPU time (waiting on a socket is free)"
    )
    parser.add_argument("--all", action="store_true", help="every function, not only SHOWN")
    args = parser.parse_args()
    os.environ.update(jobs_api.env())
    key = jobs_api.setup()[0]
    import django
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    django.setup()
    from django.core.cache import caches
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    body = json.dumps(jobs_api.JOB)
    job = client.post("/api/v1/generate", body, content_type="application/json", **headers)
    path = args.path.replace("{job}", job.json()["id"])

    def call():
        if args.method == "GET":
            return client.get(path, **headers)
        return client.post(path, body, content_type="application/json", **headers)

    for _ in range(50):  # warm: the key record, prepared statements, imports
        response = call()
        assert response.status_code < 300, response.content

    round_trips = [0]
    pool = caches["default"]._cache.get_client("x", write=True).connection_pool
    send = pool.connection_class.send_packed_command

    def counting(conn, *a, **kw):
        round_trips[0] += 1
        return send(conn, *a, **kw)

    pool.connection_class.send_packed_command = counting
    n = args.requests
    with CaptureQueriesContext(connection) as queries:
        started, started_cpu = time.perf_counter(), time.process_time()
        for _ in range(n):
            call()
        wall, cpu = time.perf_counter() - started, time.process_time() - started_cpu
    print(
        f"{args.method} {args.path}: {wall / n * 1e6:.0f} µs wall, {cpu / n * 1e6:.0f} µs CPU "
        f"per request; {len(queries) / n:.2f} queries, {round_trips[0] / n:.2f} Redis "
        f"round trips per request ({n} requests)"
    )
    if args.queries:
        with CaptureQueriesContext(connection) as one:
            call()
        for query in one:
            # Django renders no SQL for a statement bound on the server (bound_cursor).
            print(f"  {query['time']}s  {(query['sql'] or '(bound on the server)')[:300]}")
    profile = cProfile.Profile(time.process_time) if args.cpu else cProfile.Profile()
    profile.enable()
    for _ in range(n):
        call()
    profile.disable()
    print(f"\ncProfile of {n} more (times inflated by the profiler; compare shares):")
    restrictions = (args.top,) if args.all else (SHOWN, args.top)
    pstats.Stats(profile).sort_stats(args.sort).print_stats(*restrictions)


if __name__ == "__main__":
    main()

"""Where an API request's time goes (issue 19): µs per request for each middleware, the
DRF view's stages (negotiation, authentication, permissions, throttle, handler, render),
and the DB queries and Redis round trips per request, for /api/bare and /api/bare-auth.

In-process (Django's test client, no HTTP server) under bench/benchsite.py (production
settings) on the BENCH_* database and Redis that bench/jobs_api.py sets up:

    .venv/bin/python bench/profile_auth.py [--requests 2000] [--no-setup]

--no-setup keeps the database an earlier run set up; its API key goes in BENCH_KEY.
"""

import argparse
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import jobs_api  # noqa: E402

# (position, depth, time); shared with the copy Django imports as bench.profile_auth.
MARKS: list[tuple[str, int, float]] = []


def mark_factory(depth: int):
    def factory(get_response):
        def middleware(request):
            MARKS.append(("in", depth, time.perf_counter()))
            try:
                return get_response(request)
            finally:
                MARKS.append(("out", depth, time.perf_counter()))

        return middleware

    return factory


# Importable by dotted path (settings.MIDDLEWARE names them): bench.profile_auth.mark<i>.
for _depth in range(40):
    globals()[f"mark{_depth}"] = mark_factory(_depth)

STAGES: dict[str, float] = defaultdict(float)


def _timed(cls, name: str, label: str) -> None:
    original = getattr(cls, name)

    def wrapper(self, *args, **kwargs):
        started = time.perf_counter()
        try:
            return original(self, *args, **kwargs)
        finally:
            STAGES[label] += time.perf_counter() - started

    setattr(cls, name, wrapper)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--no-setup", action="store_true")
    args = parser.parse_args()
    os.environ.update(jobs_api.env())
    key = os.environ.get("BENCH_KEY") if args.no_setup else jobs_api.setup()[0]
    if not key:
        raise SystemExit("--no-setup reuses a set-up database: give its API key in BENCH_KEY")
    import django
    from django.conf import settings

    # A mark between every two middleware: the gaps are each one's own time.
    names = list(settings.MIDDLEWARE)
    wrapped = []
    for depth, name in enumerate(names):
        wrapped += [f"bench.profile_auth.mark{depth}", name]
    wrapped.append(f"bench.profile_auth.mark{len(names)}")
    settings.MIDDLEWARE = wrapped
    settings.ALLOWED_HOSTS = ["*"]
    django.setup()

    from django.core.cache import caches
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from rest_framework.views import APIView

    _timed(APIView, "perform_content_negotiation", "DRF content negotiation")
    _timed(APIView, "perform_authentication", "authentication (key lookup)")
    _timed(APIView, "check_permissions", "permission (IsWorkspaceMember)")
    _timed(APIView, "check_throttles", "throttle (rate limit)")
    _timed(APIView, "finalize_response", "DRF finalize_response")
    from rest_framework.renderers import JSONRenderer

    _timed(JSONRenderer, "render", "JSON render")

    redis_calls = [0]
    client_redis = caches["default"]._cache.get_client("x", write=True)
    pool = client_redis.connection_pool
    conn_cls = pool.connection_class
    original_send = conn_cls.send_packed_command

    def counting_send(self, *a, **kw):
        redis_calls[0] += 1
        return original_send(self, *a, **kw)

    conn_cls.send_packed_command = counting_send

    import importlib

    # Django imports this file again as bench.profile_auth: its marks are that module's.
    marks = importlib.import_module("bench.profile_auth").MARKS
    client = Client()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    bare_path = "/api/bare"
    auth_path = "/api/bare-auth"
    for label, path, extra in (
        ("bare", bare_path, {}),
        ("bare-auth", auth_path, headers),
    ):
        for _ in range(50):  # warm up: caches, connections, compiled regexes
            assert client.get(path, **extra).status_code == 200
        marks.clear()
        STAGES.clear()
        redis_calls[0] = 0
        own: dict[int, float] = defaultdict(float)
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            for _ in range(args.requests):
                marks.clear()
                client.get(path, **extra)
                ins = {d: t for pos, d, t in marks if pos == "in"}
                outs = {d: t for pos, d, t in marks if pos == "out"}
                for d in range(1, len(names) + 1):
                    own[d - 1] += (ins[d] - ins[d - 1]) + (outs[d - 1] - outs[d])
                own[len(names)] += outs[len(names)] - ins[len(names)]
            total = time.perf_counter() - started
        n = args.requests
        print(
            f"\n{label} ({path}): {total / n * 1e6:.0f} µs/request in-process, "
            f"{len(queries) / n:.2f} DB queries, {redis_calls[0] / n:.2f} Redis round trips"
        )
        for d, name in enumerate(names):
            print(f"  {name.rsplit('.', 1)[1]:<40}{own[d] / n * 1e6:>8.1f} µs")
        print(f"  {'view (URL resolve + DRF), of which:':<40}{own[len(names)] / n * 1e6:>8.1f} µs")
        for stage, seconds in STAGES.items():
            print(f"    {stage:<38}{seconds / n * 1e6:>8.1f} µs")
    interleaved(client, bare_path, auth_path, headers, args.requests)


def interleaved(client, bare_path: str, auth_path: str, headers: dict, n: int) -> None:
    """Bare and authenticated requests alternately, so the shared machine's load weighs
    on both alike: the ratio of their mean times is the bench's `vs bare` in-process."""
    spent = {"bare": 0.0, "auth": 0.0}
    cpu = {"bare": 0.0, "auth": 0.0}
    for _ in range(n):
        for label, path, extra in (("bare", bare_path, {}), ("auth", auth_path, headers)):
            started, started_cpu = time.perf_counter(), time.process_time()
            client.get(path, **extra)
            spent[label] += time.perf_counter() - started
            cpu[label] += time.process_time() - started_cpu
    bare, auth = spent["bare"] / n * 1e6, spent["auth"] / n * 1e6
    print(
        f"\ninterleaved x{n}: bare {bare:.0f} µs, bare-auth {auth:.0f} µs, "
        f"auth overhead {auth - bare:.0f} µs, bare/auth {bare / auth:.0%}"
    )
    # CPU time of this process only: what the request costs without waiting on the
    # database or Redis (on a loaded machine, waits dominate wall time).
    bare, auth = cpu["bare"] / n * 1e6, cpu["auth"] / n * 1e6
    print(f"CPU only: bare {bare:.0f} µs, bare-auth {auth:.0f} µs, bare/auth {bare / auth:.0%}")


if __name__ == "__main__":
    main()

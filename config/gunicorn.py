"""The production web server: `gunicorn -c config/gunicorn.py` (docker/ and the docs use
this file; flags on the command line still override it).

Threaded workers (gthread), not sync ones: a request that waits (`Prefer: wait=N` on a
submit, up to 30 s) holds one thread, not a whole process, so health checks and every
other request keep being served by the other threads. Each worker lets at most
JOBS_PREFER_WAIT_MAX_WAITERS requests wait at once (default: three quarters of its
threads), so a storm of waits can never take every thread.

Database connections: each thread keeps at most one persistent PostgreSQL connection
(DATABASE_CONN_MAX_AGE), and a waiting request closes its own while it sleeps. So one web
container opens at most WEB_CONCURRENCY x GUNICORN_THREADS connections (2 x 32 = 64 by
default); with the Celery worker and beat that must stay under PostgreSQL's
max_connections (100 by default). Scale out with PgBouncer, or set DATABASE_CONN_MAX_AGE=0.
See docs/operations.md."""

import os

wsgi_app = "config.wsgi:application"
bind = [os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")]
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "32"))
# gthread workers heartbeat from their event loop, so this only catches a stuck process,
# not a long request; outbound fetches carry their own deadlines.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "35"))
keepalive = 5
# With LOG_FORMAT=json the app writes one JSON line per request itself (with the request id,
# route and workspace): gunicorn's plain access log would only repeat it.
_json_logs = os.environ.get("LOG_FORMAT", "plain").lower() == "json"
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", None if _json_logs else "-")
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")


def child_exit(server, worker):
    """Prometheus multiprocess mode (PROMETHEUS_MULTIPROC_DIR, apps/core/metrics.py): a
    dead worker's counters stay counted; only per-process "live" gauges are dropped. The
    directory is emptied when the stack starts (compose's tmpfs volume, `make run`), not
    here: removing a file while the others keep counting would look like a reset."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        import socket

        from prometheus_client import multiprocess

        host = socket.gethostname().replace("_", "-") or "host"
        multiprocess.mark_process_dead(f"{host}-{worker.pid}")

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
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

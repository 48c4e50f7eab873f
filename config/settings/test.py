"""pytest. Uses DATABASE_URL / REDIS_URL when set (CI: PostgreSQL and Redis), else SQLite
and in-process stand-ins."""

import os
from pathlib import Path

# Keep the test run's filesystem queue apart from a `make run` on the same checkout.
os.environ.setdefault(
    "CELERY_FS_DIR", str(Path(__file__).resolve().parents[2] / "var" / "test-celery")
)

# Prometheus multiprocess mode for the whole run, as in production, so a test can scrape
# what a real worker process counted (tests/core/test_metrics_live.py). One directory per
# run (the worker subprocesses inherit the variable); ones left by ended runs go.
if "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
    import shutil

    _runs = Path(__file__).resolve().parents[2] / "var" / "test-prometheus"
    for _old in _runs.glob("*") if _runs.is_dir() else []:
        try:
            os.kill(int(_old.name), 0)
        except (ValueError, ProcessLookupError):
            shutil.rmtree(_old, ignore_errors=True)
        except PermissionError:
            pass
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(_runs / str(os.getpid()))
    shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)

from config.settings.base import *  # noqa: F403
from config.settings.base import VAR_DIR, env

DEBUG = False
SECRET_KEY = "test-secret-key-not-for-production-" + "x" * 30
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = VAR_DIR / "test-media"
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT), "base_url": "/media/"},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tasks run in-process unless a test starts a real worker.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
CELERY_TASK_EAGER_PROPAGATES = True

# Static files straight from static/ (no collectstatic step in development and tests).
STATIC_ROOT = None  # type: ignore[assignment]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Tests clear the cache between tests (rate-limit counters), which on Redis is FLUSHDB:
# keep the cache in its own database so the broker's queues survive it.
if REDIS_URL:  # noqa: F405
    from urllib.parse import urlsplit, urlunsplit

    _parts = urlsplit(REDIS_URL)  # noqa: F405
    CACHES["default"]["LOCATION"] = env(  # noqa: F405
        "TEST_CACHE_REDIS_URL", default=urlunsplit(_parts._replace(path="/15"))
    )

"""`make run`: the whole app on embedded defaults, nothing to configure."""

from pathlib import Path

from config.settings.base import *  # noqa: F403
from config.settings.base import STORAGES, VAR_DIR, env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="local-dev-only-not-secret-" + "x" * 40)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
# Every model to try out of the box: the provider sandboxes, served by the app itself
# (docs/providers.md). PROVIDER_SANDBOX=0 (environment or .env) uses the real providers.
PROVIDER_SANDBOX = env.bool("PROVIDER_SANDBOX", default=True)

# Static files straight from static/ (no collectstatic step needed in development), but
# `manage.py collectstatic` still works: it gathers them under var/static.
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(VAR_DIR / "static")))
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

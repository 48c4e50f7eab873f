"""Settings for the API benchmark: production settings, served over plain HTTP, with the
URLs of bench/benchurls.py (the real ones plus one bare DRF view as the baseline)."""

from config.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.benchurls"
SECURE_SSL_REDIRECT = False
LOGGING = {"version": 1, "disable_existing_loggers": False}

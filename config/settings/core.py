"""The platform's settings, shared by every environment: Django, the database, cache,
Celery, storage, auth, the API, logs and billing. config/settings/base.py adds the
product's own (catalogue, jobs, webhooks, moderation, providers) on top. Everything an
operator sets comes from the environment (see .env.example); the defaults here are the
embedded ones `make run` uses: SQLite in WAL mode, Celery's filesystem broker, media on
local disk."""

from pathlib import Path
from typing import Any

import environ
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])
# The port `make run` serves on (manage.py runstack); PUBLIC_BASE_URL follows it unless set.
PORT = env.int("PORT", default=8000)
PUBLIC_BASE_URL = (env("PUBLIC_BASE_URL", default="") or f"http://127.0.0.1:{PORT}").rstrip("/")
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[PUBLIC_BASE_URL])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "apps.core",
    "apps.accounts",
    "apps.billing",
    "apps.catalog",
    "apps.gallery",
    "apps.moderation",
    "apps.providers",
    "apps.webhooks",
    "apps.jobs",
    "apps.dashboard",
    "apps.compat",
]

MIDDLEWARE = [
    # Request id, HTTP metrics and the request log line (apps/core/middleware.py): first,
    # so it sees every response, the other middleware's refusals included.
    "apps.core.middleware.RequestObservabilityMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The session, its user and messages, for every request but a keyed API request
    # (apps/core/middleware.BrowserOnly, mixed into Django's own).
    "apps.core.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "apps.core.middleware.AuthenticationMiddleware",
    "apps.core.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "apps.accounts.middleware.WorkspaceMiddleware",
    # NUL and other control characters in paths, query strings and page forms → 400.
    "apps.core.middleware.RejectControlCharactersMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "dashboard:login"
LOGIN_REDIRECT_URL = "dashboard:home"
LOGOUT_REDIRECT_URL = "dashboard:login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "apps.accounts.context_processors.workspace",
                "apps.dashboard.usage.low_credit_notice",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
# SQLite runs in WAL mode with IMMEDIATE transactions so the web process and the Celery
# worker can both write without "database is locked" on lock upgrades.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'reelsmith.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Django's, with a health check that needs no round trip on a quiet connection.
        DATABASES["default"]["ENGINE"] = "apps.core.postgresql"
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Prepared statements for the hot paths' own statements (apps/core/compiled.py
    # bound_cursor: server-side binding): psycopg prepares one the fifth time a
    # connection runs it, and PostgreSQL stops planning it on every run (issue 19: a
    # status read spent 300 of its 430 µs of database time in the planner). The ORM
    # keeps Django's client-side binding: server-side, a query is limited to 65,535
    # parameters, which a delete of many rows (its `IN` list) passes. Behind a PgBouncer
    # in transaction pooling mode older than 1.21 (no prepared statements), set
    # DATABASE_PREPARED_STATEMENTS=false (docs/scaling.md).
    if env.bool("DATABASE_PREPARED_STATEMENTS", default=True):
        DATABASES["default"].setdefault("OPTIONS", {}).update(prepare_threshold=5)
    # Behind PgBouncer in transaction pooling mode a server-side cursor (`.iterator()`)
    # can outlive its transaction's server connection: set this there (docs/scaling.md).
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env.bool(
        "DATABASE_DISABLE_SERVER_SIDE_CURSORS", default=False
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (rate limits); Redis when REDIS_URL is set -----------------------------------
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's, keeping its Redis client (apps/core/cache.py).
            "BACKEND": "apps.core.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="reelsmith"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery ---------------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
# The filesystem broker and result store (embedded default) live under this folder.
CELERY_FS_DIR = Path(env("CELERY_FS_DIR", default=str(VAR_DIR / "celery")))
CELERY_RESULT_BACKEND = env(
    "CELERY_RESULT_BACKEND", default=REDIS_URL or f"file://{CELERY_FS_DIR / 'results'}"
)
if CELERY_BROKER_URL.startswith("redis://"):
    # kombu's Redis transport, keeping one client per channel (apps/core/broker.py).
    CELERY_BROKER_TRANSPORT = "apps.core.broker:Transport"
if CELERY_BROKER_URL.startswith("filesystem://"):
    for _sub in ("queue", "processed", "results", "control"):
        (CELERY_FS_DIR / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_FS_DIR / "queue"),
        "data_folder_out": str(CELERY_FS_DIR / "queue"),
        "processed_folder": str(CELERY_FS_DIR / "processed"),
        "control_folder": str(CELERY_FS_DIR / "control"),
        "store_processed": False,
    }
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_RESULT_EXPIRES = 3600
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Messages a worker process reserves beyond the one it runs. 1 suits minutes-long local
# renders (a reserved job would wait behind this one while another worker sits idle); a
# worker that only polls providers may take more (docs/scaling.md).
CELERY_WORKER_PREFETCH_MULTIPLIER = env.int("CELERY_WORKER_PREFETCH_MULTIPLIER", default=1)
# Queues (docs/scaling.md): a job's start goes to JOBS_LOCAL_QUEUE when the local engine
# renders it inside the worker (CPU-bound), else to JOBS_PROVIDER_QUEUE with its polls and
# provider cancels (short, I/O-bound); everything else (webhooks, exports, beat's tasks,
# health pings) to "celery". Pools are sized per kind with `-Q`; a worker started without
# `-Q` (make run, the tests) consumes all three.
JOBS_LOCAL_QUEUE = "jobs-local"
JOBS_PROVIDER_QUEUE = "jobs-provider"
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = [
    Queue(name, routing_key=name) for name in ("celery", JOBS_LOCAL_QUEUE, JOBS_PROVIDER_QUEUE)
]
CELERY_TASK_ROUTES = {
    "jobs.poll": {"queue": JOBS_PROVIDER_QUEUE},
    "jobs.provider_cancel": {"queue": JOBS_PROVIDER_QUEUE},
}
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=30 * 60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=35 * 60)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    # Included monthly credits for workspaces without a paid subscription (once per
    # workspace per calendar month, however often it runs).
    "billing-monthly-credits": {"task": "billing.grant_monthly_credits", "schedule": 3600.0},
    # Storage: abandon dead uploads and recount usage (fixes drift).
    "gallery-storage-recount": {"task": "gallery.storage_recount", "schedule": 3600.0},
    # Retention of every kind (unsaved results, job inputs, job events, audit events),
    # counts per kind in the log (docs/operations.md).
    "retention": {"task": "jobs.apply_retention", "schedule": 3600.0},
}
CELERY_BEAT_SCHEDULE_FILENAME = env(
    "CELERY_BEAT_SCHEDULE_FILENAME", default=str(VAR_DIR / "celerybeat-schedule")
)
CELERY_TIMEZONE = "UTC"

# --- Storage --------------------------------------------------------------------------
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
USE_S3 = env.bool("USE_S3", default=False)
if USE_S3:
    AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME")
    AWS_S3_ENDPOINT_URL = env("AWS_S3_ENDPOINT_URL", default=None)
    AWS_S3_REGION_NAME = env("AWS_S3_REGION_NAME", default=None)
    AWS_ACCESS_KEY_ID = env("AWS_ACCESS_KEY_ID", default=None)
    AWS_SECRET_ACCESS_KEY = env("AWS_SECRET_ACCESS_KEY", default=None)
    AWS_S3_SIGNATURE_VERSION = "s3v4"
    AWS_S3_ADDRESSING_STYLE = env("AWS_S3_ADDRESSING_STYLE", default="auto")
    # Private objects, never overwritten, encrypted at rest, reached only by presigned URLs.
    AWS_DEFAULT_ACL = None
    AWS_S3_FILE_OVERWRITE = False
    AWS_QUERYSTRING_AUTH = True
    AWS_QUERYSTRING_EXPIRE = env.int("AWS_QUERYSTRING_EXPIRE", default=600)
    AWS_S3_OBJECT_PARAMETERS = {"ServerSideEncryption": env("AWS_S3_SSE", default="AES256")}
    # Bounded memory per upload: at most 4 parts of 8 MB in flight instead of boto3's 10
    # threads and deep queues.
    from boto3.s3.transfer import TransferConfig

    AWS_S3_TRANSFER_CONFIG = TransferConfig(
        max_concurrency=4, multipart_chunksize=8 * 1024 * 1024, max_io_queue=16
    )
    AWS_S3_TRANSFER_CONFIG.max_in_memory_upload_chunks = 4
    _default_storage: dict[str, Any] = {"BACKEND": "storages.backends.s3.S3Storage"}
else:
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT), "base_url": MEDIA_URL},
    }
STORAGES = {
    "default": _default_storage,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# Gallery (docs/storage.md): days an unsaved upload or job output is kept, per tier
# (a tier not listed keeps them); signed download URL lifetime; direct-upload PUT lifetime.
GALLERY_RETENTION_DAYS = {
    "free": env.int("GALLERY_RETENTION_DAYS_FREE", default=7),
    "pro": env.int("GALLERY_RETENTION_DAYS_PRO", default=30),
    "enterprise": env.int("GALLERY_RETENTION_DAYS_ENTERPRISE", default=90),
}
# Retention (docs/operations.md, "Audit log and retention"), days per tier; 0 keeps
# forever. Unsaved results and uploads follow GALLERY_RETENTION_DAYS above. Job inputs:
# a finished job's prompt, parameters and input references are erased (the job row,
# its model, status, credits and timings stay for usage and billing). Job events: the
# status trail of finished jobs. Audit events: at least a year by default;
# RETENTION_AUDIT_DAYS_PLATFORM covers events of no workspace (unknown-email sign-ins).
RETENTION_JOB_INPUTS_DAYS = {
    "free": env.int("RETENTION_JOB_INPUTS_DAYS_FREE", default=30),
    "pro": env.int("RETENTION_JOB_INPUTS_DAYS_PRO", default=90),
    "enterprise": env.int("RETENTION_JOB_INPUTS_DAYS_ENTERPRISE", default=365),
}
RETENTION_JOB_EVENTS_DAYS = {
    "free": env.int("RETENTION_JOB_EVENTS_DAYS_FREE", default=30),
    "pro": env.int("RETENTION_JOB_EVENTS_DAYS_PRO", default=90),
    "enterprise": env.int("RETENTION_JOB_EVENTS_DAYS_ENTERPRISE", default=365),
}
RETENTION_AUDIT_DAYS = {
    "free": env.int("RETENTION_AUDIT_DAYS_FREE", default=365),
    "pro": env.int("RETENTION_AUDIT_DAYS_PRO", default=365),
    "enterprise": env.int("RETENTION_AUDIT_DAYS_ENTERPRISE", default=730),
}
RETENTION_AUDIT_DAYS_PLATFORM = env.int("RETENTION_AUDIT_DAYS_PLATFORM", default=365)
# Workspace closure and export (docs/operations.md, "Workspace export and closure"): a
# closed workspace's media and personal data are erased this many days after closure;
# an export's zip is kept (and its signed link valid) for WORKSPACE_EXPORT_TTL_S seconds.
WORKSPACE_CLOSURE_GRACE_DAYS = env.int("WORKSPACE_CLOSURE_GRACE_DAYS", default=30)
WORKSPACE_EXPORT_TTL_S = env.int("WORKSPACE_EXPORT_TTL_S", default=86400)
# Tiers whose jobs may ask for `output_format: "hls"` (an adaptive HLS set; issue 17).
HLS_TIERS = env.list("HLS_TIERS", default=["enterprise"])
GALLERY_SIGNED_URL_TTL_S = env.int("GALLERY_SIGNED_URL_TTL_S", default=900)
GALLERY_SIGNED_URL_MAX_TTL_S = env.int("GALLERY_SIGNED_URL_MAX_TTL_S", default=7 * 86400)
GALLERY_DIRECT_UPLOAD_TTL_S = env.int("GALLERY_DIRECT_UPLOAD_TTL_S", default=3600)
GALLERY_STALE_UPLOAD_S = env.int("GALLERY_STALE_UPLOAD_S", default=3600)
# Caps every fetch of a URL done inside a web request (gallery save-from-URL, job input
# URLs): well under gunicorn's --timeout 120, so a slow server never gets a worker killed.
GALLERY_FETCH_TIMEOUT_S = env.float("GALLERY_FETCH_TIMEOUT_S", default=60.0)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- Auth -----------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- API ------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apps.accounts.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["apps.accounts.permissions.IsWorkspaceMember"],
    "DEFAULT_THROTTLE_CLASSES": ["apps.core.throttling.TierRateThrottle"],
    # JSON bodies only (else 415); the operations that take files add multipart. Form
    # encodings are untyped and read a blank field as absent: they cannot keep the
    # schema's contract for a JSON operation. Every text input is checked for control
    # characters by these parsers (apps/core/parsers.py).
    "DEFAULT_PARSER_CLASSES": ["apps.core.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "apps.core.pagination.CursorPagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "apps.core.exceptions.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "PAGE_SIZE": 50,
}
# Requests per minute for callers with no workspace (public endpoints, by client IP).
ANONYMOUS_REQUESTS_PER_MINUTE = env.int("ANONYMOUS_REQUESTS_PER_MINUTE", default=60)
# The free perk without an account (docs/jobs.md): jobs per client address per UTC day,
# how long their results live, and how many may run at once across all visitors.
ANONYMOUS_FREE_JOBS_PER_DAY = env.int("ANONYMOUS_FREE_JOBS_PER_DAY", default=3)
ANONYMOUS_JOB_RETENTION_S = env.int("ANONYMOUS_JOB_RETENTION_S", default=24 * 3600)
ANONYMOUS_MAX_CONCURRENT_JOBS = env.int("ANONYMOUS_MAX_CONCURRENT_JOBS", default=20)
# Failed API-key authentications per minute per client address; past it, every request
# carrying an API key from that address is a 429 until the minute ends (docs/operations.md).
AUTH_FAILURES_PER_MINUTE = env.int("AUTH_FAILURES_PER_MINUTE", default=20)
# Reverse proxies in front of the app that append to X-Forwarded-For. 0: the client is
# REMOTE_ADDR and X-Forwarded-For is ignored; n: the n-th address from the right.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
REST_FRAMEWORK["NUM_PROXIES"] = TRUSTED_PROXY_COUNT

SPECTACULAR_SETTINGS = {
    "TITLE": "Reelsmith API",
    "DESCRIPTION": (
        "Create and process videos with AI. Authenticate with `Authorization: Bearer <key>` "
        "or `X-API-Key: <key>`. Errors share one shape: "
        '`{"error": {"code", "message", "retryable", "details"}}`.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "apps.core.api.schema.declare_common_errors",
    ],
    "ENUM_NAME_OVERRIDES": {
        # gallery: "kind"/"status"/"state" are common field names; name these sets.
        "AssetKindEnum": "apps.gallery.models.AssetKind",
        "AssetStatusEnum": "apps.gallery.models.AssetStatus",
        "AssetVisibilityEnum": "apps.gallery.models.Visibility",
        "AssetModerationStateEnum": "apps.gallery.models.ModerationState",
        "AssetReportStateEnum": "apps.gallery.models.ReportState",
    },
}

# --- Logs and metrics (docs/operations.md) ------------------------------------------------
# "plain" (default) or "json": one JSON object per line, with one line per request and per
# job transition carrying the request id, workspace and job ids.
LOG_FORMAT = env.str("LOG_FORMAT", default="plain").lower()
if LOG_FORMAT not in ("plain", "json"):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"LOG_FORMAT must be plain or json, not {LOG_FORMAT!r}.")
# One log line per request (method, route, status, duration, request id, workspace, user or
# key). On by default with JSON logs, where it replaces gunicorn's access log.
LOG_REQUESTS = env.bool("LOG_REQUESTS", default=LOG_FORMAT == "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "apps.core.logs.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
# With JSON logs the Celery worker keeps Django's logging instead of installing its own
# plain handlers, so its lines (job transitions included) are JSON too.
CELERY_WORKER_HIJACK_ROOT_LOGGER = LOG_FORMAT != "json"
# Bearer token that opens /metrics (Prometheus' `authorization` credentials); unset, the
# URL is a 404. PROMETHEUS_MULTIPROC_DIR (read by prometheus-client itself) turns on
# multiprocess mode: every process of the stack writes there and /metrics adds them up.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
# --- Billing (Stripe) -------------------------------------------------------------------
# Empty keys (the embedded default) turn card payments off: staff grant credits in the admin.
# Webhooks are only accepted with STRIPE_WEBHOOK_SECRET set and a valid signature.
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="")
# Another API base (a sandbox or stripe-mock); empty = https://api.stripe.com.
STRIPE_API_BASE = env("STRIPE_API_BASE", default="")

HEALTHZ_WORKER_TIMEOUT_S = env.float("HEALTHZ_WORKER_TIMEOUT_S", default=5.0)

# Outbound fetches of user-given URLs refuse private networks; exact "host:port" pairs
# listed here are exempt (local provider sandboxes). Never list anything in production.
OUTBOUND_ALLOWED_NETLOCS = env.list("OUTBOUND_ALLOWED_NETLOCS", default=[])
# Every outbound fetch must keep this average rate (bytes/s) once the server has sent its
# first byte and the grace period has passed; 0 turns the floor off.
OUTBOUND_MIN_RATE_BPS = env.int("OUTBOUND_MIN_RATE_BPS", default=16 * 1024)
OUTBOUND_RATE_GRACE_S = env.float("OUTBOUND_RATE_GRACE_S", default=10.0)

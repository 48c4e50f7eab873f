"""Settings shared by every environment: the platform's (config/settings/core.py), then
the product's own below. Everything an operator sets comes from the environment (see
.env.example); the defaults are the embedded ones `make run` uses."""

from config.settings.core import *  # noqa: F403
from config.settings.core import CELERY_BEAT_SCHEDULE, SPECTACULAR_SETTINGS, env

# --- Catalog: credits and provider credentials ------------------------------------------
# Price in credits = ceil(provider cost in USD x (1 + margin) / CREDIT_USD_VALUE). The
# margin defaults to 0 so list prices equal provider cost at 1 credit = $0.01; the margin
# on top is taken when credits are sold (credit packs). Models priced in credits in the
# spec keep their credit figure. See docs/models.md.
CREDIT_USD_VALUE = env.str("CREDIT_USD_VALUE", default="0.01")
CREDIT_MARGIN_PERCENT = env.int("CREDIT_MARGIN_PERCENT", default=0)
# The built-in local engine's price in credits per second of output (may be a fraction;
# the total is rounded up). 0 = free.
LOCAL_CREDITS_PER_OUTPUT_SECOND = env.str("LOCAL_CREDITS_PER_OUTPUT_SECOND", default="0")
# One credential per provider; empty = the provider's models are listed as unavailable.
WAVESPEED_API_KEY = env.str("WAVESPEED_API_KEY", default="")
FAL_KEY = env.str("FAL_KEY", default="")
REPLICATE_API_TOKEN = env.str("REPLICATE_API_TOKEN", default="")
RUNWAYML_API_SECRET = env.str("RUNWAYML_API_SECRET", default="")
GEMINI_API_KEY = env.str("GEMINI_API_KEY", default="")
OPENAI_API_KEY = env.str("OPENAI_API_KEY", default="")
RUNWARE_API_KEY = env.str("RUNWARE_API_KEY", default="")

# --- Jobs -----------------------------------------------------------------------------
JOBS_POLL_INTERVAL_S = env.float("JOBS_POLL_INTERVAL_S", default=3.0)
JOBS_INPUT_URL_TTL_S = env.int("JOBS_INPUT_URL_TTL_S", default=3600)
JOBS_MAX_OUTPUT_BYTES = env.int("JOBS_MAX_OUTPUT_BYTES", default=4 * 1024**3)
JOBS_DOWNLOAD_TIMEOUT_S = env.float("JOBS_DOWNLOAD_TIMEOUT_S", default=600.0)
# A local-engine run reports progress at least every few seconds; silence this long means
# its worker died (the sweep then fails the job and releases its credits).
JOBS_HEARTBEAT_STALE_S = env.int("JOBS_HEARTBEAT_STALE_S", default=120)
JOBS_SWEEP_INTERVAL_S = env.float("JOBS_SWEEP_INTERVAL_S", default=30.0)
# A submit its client marks as an automatic retry (the openai SDK's x-stainless-retry-count)
# returns the job an identical request made this recently instead of creating another.
# Longer than the SDK's default 600 s timeout, after which it retries.
JOBS_RETRY_REPLAY_WINDOW_S = env.int("JOBS_RETRY_REPLAY_WINDOW_S", default=900)
# Requests one web process lets wait at once on `Prefer: wait` (config/gunicorn.py); more
# get their 202 at once, leaving threads free for everything else.
JOBS_PREFER_WAIT_MAX_WAITERS = env.int(
    "JOBS_PREFER_WAIT_MAX_WAITERS", default=max(1, env.int("GUNICORN_THREADS", default=32) * 3 // 4)
)
# A job's deadline (then PROCESSING_TIMEOUT) = JOBS_DEADLINE_FACTOR x its expected time
# (the figure the estimate shows, apps/catalog/timing.py) + JOBS_DEADLINE_FLOOR_S seconds.
JOBS_DEADLINE_FACTOR = env.float("JOBS_DEADLINE_FACTOR", default=6.0)
JOBS_DEADLINE_FLOOR_S = env.int("JOBS_DEADLINE_FLOOR_S", default=120)
# The local engine's rate: seconds per output megapixel-frame of the text animatic (the
# models' `Processing.work` scales it) plus a fixed overhead per job. Measured with
# bench/local_rate.py (docs/jobs.md); set it from a run on your own workers.
LOCAL_ENGINE_S_PER_MEGAPIXEL_FRAME = env.float("LOCAL_ENGINE_S_PER_MEGAPIXEL_FRAME", default=0.05)
LOCAL_ENGINE_OVERHEAD_S = env.float("LOCAL_ENGINE_OVERHEAD_S", default=2.0)
CELERY_BEAT_SCHEDULE["jobs-sweep"] = {"task": "jobs.sweep", "schedule": JOBS_SWEEP_INTERVAL_S}
# Usage reports (GET /api/v1/usage, the Usage page; docs/usage.md): the range shown when
# none is given and the longest range one request may ask for (days, both ends included).
USAGE_DEFAULT_RANGE_DAYS = env.int("USAGE_DEFAULT_RANGE_DAYS", default=30)
USAGE_MAX_RANGE_DAYS = env.int("USAGE_MAX_RANGE_DAYS", default=366)

# --- Webhooks (see docs/webhooks.md) -----------------------------------------------------
# Success = a 2xx within this many seconds.
WEBHOOKS_TIMEOUT_S = env.float("WEBHOOKS_TIMEOUT_S", default=15.0)
# Seconds to wait after the 1st, 2nd, ... failed attempt; after the last, the message fails.
WEBHOOKS_RETRY_SCHEDULE_S = [
    float(s)
    for s in env.list(
        "WEBHOOKS_RETRY_SCHEDULE_S", default=["5", "300", "1800", "7200", "18000", "36000", "36000"]
    )
]
# An endpoint whose every attempt failed for this long is disabled.
WEBHOOKS_DISABLE_AFTER_S = env.int("WEBHOOKS_DISABLE_AFTER_S", default=5 * 86400)
# After a rotation the old secret also signs for this long.
WEBHOOKS_SECRET_OVERLAP_S = env.int("WEBHOOKS_SECRET_OVERLAP_S", default=86400)
# Lifetime of the signed result links in task payloads: the whole retry schedule and a day.
WEBHOOKS_RESULT_URL_TTL_S = env.int("WEBHOOKS_RESULT_URL_TTL_S", default=2 * 86400)
# The beat sweep re-sends messages due this long ago and never sent (crash after commit).
WEBHOOKS_SWEEP_INTERVAL_S = env.float("WEBHOOKS_SWEEP_INTERVAL_S", default=15.0)
WEBHOOKS_SWEEP_GRACE_S = env.float("WEBHOOKS_SWEEP_GRACE_S", default=10.0)
WEBHOOKS_SWEEP_BATCH = env.int("WEBHOOKS_SWEEP_BATCH", default=500)
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(  # type: ignore[attr-defined]
    {
        "WebhookEventEnum": "apps.webhooks.models.Event",
        "WebhookDeliveryStatusEnum": "apps.webhooks.models.MessageStatus",
    }
)
CELERY_BEAT_SCHEDULE["webhooks-sweep"] = {
    "task": "webhooks.sweep",
    "schedule": WEBHOOKS_SWEEP_INTERVAL_S,
}

# --- Moderation (see docs/moderation.md) ------------------------------------------------
# "rules" (built-in term lists, edited in the admin) or "openai" (OpenAI's moderation
# endpoint when OPENAI_API_KEY is set; its errors fall back to the rules).
MODERATION_BACKEND = env.str("MODERATION_BACKEND", default="rules")
MODERATION_OPENAI_API_BASE = env.str(
    "MODERATION_OPENAI_API_BASE",
    default=env.str("OPENAI_API_BASE", default="https://api.openai.com"),
)
MODERATION_OPENAI_MODEL = env.str("MODERATION_OPENAI_MODEL", default="omni-moderation-latest")
MODERATION_OPENAI_TIMEOUT_S = env.float("MODERATION_OPENAI_TIMEOUT_S", default=10.0)
# Category score (0..1) at or above which a prompt goes to review / is blocked.
MODERATION_OPENAI_REVIEW_THRESHOLD = env.float("MODERATION_OPENAI_REVIEW_THRESHOLD", default=0.4)
MODERATION_OPENAI_BLOCK_THRESHOLD = env.float("MODERATION_OPENAI_BLOCK_THRESHOLD", default=0.85)
# Per-category overrides, keyed by OpenAI's category names.
MODERATION_OPENAI_CATEGORY_THRESHOLDS = {
    "sexual/minors": {"review": 0.05, "block": 0.3},
    "self-harm/instructions": {"review": 0.2, "block": 0.7},
    "illicit/violent": {"review": 0.3, "block": 0.8},
}
# Apply the operator's term lists on top of the hosted verdict (the stricter wins).
MODERATION_OPENAI_WITH_RULES = env.bool("MODERATION_OPENAI_WITH_RULES", default=True)
# This many user reports hide an asset from the public feed until a moderator decides.
MODERATION_REPORT_THRESHOLD = env.int("MODERATION_REPORT_THRESHOLD", default=3)
MODERATION_STATS_WINDOW_DAYS = env.int("MODERATION_STATS_WINDOW_DAYS", default=30)
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(  # type: ignore[attr-defined]
    {
        "ModerationCaseStateEnum": "apps.moderation.models.CaseState",
        "ModerationSubjectTypeEnum": "apps.moderation.models.SubjectType",
        "ModerationCaseOriginEnum": "apps.moderation.models.CaseOrigin",
        "ModerationActionKindEnum": "apps.moderation.models.ActionKind",
    }
)

# --- Providers (remote adapters; see docs/providers.md) ---
WAVESPEED_API_BASE = env.str("WAVESPEED_API_BASE", default="https://api.wavespeed.ai")
FAL_QUEUE_BASE = env.str("FAL_QUEUE_BASE", default="https://queue.fal.run")
REPLICATE_API_BASE = env.str("REPLICATE_API_BASE", default="https://api.replicate.com")
RUNWAY_API_BASE = env.str("RUNWAY_API_BASE", default="https://api.dev.runwayml.com")
RUNWAY_API_VERSION = env.str("RUNWAY_API_VERSION", default="2024-11-06")
GEMINI_API_BASE = env.str("GEMINI_API_BASE", default="https://generativelanguage.googleapis.com")
OPENAI_API_BASE = env.str("OPENAI_API_BASE", default="https://api.openai.com")
RUNWARE_API_BASE = env.str("RUNWARE_API_BASE", default="https://api.runware.ai")
# Every provider call: total timeout and connect timeout (seconds)
PROVIDER_HTTP_TIMEOUT_S = env.float("PROVIDER_HTTP_TIMEOUT_S", default=30.0)
PROVIDER_CONNECT_TIMEOUT_S = env.float("PROVIDER_CONNECT_TIMEOUT_S", default=10.0)
# Inputs an adapter must upload inline (Veo images, OpenAI input_reference), in bytes
PROVIDER_MAX_INPUT_BYTES = env.int("PROVIDER_MAX_INPUT_BYTES", default=50 * 1024 * 1024)
# Public base URL providers call back (empty: no callbacks, polling only)
PROVIDER_WEBHOOK_BASE_URL = env.str("PROVIDER_WEBHOOK_BASE_URL", default="")
# Standard Webhooks signing secrets (whsec_...) of the providers that sign callbacks
WAVESPEED_WEBHOOK_SECRET = env.str("WAVESPEED_WEBHOOK_SECRET", default="")
REPLICATE_WEBHOOK_SECRET = env.str("REPLICATE_WEBHOOK_SECRET", default="")
OPENAI_WEBHOOK_SECRET = env.str("OPENAI_WEBHOOK_SECRET", default="")
PROVIDER_WEBHOOK_TOLERANCE_S = env.int("PROVIDER_WEBHOOK_TOLERANCE_S", default=300)
# Keys the per-job callback tokens of fal and Runware (default: SECRET_KEY)
PROVIDER_WEBHOOK_TOKEN_SECRET = env.str("PROVIDER_WEBHOOK_TOKEN_SECRET", default="")
# Encrypts workspaces' own provider keys (default: derived from SECRET_KEY)
PROVIDER_KEYS_SECRET = env.str("PROVIDER_KEYS_SECRET", default="")
PROVIDER_BYOK_TIERS = env.list("PROVIDER_BYOK_TIERS", default=["enterprise"])
# The fake provider APIs served by the app itself under /_sandbox/<provider>/ (through
# PUBLIC_BASE_URL): every adapter talks to them, every model is available, jobs are marked
# "sandbox". On by default only for `make run` (config/settings/local.py); refused in
# production. Polls a sandbox task takes to finish.
PROVIDER_SANDBOX = env.bool("PROVIDER_SANDBOX", default=False)
PROVIDER_SANDBOX_POLLS = env.int("PROVIDER_SANDBOX_POLLS", default=3)
# Provider health (apps/catalog/health.py): over the last PROVIDER_HEALTH_WINDOW_S seconds of
# real calls, a provider with at least PROVIDER_HEALTH_MIN_CALLS calls and an error rate at or
# above PROVIDER_HEALTH_ERROR_RATE (or, if set, a mean latency at or above
# PROVIDER_HEALTH_MAX_LATENCY_MS) is "degraded" for PROVIDER_HEALTH_COOLDOWN_S seconds.
PROVIDER_HEALTH_WINDOW_S = env.int("PROVIDER_HEALTH_WINDOW_S", default=120)
PROVIDER_HEALTH_MIN_CALLS = env.int("PROVIDER_HEALTH_MIN_CALLS", default=5)
PROVIDER_HEALTH_ERROR_RATE = env.float("PROVIDER_HEALTH_ERROR_RATE", default=0.5)
PROVIDER_HEALTH_MAX_LATENCY_MS = env.int("PROVIDER_HEALTH_MAX_LATENCY_MS", default=0)  # 0: off
PROVIDER_HEALTH_COOLDOWN_S = env.int("PROVIDER_HEALTH_COOLDOWN_S", default=60)

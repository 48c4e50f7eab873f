"""Job rows for usage reports, placed at chosen times (created_at is auto_now_add, so it is
set by an UPDATE after the insert)."""

import datetime as dt

from apps.jobs.models import Job

NOON = dt.time(12, tzinfo=dt.UTC)


def at(day: dt.date, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, tzinfo=dt.UTC))


def make_job(
    workspace,
    *,
    created: dt.datetime,
    status: str = "completed",
    model: str = "local/text-to-video",
    method: str = "text-to-video",
    provider: str = "local",
    charged: int = 0,
    seconds: float = 0.0,
    took_s: float | None = None,
    api_key=None,
) -> Job:
    job = Job.objects.create(
        workspace=workspace,
        method=method,
        model=model,
        provider=provider,
        status=status,
        credits_estimated=charged,
        credits_charged=charged,
        output_seconds=seconds,
        api_key=api_key,
    )
    completed = created + dt.timedelta(seconds=took_s) if took_s is not None else None
    Job.objects.filter(pk=job.pk).update(created_at=created, completed_at=completed)
    return job


MODELS = [
    ("local/text-to-video", "text-to-video", "local", 0),
    ("fal/kling-2.1-pro", "text-to-video", "fal", 45),
    ("fal/kling-2.1-i2v", "image-to-video", "fal", 45),
    ("wavespeed/seedance-lite", "image-to-video", "wavespeed", 18),
    ("replicate/wan-2.2", "text-to-video", "replicate", 25),
    ("runway/gen4-turbo", "image-to-video", "runway", 50),
    ("veo/veo-3-fast", "text-to-video", "veo", 120),
    ("local/upscale", "upscale", "local", 0),
]
PROMPTS = [
    "A red fox trotting through fresh snow at dawn, soft golden light, shallow depth of "
    "field, the camera tracking low beside it",
    "Aerial shot over a coastal town at sunset, waves rolling in, seagulls circling the "
    "harbour, cinematic colour grade",
    "Close-up of rain drops on a window, a city blurred behind, neon reflections, slow push in",
]
# Roughly what a busy workspace looks like: most jobs deliver.
STATUS_WEIGHTS = [
    ("completed", 85),
    ("failed", 8),
    ("cancelled", 4),
    ("rejected", 1),
    ("running", 1),
    ("queued", 1),
]


def bulk_jobs(tenants, *, days: int, seed: int = 1, now=None) -> int:
    """Jobs of several workspaces — `tenants` is [(workspace, count, api_keys)] — spread
    evenly over the `days` days before `now` with a realistic mix of models, statuses,
    charges and turnarounds, inserted with bulk_create in time order (as a real table
    fills: tenants interleaved). Returns how many were made."""
    import random

    rng = random.Random(seed)
    now = now or dt.datetime.now(dt.UTC)
    statuses = [s for s, w in STATUS_WEIGHTS for _ in range(w)]
    rows = []
    for workspace, count, api_keys in tenants:
        keys = [None, *api_keys]
        for _ in range(count):
            created = now - dt.timedelta(seconds=rng.uniform(0, days * 86400))
            rows.append((created, workspace, keys[rng.randrange(len(keys))]))
    rows.sort(key=lambda row: row[0])
    field = Job._meta.get_field("created_at")
    field.auto_now_add = False  # the rows carry their own times
    try:
        batch: list[Job] = []
        for created, workspace, key in rows:
            model, method, provider, price = MODELS[rng.randrange(len(MODELS))]
            status = statuses[rng.randrange(len(statuses))]
            ended = status in ("completed", "failed", "cancelled", "rejected")
            took = rng.lognormvariate(3.5, 0.6) if ended else None
            delivered = status == "completed"
            batch.append(
                Job(
                    workspace=workspace,
                    method=method,
                    model=model,
                    provider=provider,
                    status=status,
                    # Real rows carry a prompt, the normalised parameters and the
                    # attempt log; their width decides what a scan of the table costs.
                    prompt=PROMPTS[rng.randrange(len(PROMPTS))],
                    params={
                        "duration": 5,
                        "resolution": "720p",
                        "aspect_ratio": "16:9",
                        "fps": 24,
                        "seed": rng.randrange(10**9),
                    },
                    attempt_log=[{"model": model, "provider": provider, "error": None}],
                    credits_estimated=price,
                    credits_held=price,
                    credits_charged=price if delivered else 0,
                    output_seconds=5.0 if delivered else 0.0,
                    api_key=key,
                    created_at=created,
                    completed_at=created + dt.timedelta(seconds=took) if took else None,
                )
            )
            if len(batch) == 10_000:
                Job.objects.bulk_create(batch)
                batch = []
        Job.objects.bulk_create(batch)
    finally:
        field.auto_now_add = True
    return len(rows)


def usage_plans(*, workspace, start, end, group_by, analyze: bool = False) -> list[tuple[str, str]]:
    """(sql, plan) of every query usage_report runs on the jobs table, from PostgreSQL's
    EXPLAIN (with ANALYZE and BUFFERS when `analyze`)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from apps.jobs.usage import usage_report

    with CaptureQueriesContext(connection) as captured:
        usage_report(workspace=workspace, start=start, end=end, group_by=group_by)
    out = []
    options = "ANALYZE, BUFFERS" if analyze else "COSTS"
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            sql = query["sql"]
            if '"jobs_job"' not in sql:
                continue
            cursor.execute(f"EXPLAIN ({options}) {sql}")
            out.append((sql, "\n".join(row[0] for row in cursor.fetchall())))
    return out

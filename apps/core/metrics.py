"""Every Prometheus metric the app exports, defined once here (the bottom layer, so any app
may import it) and incremented where the event happens. Served at /metrics
(apps/core/views.py); the list with meanings is in docs/operations.md.

Multiprocess mode. With PROMETHEUS_MULTIPROC_DIR set, every process (each gunicorn worker,
each Celery pool process, runserver) writes its values to its own files in that directory
and /metrics adds up all the files, so a scrape of any one web process reports the whole
stack. A file is named after the host and pid of its process, not the pid alone, so
containers sharing the directory (docker/compose.yml mounts one volume into web, worker and
beat) never write to each other's files even though each has its own pid 1. Files of
processes that died stay and keep counting, so every counter only ever grows; the directory
is emptied when the whole stack starts (`make run`; compose's volume is a tmpfs that lives
while any of the stack's containers does). Without the variable: one process, in memory.

Labels are bounded sets only — route names, provider and model ids from the catalogue,
error codes, states — never ids, paths or user text.

Gauges that describe the system rather than one process (queue depth, moderation backlog,
jobs past their deadline) are sampled when /metrics is scraped by functions apps register
with `sampler_register` at start-up (apps below core's dependents cannot be imported here)."""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from prometheus_client import Counter, Histogram, disable_created_metrics, values
from prometheus_client.metrics_core import GaugeMetricFamily, Metric

logger = logging.getLogger(__name__)
# No `_created` series: they double the output and no dashboard here reads them.
disable_created_metrics()

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


def multiproc_dir() -> Path | None:
    value = os.environ.get(MULTIPROC_ENV, "")
    return Path(value) if value else None


def process_identifier() -> str:
    """host-pid: unique across containers sharing one directory ('_' separates the parts
    of the file name, so it may not appear in it)."""
    host = socket.gethostname().replace("_", "-") or "host"
    return f"{host}-{os.getpid()}"


# Chosen before any metric below exists (the library picks its value class at import, and
# would take an empty variable, e.g. from a copied .env, to mean files in the working
# directory).
_directory = multiproc_dir()
if _directory is not None:
    _directory.mkdir(parents=True, exist_ok=True)
    values.ValueClass = values.MultiProcessValue(process_identifier=process_identifier)
else:
    values.ValueClass = values.MutexValue

# Seconds. Requests: most answer in milliseconds; Prefer: wait holds up to 30 s.
HTTP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
# A job from acceptance to its end: local clips take seconds, remote models minutes.
TURNAROUND_BUCKETS = (1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200)
# One provider API call (submit or poll).
PROVIDER_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60)

HTTP_REQUESTS = Counter(
    "reelsmith_http_requests",
    "HTTP requests answered, by route (URL name), method and status.",
    ["route", "method", "status"],
)
HTTP_REQUEST_DURATION = Histogram(
    "reelsmith_http_request_duration_seconds",
    "Time to answer an HTTP request, by route (URL name) and method.",
    ["route", "method"],
    buckets=HTTP_BUCKETS,
)
JOBS_SUBMITTED = Counter(
    "reelsmith_jobs_submitted",
    "Jobs accepted (queued or held for review), by provider and model.",
    ["provider", "model"],
)
JOBS_COMPLETED = Counter(
    "reelsmith_jobs_completed", "Jobs delivered, by provider and model.", ["provider", "model"]
)
JOBS_FAILED = Counter(
    "reelsmith_jobs_failed",
    "Jobs that ended failed, by provider, model and error code.",
    ["provider", "model", "code"],
)
JOBS_CANCELLED = Counter(
    "reelsmith_jobs_cancelled", "Jobs cancelled by their owner.", ["provider", "model"]
)
JOBS_REJECTED = Counter(
    "reelsmith_jobs_rejected", "Jobs a moderator rejected.", ["provider", "model"]
)
JOB_TURNAROUND = Histogram(
    "reelsmith_job_turnaround_seconds",
    "Time from a job's acceptance to its end, by provider, model and final status.",
    ["provider", "model", "status"],
    buckets=TURNAROUND_BUCKETS,
)
PROVIDER_CALL_DURATION = Histogram(
    "reelsmith_provider_call_duration_seconds",
    "Time of one call to a provider's API, by provider, call (submit, poll) and outcome "
    "(ok, error: the provider is in trouble; refused: it answered no).",
    ["provider", "call", "outcome"],
    buckets=PROVIDER_BUCKETS,
)
PROVIDER_ERRORS = Counter(
    "reelsmith_provider_errors",
    "Errors providers reported (failed calls and failed tasks), by provider and error code.",
    ["provider", "code"],
)
WEBHOOK_DELIVERIES = Counter(
    "reelsmith_webhook_deliveries",
    "Outgoing webhook delivery attempts, by event type and outcome (succeeded; retrying: "
    "failed, another attempt is scheduled; failed: no attempt left; not_sent: the endpoint "
    "is disabled).",
    ["event", "outcome"],
)
CREDITS_HELD = Counter("reelsmith_credits_held", "Credits reserved by holds (credits).")
CREDITS_CAPTURED = Counter(
    "reelsmith_credits_captured", "Credits charged when a hold was captured (credits)."
)
CREDITS_RELEASED = Counter(
    "reelsmith_credits_released",
    "Credits returned from holds: released holds, and the unused rest of a partial capture "
    "(credits).",
)
UPLOAD_BYTES = Counter(
    "reelsmith_upload_bytes",
    "Bytes of media received and stored, by source (upload, direct, url, job_input).",
    ["source"],
)
UPLOADS = Counter("reelsmith_uploads", "Media files received and stored, by source.", ["source"])


# --- samplers: gauges read at scrape time ------------------------------------------------

Sampler = Callable[[], Iterable[Metric]]
SAMPLERS: dict[str, Sampler] = {}


def sampler_register(name: str, sampler: Sampler) -> None:
    """Adds metric families computed at each scrape (apps call this in ready()). A sampler
    must be cheap: one broker round trip or one indexed query."""
    SAMPLERS[name] = sampler


def _sampled() -> Iterator[Metric]:
    up = GaugeMetricFamily(
        "reelsmith_metrics_sampler_up",
        "Whether the sampler of a scrape-time gauge answered (0: its figures are missing).",
        labels=["sampler"],
    )
    for name, sampler in sorted(SAMPLERS.items()):
        try:
            families = list(sampler())
        except Exception:
            logger.warning("metrics sampler %s failed", name, exc_info=True)
            up.add_metric([name], 0)
            continue
        up.add_metric([name], 1)
        yield from families
    yield up


class _Exposition:
    """What /metrics serves: the counters and histograms of every process (multiprocess
    mode) or of this one, then the sampled gauges."""

    def collect(self) -> Iterator[Metric]:
        directory = multiproc_dir()
        if directory is not None:
            from prometheus_client.multiprocess import MultiProcessCollector

            yield from MultiProcessCollector.merge(
                [str(p) for p in directory.glob("*.db")], accumulate=True
            )
        else:
            from prometheus_client import REGISTRY

            yield from REGISTRY.collect()
        yield from _sampled()


def exposition() -> bytes:
    from prometheus_client import generate_latest

    return generate_latest(_Exposition())  # type: ignore[arg-type]


def multiproc_clear(directory: Path) -> int:
    """Empties a metrics directory (stack start-up only: a live process's file removed
    would lose its counts). Returns how many files went."""
    removed = 0
    if directory.is_dir():
        for path in directory.glob("*.db"):
            path.unlink(missing_ok=True)
            removed += 1
    directory.mkdir(parents=True, exist_ok=True)
    return removed


def after_commit(record: Callable[[], None]) -> None:
    """Counts when the surrounding transaction commits (at once outside one), so a change
    that rolls back counts nothing. A metric never fails the work it measures."""
    from django.db import transaction

    def run() -> None:
        try:
            record()
        except Exception:
            logger.warning("recording a metric failed", exc_info=True)

    transaction.on_commit(run)

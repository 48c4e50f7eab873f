"""What the Studio's jobs rail and the job pages say about a job: thumbnail, prompt, model,
progress, elapsed time, ETA, and in words where it stands (why a held job waits, that a
cancelled job is cancelled). Read from the workspace's jobs, so the rail is the same after
a reload, on another tab or another device."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils import timezone

from apps.catalog.registry import CATALOG
from apps.core.errors import NotFound
from apps.gallery import storage
from apps.gallery.selectors import assets_list
from apps.jobs import selectors as job_selectors
from apps.jobs.models import ACTIVE, Job, JobStatus
from apps.moderation.selectors import case_get_for_workspace

RECENT_ENDED = 12  # ended jobs shown under the running ones
PROGRESS_ETA_FROM = 10  # % at which the progress itself predicts better than the estimate

# The one sentence for an ended job, wherever it is shown (rail, panel, job page).
ENDED_WORDS = {
    JobStatus.COMPLETED: "Completed",
    JobStatus.CANCELLED: "Cancelled",
    JobStatus.FAILED: "Failed",
    JobStatus.REJECTED: "Rejected by moderation",
}
REVIEW_NEXT = (
    "A moderator checks it. Approved, it runs with the credits already held; rejected, it "
    "ends and the held credits come back. Nothing to do meanwhile; you can cancel it."
)


@dataclass
class RailJob:
    job: Job
    id: str
    status: str
    status_label: str
    ended: bool
    progress: int
    stage_text: str  # "Rendering the animatic · 42%", "Queued", "Cancelled"
    model_name: str
    prompt: str
    thumbnail: str | None
    created_at: dt.datetime
    run_from: dt.datetime  # elapsed time counts from here
    elapsed_s: int
    expected_s: int | None
    eta_s: int | None
    review_why: str = ""
    review_next: str = ""
    # Every model tried, when the job moved to a fallback (more than one attempt).
    attempts: list[dict[str, Any]] = field(default_factory=list)

    @property
    def elapsed_text(self) -> str:
        return clock(self.elapsed_s)

    @property
    def eta_text(self) -> str:
        return clock(self.eta_s) if self.eta_s is not None else ""

    def as_data(self) -> dict[str, Any]:
        """What the page's script needs to tick the clocks between refreshes."""
        return {
            "id": self.id,
            "status": self.status,
            "progress": self.progress,
            "elapsed_s": self.elapsed_s,
            "eta_s": self.eta_s,
        }


def clock(seconds: int | None) -> str:
    """12 s, 3:05, 1:02:09 (the same format as studio/rail.js)."""
    if seconds is None:
        return ""
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds} s"
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def expected_seconds(job: Job) -> int | None:
    """The expected run time the estimate showed, read back from the job's deadline
    (deadline = submit + JOBS_DEADLINE_FLOOR_S + JOBS_DEADLINE_FACTOR x expected,
    apps/catalog/timing.py)."""
    if job.deadline_at is None:
        return None
    budget = (job.deadline_at - job.created_at).total_seconds() - settings.JOBS_DEADLINE_FLOOR_S
    factor = float(settings.JOBS_DEADLINE_FACTOR) or 1.0
    return max(1, round(budget / factor))


def stage_text(job: Job) -> str:
    """Where the job stands, in one phrase; an ended job's status alone."""
    if job.status in ENDED_WORDS:
        return ENDED_WORDS[JobStatus(job.status)]
    if job.status == JobStatus.REVIEW:
        return "Held for review"
    stage = job.stage or job.get_status_display()
    if job.status == JobStatus.QUEUED:
        return stage
    return f"{stage} · {job.progress}%"


def _eta(job: Job, expected: int | None, running_for: float) -> int | None:
    if job.status in (JobStatus.REVIEW,) or job.status not in ACTIVE:
        return None
    if job.status == JobStatus.RUNNING and job.progress >= PROGRESS_ETA_FROM:
        return max(1, round(running_for * (100 - job.progress) / job.progress))
    if expected is None:
        return None
    return max(1, round(expected - running_for))


def _thumbnails(workspace: Any, jobs: list[Job]) -> dict[str, str | None]:
    """Each job's picture: its result's thumbnail, else the image it was given."""
    wanted = {j.inputs.get("image") for j in jobs if isinstance(j.inputs, dict)} - {None}
    inputs = {
        a.public_id: storage.asset_thumbnail_url(a)
        for a in assets_list(workspace=workspace).filter(public_id__in=wanted)
    }
    out: dict[str, str | None] = {}
    for job in jobs:
        thumb = None
        if job.status == JobStatus.COMPLETED and job.result_asset is not None:
            thumb = storage.asset_thumbnail_url(job.result_asset)
        if thumb is None and isinstance(job.inputs, dict):
            thumb = inputs.get(job.inputs.get("image"))
        out[job.public_id] = thumb
    return out


def review_why(workspace: Any, job: Job) -> str:
    try:
        case = case_get_for_workspace(workspace=workspace, job_id=job.public_id)
    except NotFound:
        return "Automatic screening asked a person to check the prompt before it runs."
    found = ", ".join(str(c).replace("_", " ") for c in (case.categories or []))
    return "Automatic screening asked a person to check the prompt before it runs" + (
        f" (it matched: {found})." if found else "."
    )


def attempts_view(job: Job) -> list[dict[str, Any]]:
    """The job's attempts (model, provider, how each ended) when there was more than one
    (apps/jobs/failover.py records them); a job that ran on its first model shows none."""
    log = job.attempt_log if isinstance(job.attempt_log, list) else []
    if len(log) < 2:
        return []
    out = []
    for attempt in log:
        if not isinstance(attempt, dict):
            continue
        spec = CATALOG.get(str(attempt.get("model") or ""))
        error = attempt.get("error") if isinstance(attempt.get("error"), dict) else None
        out.append(
            {
                "model": attempt.get("model") or "",
                "model_name": spec.name if spec else attempt.get("model") or "",
                "provider": attempt.get("provider") or "",
                "error_code": (error or {}).get("code") or "",
                "error_message": (error or {}).get("message") or "",
                "failed": error is not None,
                "at": attempt.get("at") or "",
            }
        )
    return out


def rail_job(job: Job, *, workspace: Any, thumbnail: str | None, now: dt.datetime) -> RailJob:
    ended = job.status not in ACTIVE
    run_from = job.started_at or job.created_at
    until = (job.completed_at or now) if ended else now
    running_for = max(0.0, (now - run_from).total_seconds()) if job.started_at else 0.0
    expected = expected_seconds(job)
    spec = CATALOG.get(job.model)
    item = RailJob(
        job=job,
        id=job.public_id,
        status=job.status,
        status_label=job.get_status_display(),
        ended=ended,
        progress=100 if job.status == JobStatus.COMPLETED else job.progress,
        stage_text=stage_text(job),
        model_name=spec.name if spec else job.model,
        prompt=job.prompt,
        thumbnail=thumbnail,
        created_at=job.created_at,
        run_from=run_from,
        elapsed_s=max(0, round((until - run_from).total_seconds())),
        expected_s=expected,
        eta_s=_eta(job, expected, running_for),
        attempts=attempts_view(job),
    )
    if job.status == JobStatus.REVIEW:
        item.review_why = review_why(workspace, job)
        item.review_next = REVIEW_NEXT
    return item


def rail_jobs(*, workspace: Any) -> list[RailJob]:
    """Every running job (however old), then the most recent ended ones."""
    jobs = job_selectors.jobs_list(workspace=workspace)
    active = list(jobs.filter(status__in=ACTIVE).order_by("-created_at"))
    ended = list(jobs.exclude(status__in=ACTIVE).order_by("-created_at")[:RECENT_ENDED])
    everything = active + ended
    thumbs = _thumbnails(workspace, everything)
    now = timezone.now()
    return [
        rail_job(j, workspace=workspace, thumbnail=thumbs[j.public_id], now=now) for j in everything
    ]


def job_view(job: Job, *, workspace: Any) -> RailJob:
    thumbs = _thumbnails(workspace, [job])
    return rail_job(job, workspace=workspace, thumbnail=thumbs[job.public_id], now=timezone.now())

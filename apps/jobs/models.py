from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.accounts.models import ApiKey, Workspace
from apps.billing.models import CreditHold
from apps.core.models import BaseModel, PublicIdField
from apps.gallery.models import Asset
from apps.jobs.jobrecord import JobQuerySet, changing


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    REVIEW = "review", "In review"
    RUNNING = "running", "Running"
    DELIVERING = "delivering", "Delivering"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"
    REJECTED = "rejected", "Rejected"


TERMINAL = frozenset(
    {JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELLED, JobStatus.REJECTED}
)
# Jobs that count against the tier's concurrent-job limit.
ACTIVE = frozenset({JobStatus.QUEUED, JobStatus.REVIEW, JobStatus.RUNNING, JobStatus.DELIVERING})


class Job(BaseModel):
    """One generate or process request, from acceptance to a terminal state. Status only
    changes in apps/jobs/services.py, by compare-and-set on the locked row."""

    public_id = PublicIdField(prefix="job")
    # No index of its own: every index in Meta leads with it (one less write per job row).
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="jobs", db_index=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The key the job was submitted with; null for the dashboard (a session) and visitors.
    api_key = models.ForeignKey(
        ApiKey, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    method = models.CharField(max_length=32)
    model = models.CharField(max_length=120, help_text="Catalog model id.")
    provider = models.CharField(max_length=32)
    provider_model = models.CharField(max_length=200, blank=True)
    # Run on the in-app provider sandbox (PROVIDER_SANDBOX): a placeholder result.
    sandbox = models.BooleanField(default=False)
    prompt = models.TextField(blank=True)
    # The normalised parameters preflight produced (what the provider is sent).
    params = models.JSONField(default=dict, blank=True)
    # Input role (image, end_image, audio, video) -> asset public id.
    inputs = models.JSONField(default=dict, blank=True)
    notes = models.JSONField(default=list, blank=True)

    status = models.CharField(
        max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED, db_index=True
    )
    progress = models.PositiveSmallIntegerField(default=0)
    stage = models.CharField(max_length=120, blank=True)
    error_code = models.CharField(max_length=40, blank=True)
    error_message = models.TextField(blank=True)
    error_retryable = models.BooleanField(default=False)

    credits_estimated = models.PositiveIntegerField(default=0, help_text="Credits quoted.")
    credits_held = models.PositiveIntegerField(default=0, help_text="Credits held (credits).")
    credits_charged = models.PositiveIntegerField(default=0, help_text="Credits captured.")
    # Seconds of video delivered (the probed result), kept here so usage reports survive the
    # result asset's deletion and read one table (apps/jobs/usage.py).
    output_seconds = models.FloatField(default=0)
    hold = models.OneToOneField(
        CreditHold, null=True, blank=True, on_delete=models.PROTECT, related_name="job"
    )
    result_asset = models.ForeignKey(
        Asset, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    provider_task_id = models.CharField(max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Provider submissions.")
    # Fallbacks (apps/jobs/fallback.py). fallback_models: the ids asked for, as checked.
    # fallbacks: the candidates not tried yet, in order, each as preflight resolved it:
    # {model, provider, provider_model, params, sandbox, credits}.
    fallback_models = models.JSONField(default=list, blank=True)
    fallbacks = models.JSONField(default=list, blank=True)
    # Every model tried: [{model, provider, error: {code, message} | null, at}] (the API's
    # `attempts`).
    attempt_log = models.JSONField(default=list, blank=True)
    polls = models.PositiveIntegerField(default=0)
    # NULL, not "", when absent: the unique constraint must not treat absent keys as equal.
    idempotency_key = models.CharField(max_length=255, null=True, blank=True)  # noqa: DJ001
    request_hash = models.CharField(max_length=64, blank=True)
    # The job this one re-runs with a new prompt (a remix), if any.
    remixed_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A one-off destination for this job's terminal event (apps/webhooks), if given.
    webhook_url = models.CharField(max_length=2048, blank=True)

    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    deadline_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # Touched while an inline (local engine) run is alive; a stale one means a lost worker.
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    objects = JobQuerySet.as_manager()

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Every write to a job invalidates the status read's copy (apps/jobs/jobrecord.py).
        if self._state.adding or kwargs.get("force_insert"):
            super().save(*args, **kwargs)
            return
        with changing([self.pk]):
            super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        with changing([self.pk]):
            return super().delete(*args, **kwargs)

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "-created_at"]),
            # Usage reports (apps/jobs/usage.py) read a workspace's date range from this
            # index alone (an index-only scan on PostgreSQL): every column they aggregate
            # is carried in it. Other databases ignore INCLUDE.
            models.Index(
                fields=["workspace", "created_at"],
                include=[
                    "status",
                    "method",
                    "model",
                    "provider",
                    "api_key",
                    "credits_charged",
                    "output_seconds",
                    "completed_at",
                ],
                name="job_usage_idx",
            ),
            models.Index(fields=["workspace", "status"]),
            # Admission's count of a workspace's jobs in flight, under its lock on every
            # submit (apps/jobs/admission.py): only the jobs in flight are in it, so the
            # count never reads a workspace's history or its dead row versions, whatever
            # plan the statistics of the day would pick.
            models.Index(
                fields=["workspace"],
                condition=Q(status__in=sorted(ACTIVE)),
                name="job_active_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="job_idempotency_key_unique",
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="job_progress_max_100"),
        ]

    def __str__(self) -> str:
        return f"{self.public_id} {self.model} ({self.status})"

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL


class JobEvent(models.Model):
    """The audit trail: one row per status transition (and notable happenings)."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="events")
    created_at = models.DateTimeField(auto_now_add=True)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    message = models.CharField(max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ("created_at", "id")

    def __str__(self) -> str:
        return f"{self.job_id}: {self.from_status} -> {self.to_status}"


class AnonymousJob(models.Model):
    """Marks a job submitted without an account under the free perk (docs/jobs.md). The
    visitor holds the only key to it: a capability token, of which only the SHA-256 is
    kept. The job itself lives in the system anonymous workspace."""

    job = models.OneToOneField(Job, on_delete=models.CASCADE, related_name="anonymous")
    token_sha256 = models.CharField(max_length=64, unique=True)
    client_address = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"anonymous {self.job_id}"


class ExportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"


class WorkspaceExport(BaseModel):
    """One export of a workspace (apps/jobs/export.py): a zip of its records as JSON and
    its media, built by `jobs.build_workspace_export`, kept until `expires_at`."""

    public_id = PublicIdField(prefix="exp")
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="exports")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        max_length=16, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(default=0)
    storage_key = models.CharField(max_length=512, blank=True)
    size_bytes = models.BigIntegerField(default=0, help_text="Size of the zip (bytes).")
    error_message = models.TextField(blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # The zip is deleted (and the row with it) once this has passed.
    expires_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["workspace", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.public_id} ({self.status})"

"""A job's status changes as outgoing webhook events (apps/webhooks).

Called inside the transaction of the transition, so the outbox row commits or rolls back
with it. `data` is exactly the job object of GET /api/v1/tasks/{id}, its result links
signed for WEBHOOKS_RESULT_URL_TTL_S (longer than the whole retry schedule)."""

from typing import Any

from django.conf import settings

from apps.jobs.api.serializers import JobSerializer
from apps.jobs.models import TERMINAL, Job, JobStatus
from apps.webhooks.models import Event
from apps.webhooks.selectors import endpoints_subscribed
from apps.webhooks.services import event_emit

STATUS_EVENTS = {
    JobStatus.COMPLETED: Event.TASK_COMPLETED,
    JobStatus.FAILED: Event.TASK_FAILED,
    JobStatus.CANCELLED: Event.TASK_CANCELLED,
    JobStatus.REJECTED: Event.TASK_REJECTED,
    JobStatus.REVIEW: Event.TASK_REVIEW,
}


def job_payload(*, job: Job) -> dict[str, Any]:
    serializer = JobSerializer(job, context={"url_ttl": settings.WEBHOOKS_RESULT_URL_TTL_S})
    return dict(serializer.data)


def job_event_emit(*, job: Job) -> None:
    """Emits the event of the job's current status, if it has one: to the workspace's
    subscribed endpoints, and for a terminal state also to the job's own webhook_url."""
    event = STATUS_EVENTS.get(JobStatus(job.status))
    if event is None:
        return
    one_off = job.webhook_url if job.status in TERMINAL else ""
    if not one_off and not endpoints_subscribed(workspace=job.workspace, event=event):
        return  # nobody listens: skip serialising the job
    data = job_payload(job=job)
    user = job.created_by
    user_id = user.public_id if user is not None else None
    event_emit(workspace=job.workspace, event=event, data=data, user_id=user_id)
    if one_off:
        event_emit(workspace=job.workspace, event=event, data=data, url=one_off)

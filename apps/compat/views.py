"""The base every compat view builds on."""

from collections.abc import Callable
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.views import APIView

from apps.accounts.authentication import request_api_key
from apps.jobs import services
from apps.jobs.models import Job


@extend_schema(exclude=True)
class CompatView(APIView):
    """A view of another vendor's API. Its wire format is that vendor's contract (see
    docs/compat.md), so it stays out of our OpenAPI document. Each dialect sets
    `exception_handler` to render errors in its own shape."""

    exception_handler: Callable[[Exception, dict[str, Any]], Any] | None = None
    # A POST's key lookup reads the process copies' versions along (submit_job hands
    # them to job_submit), so a compat submit makes no cache round trip of its own.
    prefetched_versions = True

    def get_exception_handler(self) -> Any:
        if self.exception_handler is not None:
            return type(self).exception_handler
        return super().get_exception_handler()


def submit_job(
    request: Request, data: dict[str, Any], files: dict[str, Any] | None = None, **extra: Any
) -> tuple[Job, bool]:
    """Accepts a job exactly as /api/v1/generate does (same keys, hold, moderation), under
    the request's `Idempotency-Key`; (job, created)."""
    return services.job_submit(
        workspace=request.workspace,
        user=request.user,
        data=data,
        files=files,
        idempotency_key=request.headers.get("Idempotency-Key") or None,
        api_key=request_api_key(request),
        copy_versions=getattr(request, "prefetched_versions", None),
        **extra,
    )

from functools import partial
from typing import Any

from django.urls import path
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.urls import urlpatterns as real_patterns


class BareView(APIView):
    """The baseline: DRF with no authentication, permission, throttle or database."""

    authentication_classes = ()
    permission_classes = (AllowAny,)
    throttle_classes = ()

    def get(self, request: Request) -> Response:
        return Response({"ok": True})


class AuthenticatedBareView(APIView):
    """The platform's floor for any API call: the real API-key authentication, workspace
    resolution and rate limit, then a constant answer."""

    def get(self, request: Request) -> Response:
        return Response({"ok": True})


# --- The submit's floors (bench/submit_floor.py) ----------------------------------------
# What a submit costs when everything but its durable writes is taken away: the real key
# authentication and rate limit, then a copy of a job the real submit accepted once, with
# no body parsed, no preflight, screening or price, and a constant answer. Their ratios to
# the bare view bound what any submit that accepts synchronously into PostgreSQL can reach.

_NOT_COPIED = {
    "id",
    "public_id",
    "hold_id",
    "credits_held",
    "created_at",
    "updated_at",
    "workspace_id",
    "created_by_id",
    "api_key_id",
}
_templates: dict[int, Any] = {}


def _copy(request: Request) -> tuple[Any, Any]:
    """A new job (unsaved, QUEUED) and its first event, as the real submit builds them for
    bench/jobs_api.py's body, for the request's workspace."""
    from apps.jobs.models import Job, JobEvent
    from apps.jobs.services import job_submit
    from bench.jobs_api import JOB

    workspace = request.auth.workspace
    template = _templates.get(workspace.pk)
    if template is None:
        template = _templates[workspace.pk] = job_submit(
            workspace=workspace, user=request.user, data=dict(JOB), api_key=request.auth
        )[0]
    job = Job(
        **{
            field.attname: getattr(template, field.attname)
            for field in Job._meta.concrete_fields
            if field.attname not in _NOT_COPIED
        }
    )
    # The instances the real submit sets, so that nothing reads them back.
    job.workspace, job.created_by, job.api_key = workspace, request.user, request.auth
    event = JobEvent(
        to_status=job.status,
        message="Accepted",
        data={"credits": 1, "held": 1, "fallback_models": [], "switched_from": None},
    )
    return job, event


class AcceptFloorView(APIView):
    """Key authentication, then the submit's own pipelined acceptance (workspace lock,
    active-job count, hold, key budget, job and event in one round trip, one
    transaction) and the start's publish after commit."""

    def post(self, request: Request) -> Response:
        from apps.jobs.accepted import job_accept_pipelined
        from apps.jobs.submit import _accept_pipelined

        job, event = _copy(request)
        accept = partial(
            job_accept_pipelined,
            workspace=request.auth.workspace,
            job=job,
            event=event,
            credits=1,
            description="bench floor",
            api_key_id=request.auth.pk,
        )
        if not _accept_pipelined(job, accept):
            # The step-by-step path would decide: not the floor this view measures.
            return Response({"detail": "not accepted by the pipelined path"}, status=409)
        return Response({"id": job.public_id}, status=202)


class InsertFloorView(APIView):
    """Key authentication, then only the job and its event, one INSERT statement in
    autocommit: no lock, no count, no hold, no publish."""

    def post(self, request: Request) -> Response:
        from apps.jobs.accepted import job_accepted_insert

        job, event = _copy(request)
        job_accepted_insert(job=job, event=event)
        return Response({"id": job.public_id}, status=202)


# Under /api/ like every API route, so they get the API's treatment: a request with a key
# skips the browser-only middleware (apps/core/middleware.BrowserOnly), one without runs it.
urlpatterns = [
    path("api/bare", BareView.as_view()),
    path("api/bare-auth", AuthenticatedBareView.as_view()),
    path("api/bench/accept-floor", AcceptFloorView.as_view()),
    path("api/bench/insert-floor", InsertFloorView.as_view()),
    *real_patterns,
]

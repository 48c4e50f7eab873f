"""The Webhooks page: owners and admins add endpoints, see a secret once, send tests, read
the delivery log and retry. It calls the same services as the API and shows an
ApplicationError's message, never a traceback. Members get 403, as in the API: the log
holds receivers' responses, which the API does not show them either."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from apps.accounts.decorators import workspace_required
from apps.core.errors import NotFound, PermissionDenied
from apps.core.exceptions import error_response
from apps.core.pages import run_action
from apps.webhooks import selectors, services
from apps.webhooks.forms import EndpointForm
from apps.webhooks.models import MessageStatus, WebhookEndpoint

DELIVERIES_PER_PAGE = 25
# The log's status badges reuse the job badges' colours.
STATUS_BADGE = {
    MessageStatus.PENDING: "status-running",
    MessageStatus.SUCCEEDED: "status-completed",
    MessageStatus.FAILED: "status-failed",
}


def _manager_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @workspace_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.membership.can_manage:  # type: ignore[attr-defined]
            return error_response(
                request,
                PermissionDenied("Only the workspace's owners and admins manage webhooks."),
            )
        return view(request, *args, **kwargs)

    return wrapper


def _endpoint_or_404(request: HttpRequest, endpoint_id: str) -> WebhookEndpoint:
    try:
        return selectors.endpoint_get(workspace=request.workspace, public_id=endpoint_id)  # type: ignore[attr-defined]
    except NotFound:
        raise Http404("No such webhook endpoint.") from None


@_manager_required
def webhooks_page(request: HttpRequest) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    form = EndpointForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        created = run_action(
            request,
            lambda: services.endpoint_create(
                membership=membership,
                url=form.cleaned_data["url"],
                events=form.cleaned_data["events"],
                description=form.cleaned_data["description"],
            ),
            "Endpoint added. Copy its signing secret now: it will not be shown again.",
        )
        if created:
            form = EndpointForm()
    endpoints = selectors.endpoints_list(workspace=membership.workspace).order_by("-created_at")
    return render(
        request,
        "webhooks/list.html",
        {
            "form": form,
            "endpoints": endpoints,
            "new_endpoint": created[0] if created else None,
            "new_secret": created[1] if created else None,
            "limit": membership.workspace.tier.max_webhook_endpoints,
        },
    )


def _detail(
    request: HttpRequest,
    endpoint: WebhookEndpoint,
    *,
    form: EndpointForm | None = None,
    new_secret: str | None = None,
) -> HttpResponse:
    status = request.GET.get("status", "")
    status = status if status in MessageStatus.values else ""
    deliveries = selectors.messages_list(
        workspace=request.workspace,  # type: ignore[attr-defined]
        endpoint=endpoint,
        status=status or None,
    ).order_by("-created_at", "-id")
    page = Paginator(deliveries, DELIVERIES_PER_PAGE).get_page(request.GET.get("page"))
    overlap = endpoint.previous_secret_expires_at
    return render(
        request,
        "webhooks/detail.html",
        {
            "endpoint": endpoint,
            "form": form
            or EndpointForm(
                initial={
                    "url": endpoint.url,
                    "description": endpoint.description,
                    "events": endpoint.events,
                }
            ),
            "new_secret": new_secret,
            "disable_after_days": settings.WEBHOOKS_DISABLE_AFTER_S / 86400,
            "old_secret_until": overlap if overlap and overlap > timezone.now() else None,
            "status": status,
            "statuses": MessageStatus.choices,
            "deliveries": [(m, STATUS_BADGE[m.status]) for m in page.object_list],
            "page": page,
        },
    )


@_manager_required
def endpoint_page(request: HttpRequest, endpoint_id: str) -> HttpResponse:
    """The endpoint, its actions and its delivery log; a POST changes its settings."""
    endpoint = _endpoint_or_404(request, endpoint_id)
    if request.method != "POST":
        return _detail(request, endpoint)
    form = EndpointForm(request.POST)
    if form.is_valid():
        changed = run_action(
            request,
            lambda: services.endpoint_update(
                endpoint=endpoint,
                url=form.cleaned_data["url"],
                events=form.cleaned_data["events"],
                description=form.cleaned_data["description"],
            ),
            "Endpoint saved.",
        )
        if changed:
            return redirect("webhooks:detail", endpoint_id=endpoint.public_id)
        endpoint.refresh_from_db()
    return _detail(request, endpoint, form=form)


@_manager_required
@require_POST
def endpoint_test(request: HttpRequest, endpoint_id: str) -> HttpResponse:
    endpoint = _endpoint_or_404(request, endpoint_id)
    # The service only writes the message; a worker sends it once this request commits.
    run_action(
        request,
        lambda: services.endpoint_send_test(endpoint=endpoint),
        "Test event queued: it is sent in the background and shows in the log below.",
    )
    return redirect("webhooks:detail", endpoint_id=endpoint.public_id)


@_manager_required
@require_POST
def endpoint_rotate_secret(request: HttpRequest, endpoint_id: str) -> HttpResponse:
    endpoint = _endpoint_or_404(request, endpoint_id)
    secret = run_action(
        request,
        lambda: services.endpoint_rotate_secret(endpoint=endpoint),
        "Secret rotated. Copy the new one now: it will not be shown again.",
    )
    if secret is None:
        return redirect("webhooks:detail", endpoint_id=endpoint.public_id)
    endpoint.refresh_from_db()
    return _detail(request, endpoint, new_secret=secret)


@_manager_required
@require_POST
def endpoint_enabled(request: HttpRequest, endpoint_id: str) -> HttpResponse:
    endpoint = _endpoint_or_404(request, endpoint_id)
    enable = request.POST.get("enabled") == "1"
    run_action(
        request,
        lambda: services.endpoint_update(endpoint=endpoint, enabled=enable),
        "Endpoint enabled." if enable else "Endpoint disabled: nothing is sent to it.",
    )
    return redirect("webhooks:detail", endpoint_id=endpoint.public_id)


@_manager_required
@require_POST
def endpoint_delete(request: HttpRequest, endpoint_id: str) -> HttpResponse:
    endpoint = _endpoint_or_404(request, endpoint_id)
    url = endpoint.url
    run_action(request, lambda: services.endpoint_delete(endpoint=endpoint), f"Deleted {url}.")
    return redirect("webhooks:list")


@_manager_required
@require_POST
def delivery_retry(request: HttpRequest, endpoint_id: str, delivery_id: str) -> HttpResponse:
    endpoint = _endpoint_or_404(request, endpoint_id)
    try:
        message = selectors.message_get(
            workspace=request.workspace,  # type: ignore[attr-defined]
            endpoint=endpoint,
            public_id=delivery_id,
        )
    except NotFound:
        raise Http404("No such delivery.") from None
    run_action(
        request,
        lambda: services.message_retry(message=message),
        f"Delivery {message.public_id} queued again, with the same webhook-id.",
    )
    return redirect("webhooks:detail", endpoint_id=endpoint.public_id)

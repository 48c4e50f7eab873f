"""The staff queue page: figures, open cases with their prompt, media and reports, and
one-click decisions (POST forms). Everyone else gets 403."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from apps.core.errors import ApplicationError, NotFound
from apps.gallery import storage
from apps.moderation import selectors, services
from apps.moderation.models import CaseState, SubjectType

PAGE_SIZE = 25


def _staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_staff:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _card(case: Any, asset: Any, reports: list[Any]) -> dict[str, Any]:
    key = asset.storage_key if asset is not None else case.media_key
    kind = asset.kind if asset is not None else case.media_kind
    return {
        "case": case,
        "media_url": storage.signed_url(key) if key else None,
        "media_kind": kind,
        "reports": reports[:20],
        "scores": sorted(case.scores.items(), key=lambda kv: -kv[1]),
    }


@_staff_required
def queue_page(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", CaseState.OPEN)
    state = state if state in CaseState.values else None
    subject_type = request.GET.get("subject_type")
    subject_type = subject_type if subject_type in SubjectType.values else None
    cases = selectors.cases_list(state=state, subject_type=subject_type).order_by(
        "-priority", "opened_at", "id"
    )
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    media = selectors.cases_media(cases=list(page.object_list))
    return render(
        request,
        "moderation/queue.html",
        {
            "page": page,
            "cards": [_card(case, *media[case.pk]) for case in page.object_list],
            "stats": selectors.moderation_stats(),
            "states": CaseState.choices,
            "subject_types": SubjectType.choices,
            "filters": {"state": state or "", "subject_type": subject_type or ""},
        },
    )


@_staff_required
@require_POST
def case_decide(request: HttpRequest, case_id: str) -> HttpResponse:
    try:
        case = selectors.case_get(public_id=case_id)
    except NotFound:
        raise Http404("No such case.") from None
    action = request.POST.get("action")
    reason = request.POST.get("reason", "")
    try:
        if action == "claim":
            services.case_claim(case=case, user=request.user)  # type: ignore[arg-type]
            messages.success(request, f"{case.public_id} is yours.")
        elif action in ("approve", "reject"):
            services.case_decide(
                case=case,
                user=request.user,  # type: ignore[arg-type]
                approve=action == "approve",
                reason=reason,
            )
            messages.success(request, f"{case.public_id} {action}d.")
        else:
            messages.error(request, "Unknown action.")
    except ApplicationError as exc:
        messages.error(request, exc.message)
    nxt = request.POST.get("next") or ""
    if nxt.startswith("/") and not nxt.startswith("//"):
        return redirect(nxt)
    return redirect("moderation:queue")

"""The Workspace page (owners only): export the workspace and download the zip, close
it, and — on the page a closed workspace shows instead of every other — reopen it."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from apps.accounts.decorators import workspace_required
from apps.core.errors import ApplicationError
from apps.core.exceptions import error_response
from apps.core.pages import run_action
from apps.jobs import closure, export

RECENT_EXPORTS = 5


@workspace_required
def workspace_settings(request: HttpRequest) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    try:
        export.require_owner(membership)
    except ApplicationError as exc:
        return error_response(request, exc)
    exports = [
        (item, export.export_download_url(item))
        for item in export.exports_list(workspace=membership.workspace)[:RECENT_EXPORTS]
    ]
    return render(request, "dashboard/workspace.html", {"exports": exports})


@workspace_required
@require_POST
def workspace_export(request: HttpRequest) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    run_action(
        request,
        lambda: export.export_start(actor=membership),
        "Export started: the link appears here when the zip is ready.",
    )
    return redirect("dashboard:workspace")


@workspace_required
@require_POST
def workspace_close(request: HttpRequest) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    run_action(
        request,
        lambda: closure.workspace_close(actor=membership, confirm=request.POST.get("confirm")),
        "The workspace is closed.",
    )
    return redirect("dashboard:workspace")


@require_POST
def _reopen(request: HttpRequest) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    run_action(
        request,
        lambda: closure.workspace_reopen(actor=membership),
        "The workspace is open again. API keys revoked at closure stay revoked.",
    )
    return redirect("dashboard:workspace")


_reopen.allows_closed_workspace = True  # type: ignore[attr-defined]
workspace_reopen = workspace_required(_reopen)

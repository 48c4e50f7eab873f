"""For pages: the session user must belong to a workspace (request.workspace set by
WorkspaceMiddleware); one without gets the "no workspace" page instead of an error."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def workspace_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        membership = getattr(request, "membership", None)
        if membership is None:
            return render(request, "dashboard/no_workspace.html", status=403)
        if membership.workspace.closed_at is not None and not getattr(
            view, "allows_closed_workspace", False
        ):
            return render(
                request,
                "dashboard/workspace_closed.html",
                {"workspace": membership.workspace, "membership": membership},
                status=403,
            )
        return view(request, *args, **kwargs)

    return wrapper

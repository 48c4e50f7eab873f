"""Helpers shared by the apps' web pages."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest

from apps.core.errors import ApplicationError


def run_action(request: HttpRequest, action: Callable[[], Any], success: str) -> Any:
    """Runs a page's service call: its ApplicationError becomes an error message on the
    page (never a traceback), success a success message. Returns the result, or None."""
    try:
        result = action()
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return None
    if success:
        messages.success(request, success)
    return result

from typing import Any

from django.http import HttpRequest

from apps.accounts.selectors import user_memberships


def workspace(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "current_workspace": getattr(request, "workspace", None),
        "current_membership": getattr(request, "membership", None),
        # Lazily evaluated by the template's switcher.
        "my_memberships": user_memberships(user=user),  # type: ignore[arg-type]
    }

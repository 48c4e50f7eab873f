"""What an API key may do: its `scopes`, and the scope each API operation needs.

Views declare `required_scope`: one scope for every method, or a dict by HTTP method.
Reads (GET, HEAD, OPTIONS) default to `read`; any other method must be declared, and an
undeclared one needs `admin` at run time (closed by default). tests/accounts/
test_scope_meta.py fails for any API URL whose methods do not all resolve to a declared
scope, so a new endpoint cannot be forgotten. Session (dashboard) users are not limited
by scopes: they are the people the keys stand in for."""

from typing import Any

from django.db import models

from apps.core.errors import PermissionDenied


class Scope(models.TextChoices):
    READ = "read", "Read"
    JOBS = "jobs", "Jobs"
    UPLOADS = "uploads", "Uploads"
    BILLING = "billing", "Billing"
    ADMIN = "admin", "Admin"


ALL_SCOPES: tuple[str, ...] = tuple(Scope.values)
DEFAULT_SCOPES: tuple[str, ...] = tuple(s for s in ALL_SCOPES if s != Scope.ADMIN)
# For endpoints anyone may call (signed provider/Stripe callbacks, the public gallery):
# a key sent along is not asked for any scope.
PUBLIC = "public"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def default_scopes() -> list[str]:
    return list(DEFAULT_SCOPES)


def declared_scope(view: Any, method: str) -> str | None:
    """The scope `view` declares for `method`, or None when it declares none."""
    method = method.upper()
    declared = getattr(view, "required_scope", None)
    if isinstance(declared, dict):
        declared = declared.get(method, declared.get("*"))
    if declared is None and method in SAFE_METHODS:
        return Scope.READ
    return None if declared is None else str(declared)


def required_scope(view: Any, method: str) -> str:
    return declared_scope(view, method) or Scope.ADMIN


def scope_check(*, scopes: list[str], view: Any, method: str) -> None:
    """403 PERMISSION_DENIED naming the scope when the key's `scopes` lack it."""
    needed = required_scope(view, method)
    if needed == PUBLIC or needed in scopes:
        return
    raise PermissionDenied(
        f"This API key lacks the '{needed}' scope this operation needs; its scopes are: "
        f"{', '.join(scopes) or 'none'}. An owner or admin can add it.",
        details={"required_scope": needed, "scopes": list(scopes)},
    )

"""`record(...)`: the one way to write the audit log (docs/operations.md, "Audit log and
retention").

Services call it where the audited change happens, inside the same transaction, so the
row exists exactly when the change does. The request (for the actor, IP and user agent)
is taken from `request=` when the caller has it, else from the request being served
(`WorkspaceMiddleware` keeps it in a context variable), so services deep down — billing,
moderation — need no request parameter. Outside a request (Celery tasks, Stripe events,
management commands) the actor is whoever the caller names, or "system"."""

import contextvars
import datetime as dt
import ipaddress
import re
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from apps.accounts.audit_models import AuditAction, AuditEvent
from apps.accounts.models import ApiKey
from apps.core.throttling import client_address

_current_request: contextvars.ContextVar[Any] = contextvars.ContextVar(
    "audit_current_request", default=None
)
USER_AGENT_MAX = 512
# PostgreSQL text refuses NUL; other control characters are noise in a log.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def request_bind(request: Any) -> contextvars.Token[Any]:
    """Makes `request` the one `record` falls back to until `request_unbind`."""
    return _current_request.set(request)


def request_unbind(token: contextvars.Token[Any]) -> None:
    _current_request.reset(token)


def current_request() -> Any:
    return _current_request.get()


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def target_of(obj: Model) -> tuple[str, str]:
    """("api_key", "key_…") for a model instance with a public id (its pk otherwise)."""
    public_id = getattr(obj, "public_id", None) or str(obj.pk or "")
    return _snake(type(obj).__name__), str(public_id)


def _ip(request: Any) -> str | None:
    address = client_address(request)
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def _user_agent(request: Any) -> str:
    if request is None:
        return ""
    return _CONTROL.sub("", str(request.META.get("HTTP_USER_AGENT", "")))[:USER_AGENT_MAX]


def _actor_from(request: Any) -> tuple[Any, Any]:
    """(user, api_key) of the request: an API key stands for the user who created it."""
    auth = getattr(request, "auth", None)
    if isinstance(auth, ApiKey):
        return auth.created_by, auth
    user = getattr(request, "user", None)
    if user is not None and getattr(user, "is_authenticated", False):
        return user, None
    return None, None


def _label(user: Any, api_key: Any) -> str:
    if api_key is not None:
        owner = f"{user.email} " if user is not None else ""
        return f"{owner}(API key {api_key.public_id} '{api_key.name}')"[:255]
    if user is not None:
        return str(user.email)[:255]
    return ""


def record(
    *,
    action: str,
    workspace: Any = None,
    target: Model | None = None,
    target_type: str = "",
    target_id: str = "",
    details: dict[str, Any] | None = None,
    request: Any = None,
    actor_user: Any = None,
    actor_api_key: Any = None,
    actor_label: str = "",
) -> AuditEvent:
    """Writes one audit event. An explicit actor wins over the request's; `actor_label`
    alone names a non-user actor ("stripe", "system")."""
    if action not in AuditAction.values:
        raise ValueError(f"unknown audit action {action!r}")
    request = request if request is not None else current_request()
    if request is not None and actor_api_key is None and not actor_label:
        request_user, request_key = _actor_from(request)
        if actor_user is None:
            actor_user, actor_api_key = request_user, request_key
        elif request_key is not None and request_key.created_by_id == actor_user.pk:
            actor_api_key = request_key  # the named user acted through this key
    if actor_api_key is not None and actor_user is None:
        actor_user = actor_api_key.created_by
    if target is not None:
        target_type, target_id = target_of(target)
    return AuditEvent.objects.create(
        action=action,
        workspace=workspace,
        actor_user=actor_user,
        actor_api_key=actor_api_key,
        actor_label=actor_label[:255] or _label(actor_user, actor_api_key) or "system",
        target_type=target_type[:64],
        target_id=str(target_id)[:64],
        ip=_ip(request) if request is not None else None,
        user_agent=_user_agent(request),
        details=details or {},
    )


PURGE_BATCH = 5000


def _purge_batches(queryset: Any) -> int:
    """Deletes the rows of `queryset` in batches, each in its own transaction that sets
    `reelsmith.audit_purge` (the one thing the PostgreSQL trigger lets delete)."""
    deleted = 0
    while True:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL reelsmith.audit_purge = 'on'")
            ids = list(queryset.values_list("pk", flat=True)[:PURGE_BATCH])
            if not ids:
                return deleted
            batch = AuditEvent.objects.filter(pk__in=ids)
            deleted += batch._raw_delete(batch.db)


def audit_events_purge(*, now: dt.datetime | None = None) -> int:
    """Retention: deletes events older than their workspace tier's RETENTION_AUDIT_DAYS
    (RETENTION_AUDIT_DAYS_PLATFORM for events of no workspace); 0 days keeps them."""
    now = now or timezone.now()
    deleted = 0
    for tier_name, days in settings.RETENTION_AUDIT_DAYS.items():
        if days:
            deleted += _purge_batches(
                AuditEvent.objects.filter(
                    workspace__tier__name=tier_name, at__lt=now - dt.timedelta(days=int(days))
                )
            )
    days = settings.RETENTION_AUDIT_DAYS_PLATFORM
    if days:
        deleted += _purge_batches(
            AuditEvent.objects.filter(
                workspace__isnull=True, at__lt=now - dt.timedelta(days=int(days))
            )
        )
    return deleted

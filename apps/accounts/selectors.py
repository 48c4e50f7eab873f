"""Reads of tenant data. Every selector takes the workspace first; another tenant's row
and a missing row both raise the same NotFound."""

import functools
from typing import Any

from django.db import connection
from django.db.models import Model, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from apps.accounts.budgets import month_of
from apps.accounts.models import ApiKey, ApiKeyMonthlySpend, Membership, Tier, User, Workspace
from apps.core.errors import NotFound


def membership_for(*, user: User, workspace: Workspace) -> Membership | None:
    return Membership.objects.filter(user=user, workspace=workspace).first()


def user_memberships(*, user: User) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user)
        .select_related("workspace", "workspace__tier")
        .order_by("workspace__name", "workspace__id")
    )


def user_active_membership(*, user: User) -> Membership | None:
    """The user's active workspace, falling back to the first one they belong to."""
    memberships = user_memberships(user=user)
    if user.active_workspace_id:
        chosen = memberships.filter(workspace_id=user.active_workspace_id).first()
        if chosen:
            return chosen
    return memberships.order_by("-workspace__is_personal", "created_at").first()


def members_list(*, workspace: Workspace) -> QuerySet[Membership]:
    return Membership.objects.filter(workspace=workspace).select_related("user")


def membership_get(*, workspace: Workspace, public_id: str) -> Membership:
    try:
        return members_list(workspace=workspace).get(public_id=public_id)
    except Membership.DoesNotExist:
        raise NotFound("No such member.") from None


def api_keys_list(*, workspace: Workspace) -> QuerySet[ApiKey]:
    """With `spent_this_month` (credits held + captured this UTC month)."""
    spend = ApiKeyMonthlySpend.objects.filter(api_key=OuterRef("pk"), month=month_of())
    return (
        ApiKey.objects.filter(workspace=workspace)
        .select_related("created_by")
        .annotate(spent_this_month=Coalesce(Subquery(spend.values("credits")[:1]), 0))
    )


def api_key_get(*, workspace: Workspace, public_id: str) -> ApiKey:
    try:
        return api_keys_list(workspace=workspace).get(public_id=public_id)
    except ApiKey.DoesNotExist:
        raise NotFound("No such API key.") from None


# The models api_key_for_prefix loads, in the order of its SELECT.
_KEY_ROW = (ApiKey, Workspace, Tier, User, Membership)


@functools.cache
def _key_sql() -> str:
    q = connection.ops.quote_name
    columns = ", ".join(
        f"{alias}.{q(str(field.column))}"
        for model, alias in zip(_KEY_ROW, "kwtum", strict=True)
        for field in model._meta.concrete_fields
    )
    k, w, t, u, m = (q(model._meta.db_table) for model in _KEY_ROW)
    # Only quoted identifiers are interpolated; the prefix is a bound parameter.
    return (
        f"SELECT {columns} FROM {k} k "  # noqa: S608
        f"JOIN {w} w ON w.id = k.workspace_id "
        f"JOIN {t} t ON t.id = w.tier_id "
        f"JOIN {u} u ON u.id = k.created_by_id "
        f"LEFT JOIN {m} m ON m.workspace_id = k.workspace_id AND m.user_id = k.created_by_id "
        "WHERE k.prefix = %s AND k.revoked_at IS NULL"
    )


@functools.cache
def _key_converters() -> list[list[Any]]:
    """Per column, the converters the ORM would apply (aware datetimes on SQLite, ...)."""
    result = []
    for model in _KEY_ROW:
        for field in model._meta.concrete_fields:
            col = field.get_col(model._meta.db_table)
            fns = connection.ops.get_db_converters(col) + field.get_db_converters(connection)
            result.append([col, fns])
    return result


def api_key_for_prefix(*, prefix: str) -> ApiKey | None:
    """The active key with this prefix, with its workspace, tier, user and the user's
    membership there (`.membership`, None once they left) — one query, written as SQL
    because this runs on every API request and building it with the ORM cost ~2 ms."""
    with connection.cursor() as cursor:
        cursor.execute(_key_sql(), [prefix])
        row = cursor.fetchone()
    if row is None:
        return None
    row = [
        _convert(value, col, fns) for value, (col, fns) in zip(row, _key_converters(), strict=True)
    ]
    loaded: list[Model | None] = []
    start = 0
    for model in _KEY_ROW:
        fields = model._meta.concrete_fields
        values = row[start : start + len(fields)]
        start += len(fields)
        names = [f.attname for f in fields]
        loaded.append(None if values[0] is None else model.from_db(connection.alias, names, values))
    api_key, workspace, tier, user, membership = loaded
    assert isinstance(api_key, ApiKey) and isinstance(workspace, Workspace)
    workspace.tier = tier  # type: ignore[assignment]
    api_key.workspace = workspace
    api_key.created_by = user  # type: ignore[assignment]
    if isinstance(membership, Membership):
        membership.workspace = workspace
        membership.user = user  # type: ignore[assignment]
    api_key.membership = membership  # type: ignore[attr-defined]
    return api_key


def _convert(value: Any, col: Any, fns: list[Any]) -> Any:
    for fn in fns:
        value = fn(value, col, connection)
    return value

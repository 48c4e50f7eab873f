"""An API key's monthly credit budget (`ApiKey.monthly_credit_limit`).

Billing's hold, capture and release call these while they hold the workspace's
credit-account lock, so the check and the hold are one atomic step: two concurrent
submits with one key are serialised on that lock, and the second sees the first's
spend. The per-month row is also locked (`select_for_update`) so the tally stays exact
even for a caller that did not take the account lock first."""

import datetime as dt
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from apps.accounts.models import ApiKey, ApiKeyMonthlySpend
from apps.core.compiled import bound_cursor
from apps.core.errors import ApplicationError, ErrorCode


class KeyBudgetExceeded(ApplicationError):
    code = ErrorCode.KEY_BUDGET_EXCEEDED
    status = 402
    default_message = "This API key has reached its monthly credit limit."

    def __init__(self, *, limit: int, remaining: int, required: int) -> None:
        super().__init__(
            f"This API key may spend {limit} credits per calendar month (UTC); {remaining} "
            f"are left and this needs {required}. An owner or admin can raise the key's "
            "monthly_credit_limit, or wait for the next month.",
            details={"limit": limit, "remaining": remaining, "required": required},
        )


def month_of(when: dt.datetime | None = None) -> dt.date:
    when = (when or timezone.now()).astimezone(dt.UTC)
    return when.date().replace(day=1)


def _locked_row(*, api_key_id: int, month: dt.date) -> ApiKeyMonthlySpend:
    row = (
        ApiKeyMonthlySpend.objects.select_for_update()
        .filter(api_key_id=api_key_id, month=month)
        .first()
    )
    if row is not None:
        return row
    try:
        with transaction.atomic():
            ApiKeyMonthlySpend.objects.create(api_key_id=api_key_id, month=month)
    except IntegrityError:
        pass  # created by a concurrent caller; lock theirs
    return ApiKeyMonthlySpend.objects.select_for_update().get(api_key_id=api_key_id, month=month)


# key_budget_take's one statement (plain SQL: the ORM's version cost more to build than
# to run). A key with no limit (NULL) always fits.
_TAKE = """
UPDATE accounts_apikeymonthlyspend SET credits = credits + %s
WHERE api_key_id = %s AND month = %s
  AND credits + %s <= COALESCE(
    (SELECT k.monthly_credit_limit FROM accounts_apikey k WHERE k.id = %s), credits + %s
  )
"""


def key_budget_take(*, api_key_id: int, credits: int, when: dt.datetime | None = None) -> None:
    """Adds `credits` to the key's spend this month, or raises KeyBudgetExceeded (402)
    when that would pass its limit. The limit is read here, inside the transaction, so a
    change made a moment ago applies. Must run inside the caller's transaction.

    One statement in the common case: the month's row is raised only if the key's limit
    (read in the same statement) still allows it; the UPDATE takes the row's lock, so the
    check and the change are one step. A first spend in the month, or a refusal, goes
    through the locked read-check-write below."""
    month = month_of(when)
    with bound_cursor() as cursor:
        key_budget_take_send(cursor, api_key_id=api_key_id, credits=credits, month=month)
        if cursor.rowcount == 1:
            return
    limit = ApiKey.objects.filter(pk=api_key_id).values_list("monthly_credit_limit", flat=True)
    limit_value = limit.first()
    row = _locked_row(api_key_id=api_key_id, month=month)
    if limit_value is not None and row.credits + credits > limit_value:
        raise KeyBudgetExceeded(
            limit=limit_value, remaining=max(0, limit_value - row.credits), required=credits
        )
    row.credits += credits
    row.save(update_fields=["credits"])


def key_budget_take_send(
    cursor: Any, *, api_key_id: int, credits: int, month: dt.date | None = None
) -> None:
    """key_budget_take's one statement, on `cursor` (a caller may send it among others
    in one round trip). Taken when `cursor.rowcount` is 1 once it ran; otherwise nothing
    changed, and key_budget_take decides (a first spend in the month, or a refusal)."""
    day = connection.ops.adapt_datefield_value(month or month_of())
    cursor.execute(_TAKE, [credits, api_key_id, day, credits, api_key_id, credits])


def key_budget_give_back(*, api_key_id: int, credits: int, month: dt.date) -> None:
    """Takes `credits` off the key's spend in `month` (a released hold, or the part of a
    hold a capture did not charge)."""
    if credits <= 0:
        return
    row = _locked_row(api_key_id=api_key_id, month=month)
    row.credits = max(0, row.credits - credits)
    row.save(update_fields=["credits"])


def api_key_spent(*, api_key: ApiKey, when: dt.datetime | None = None) -> int:
    """Credits the key spent this month (held + captured)."""
    row = ApiKeyMonthlySpend.objects.filter(api_key=api_key, month=month_of(when)).first()
    return row.credits if row else 0

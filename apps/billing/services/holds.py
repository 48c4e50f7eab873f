"""Holds: credits reserved when a job is accepted, captured on delivery or released."""

from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from apps.accounts.budgets import key_budget_give_back, key_budget_take, month_of
from apps.accounts.models import Workspace
from apps.billing.errors import InsufficientCredits
from apps.billing.models import CreditAccount, CreditHold, LedgerEntry
from apps.billing.services.core import (
    _lock_account,
    _notify_if_low,
    _post,
    _require_positive,
    _save_totals,
)
from apps.billing.signals import credits_low
from apps.core import metrics
from apps.core.compiled import InsertColumns, bound_cursor, inserted
from apps.core.errors import Conflict, ValidationError

Kind = LedgerEntry.Kind

# The take: takes the account's row lock, checks and raises `held` in one step (the WHERE
# is the same rule as the Python check in _hold_locked), and returns what the low-credit
# notice needs, the last grant included when no threshold is set. On PostgreSQL and
# SQLite (3.35+) alike.
_TAKE = """
UPDATE billing_creditaccount SET held = held + %s, updated_at = %s
WHERE workspace_id = %s AND NOT in_debt AND balance >= 0 AND balance - held >= %s
RETURNING id, balance, held, low_credit_threshold,
  CASE WHEN low_credit_threshold IS NULL THEN (
    SELECT e.credits FROM billing_ledgerentry e
    WHERE e.workspace_id = billing_creditaccount.workspace_id AND e.kind IN (%s, %s)
    ORDER BY e.created_at DESC, e.id DESC LIMIT 1
  ) END AS last_grant
"""
# On PostgreSQL the hold's INSERT rides in the take's statement (one round trip, not
# two): it inserts a row only when the take returned one, with the account's id from it.
# (Built from the model's own table and column names; values are parameters.)
_HOLD_COLUMNS = InsertColumns(CreditHold, supplied=("account_id",))
_TAKE_AND_INSERT = f"""
WITH take AS ({_TAKE}),
hold AS (
  INSERT INTO {_HOLD_COLUMNS.table} ("account_id", {_HOLD_COLUMNS.columns})
  SELECT take.id, {_HOLD_COLUMNS.placeholders} FROM take RETURNING id
)
SELECT take.id, take.balance, take.held, take.low_credit_threshold, take.last_grant, hold.id
FROM take CROSS JOIN hold
"""  # noqa: S608


def credits_hold(
    *,
    workspace: Workspace,
    credits: int,
    reference: str = "",
    description: str = "",
    idempotency_key: str | None = None,
    api_key_id: int | None = None,
    savepoint: bool = True,
) -> CreditHold:
    """Reserves credits (a job being accepted). Raises InsufficientCredits (402,
    INSUFFICIENT_CREDITS, `details.shortfall`) when `available` does not cover them, and
    refuses any hold while the workspace is in debt. With an `idempotency_key`, a repeat
    returns the hold made the first time. With `api_key_id`, the hold also counts against
    that key's monthly budget, checked under the same lock (402 KEY_BUDGET_EXCEEDED).

    savepoint=False (inside a caller's transaction): no savepoint around the hold, which
    saves two round trips; a refusal then marks the caller's transaction for rollback, so
    the caller must let the error end it (job_submit does).

    The common case is two statements on PostgreSQL: the account's UPDATE … RETURNING
    above (lock, check and change at once) with the hold's INSERT in the same statement,
    and the key budget's conditional UPDATE (on SQLite the INSERT is a statement of its
    own). Anything else (a refusal, an idempotency key, an account not opened yet)
    takes the locked read-check-write path, which also words the refusals."""
    with transaction.atomic(savepoint=savepoint):
        if not idempotency_key:
            take = HoldTake(
                workspace=workspace,
                credits=credits,
                reference=reference,
                description=description,
                api_key_id=api_key_id,
            )
            with bound_cursor() as cursor:
                take.send(cursor)
                granted = take.read(cursor)
            if granted:
                if api_key_id is not None:
                    key_budget_take(api_key_id=api_key_id, credits=credits)
                take.notify()
                return take.hold
        return _hold_locked(
            workspace=workspace,
            credits=credits,
            reference=reference,
            description=description,
            idempotency_key=idempotency_key,
            api_key_id=api_key_id,
        )


class HoldTake:
    """credits_hold's common case in three steps, so that a caller can send it among
    other statements in one round trip (psycopg's pipeline mode, job acceptance):

    - send(cursor): the account's UPDATE with the hold's INSERT, one statement (on
      SQLite, which has no INSERT inside WITH, send runs the UPDATE and the INSERT);
    - read(cursor), once the results are in: True when the take was granted (`hold` is
      written), False when not (the account is short, in debt or not opened: nothing
      was written, and credits_hold's locked path decides and words the refusal);
    - notify(), once the caller's other checks passed too: the held-credits metric on
      commit and the low-credit notice, as credits_hold gives them.

    The key budget is not part of it: credits_hold and the caller each take it."""

    def __init__(
        self,
        *,
        workspace: Workspace,
        credits: int,
        reference: str,
        description: str,
        api_key_id: int | None,
    ) -> None:
        self.workspace = workspace
        self.hold = _new_hold(
            workspace_id=workspace.pk,
            credits=credits,
            reference=reference,
            description=description,
            api_key_id=api_key_id,
        )
        self._row: tuple[Any, ...] | None = None

    def send(self, cursor: Any) -> None:
        credits = self.hold.credits
        params = [
            credits,
            connection.ops.adapt_datetimefield_value(timezone.now()),
            self.workspace.pk,
            credits,
            str(Kind.GRANT.value),
            str(Kind.PURCHASE.value),
        ]
        if connection.vendor == "postgresql":
            cursor.execute(_TAKE_AND_INSERT, params + _HOLD_COLUMNS.values(self.hold))
            return
        cursor.execute(_TAKE, params)
        row = cursor.fetchone()
        if row is not None:
            self.hold.account_id = row[0]
            self.hold.save(force_insert=True)
            self._row = (*row, self.hold.pk)

    def read(self, cursor: Any) -> bool:
        if connection.vendor == "postgresql":
            self._row = cursor.fetchone()
        if self._row is None:
            return False
        self.hold.account_id = self._row[0]
        inserted(self.hold, self._row[-1])
        return True

    def notify(self) -> None:
        assert self._row is not None
        _account_id, balance, held, threshold, last_grant, _hold_id = self._row
        credits = self.hold.credits
        _count_held(credits)
        if threshold is None:
            threshold = -(-last_grant // 10) if last_grant else 0
        available_before = balance - held + credits
        if threshold > 0 and available_before >= threshold > balance - held:
            credits_low.send(
                sender=CreditAccount,
                workspace=self.workspace,
                available=max(0, balance - held),
                threshold=threshold,
            )


def _new_hold(
    *,
    workspace_id: int,
    credits: int,
    reference: str,
    description: str,
    api_key_id: int | None,
    idempotency_key: str | None = None,
) -> CreditHold:
    """A hold not saved yet, as both paths write it (text cut to its columns)."""
    _require_positive(credits)
    return CreditHold(
        workspace_id=workspace_id,
        credits=credits,
        reference=reference[:255],
        description=description[:500],
        idempotency_key=idempotency_key or None,
        api_key_id=api_key_id,
    )


def _count_held(credits: int) -> None:
    metrics.after_commit(lambda: metrics.CREDITS_HELD.inc(credits))


def _hold_locked(
    *,
    workspace: Workspace,
    credits: int,
    reference: str,
    description: str,
    idempotency_key: str | None,
    api_key_id: int | None,
) -> CreditHold:
    """credits_hold's read-check-write path under the account lock (the caller's
    transaction)."""
    hold = _new_hold(
        workspace_id=workspace.pk,
        credits=credits,
        reference=reference,
        description=description,
        idempotency_key=idempotency_key,
        api_key_id=api_key_id,
    )
    account = _lock_account(workspace_id=workspace.pk)
    if idempotency_key:
        existing = CreditHold.objects.filter(idempotency_key=idempotency_key).first()
        if existing:
            if existing.account_id != account.pk or existing.credits != credits:
                raise Conflict(
                    "This idempotency key was already used for a different hold.",
                    details={"idempotency_key": idempotency_key},
                )
            return existing
    if account.in_debt or account.balance < 0:
        raise InsufficientCredits(required=credits, available=0, debt=account.debt)
    available = account.balance - account.held
    if available < credits:
        raise InsufficientCredits(required=credits, available=available)
    if api_key_id is not None:
        key_budget_take(api_key_id=api_key_id, credits=credits)
    account.held += credits
    _save_totals(account)
    hold.account_id = account.pk
    hold.save(force_insert=True)
    _count_held(credits)
    _notify_if_low(account, available_before=available)
    return hold


def _lock_hold(hold: CreditHold) -> tuple[CreditAccount, CreditHold]:
    account = _lock_account(workspace_id=hold.workspace_id)
    return account, CreditHold.objects.select_for_update().get(pk=hold.pk)


@transaction.atomic
def credits_capture(*, hold: CreditHold, credits: int | None = None) -> CreditHold:
    """Charges a hold (a job's result was delivered): writes a `capture` entry of
    `-credits` (default: the whole hold; a smaller amount returns the rest) and closes the
    hold. A no-op returning the hold unchanged if it was already captured or released."""
    account, hold = _lock_hold(hold)
    if hold.state != CreditHold.State.HELD:
        return hold
    amount = hold.credits if credits is None else credits
    if not isinstance(amount, int) or not 0 <= amount <= hold.credits:
        raise ValidationError(
            f"Capture between 0 and the {hold.credits} credits held.", details={"credits": amount}
        )
    available_before = account.available
    account.held -= hold.credits
    if hold.api_key_id is not None:
        # The key's budget keeps what was charged; the rest of the hold comes back.
        key_budget_give_back(
            api_key_id=hold.api_key_id,
            credits=hold.credits - amount,
            month=month_of(hold.created_at),
        )
    if amount:
        _post(
            account=account,
            kind=Kind.CAPTURE,
            credits=-amount,
            idempotency_key=f"capture:{hold.public_id}",
            reference=hold.reference,
            description=hold.description,
            hold=hold,
            allow_debt=True,  # capture never lowers `available`; it only deepens existing debt
        )
    else:
        _save_totals(account)
    hold.state = CreditHold.State.CAPTURED
    hold.captured_credits = amount
    hold.settled_at = timezone.now()
    hold.save(update_fields=["state", "captured_credits", "settled_at", "updated_at"])
    _notify_if_low(account, available_before=available_before)
    returned = hold.credits - amount

    def record() -> None:
        metrics.CREDITS_CAPTURED.inc(amount)
        metrics.CREDITS_RELEASED.inc(returned)

    metrics.after_commit(record)
    return hold


@transaction.atomic
def credits_release(*, hold: CreditHold) -> CreditHold:
    """Returns a hold's credits to `available` (the job failed or was cancelled). A no-op
    returning the hold unchanged if it was already captured or released."""
    account, hold = _lock_hold(hold)
    if hold.state != CreditHold.State.HELD:
        return hold
    available_before = account.available
    account.held -= hold.credits
    if hold.api_key_id is not None:
        key_budget_give_back(
            api_key_id=hold.api_key_id, credits=hold.credits, month=month_of(hold.created_at)
        )
    _save_totals(account)
    hold.state = CreditHold.State.RELEASED
    hold.settled_at = timezone.now()
    hold.save(update_fields=["state", "settled_at", "updated_at"])
    _notify_if_low(account, available_before=available_before)
    released = hold.credits
    metrics.after_commit(lambda: metrics.CREDITS_RELEASED.inc(released))
    return hold

"""The only code that changes credit balances.

Every service locks the workspace's CreditAccount row (`select_for_update`) first, then
anything else it touches (a hold), and writes the ledger entry or hold together with the
cached totals in one transaction. Locks are always taken in that order (account, then
hold), so two services never deadlock on each other.

Idempotency: grant, refund and adjust take an `idempotency_key`; calling again with the
same key returns the entry written the first time and changes nothing (reusing a key for a
different change is a Conflict). Capture and release settle a hold at most once: whichever
comes first takes effect and every later call on that hold returns it unchanged.
"""

import datetime as dt
import logging
from typing import Any

from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from apps.accounts import audit
from apps.accounts.budgets import key_budget_give_back, key_budget_take, month_of
from apps.accounts.models import AuditAction, User, Workspace
from apps.billing.errors import InsufficientCredits
from apps.billing.models import CreditAccount, CreditHold, LedgerEntry, Subscription
from apps.billing.selectors import low_credit_threshold_effective
from apps.billing.signals import credits_low
from apps.core import metrics
from apps.core.errors import Conflict, PermissionDenied, ValidationError

logger = logging.getLogger(__name__)

Kind = LedgerEntry.Kind


def credit_account_open(*, workspace: Workspace) -> CreditAccount:
    """Opens the workspace's account (called when the workspace is created)."""
    account, _ = CreditAccount.objects.get_or_create(workspace=workspace)
    return account


def _lock_account(*, workspace_id: int) -> CreditAccount:
    account = CreditAccount.objects.select_for_update().filter(workspace_id=workspace_id).first()
    if account is None:
        # Workspaces created before billing existed have no account yet.
        CreditAccount.objects.get_or_create(workspace_id=workspace_id)
        account = CreditAccount.objects.select_for_update().get(workspace_id=workspace_id)
    return account


def _replayed(
    *, idempotency_key: str, account: CreditAccount, kind: str, credits: int
) -> LedgerEntry | None:
    """The entry already written under this key, if any (checked under the account lock)."""
    entry = LedgerEntry.objects.filter(idempotency_key=idempotency_key).first()
    if entry is None:
        return None
    if entry.account_id != account.pk or entry.kind != kind or entry.credits != credits:
        raise Conflict(
            "This idempotency key was already used for a different credit change.",
            details={"idempotency_key": idempotency_key},
        )
    return entry


def _save_totals(account: CreditAccount) -> None:
    # Debt is settled once the balance covers what is held again.
    if account.in_debt and account.balance >= account.held:
        account.in_debt = False
    account.save(update_fields=["balance", "held", "in_debt", "updated_at"])


def _post(
    *,
    account: CreditAccount,
    kind: str,
    credits: int,
    idempotency_key: str,
    reference: str = "",
    description: str = "",
    hold: CreditHold | None = None,
    actor: User | None = None,
    allow_debt: bool = False,
) -> LedgerEntry:
    """Writes one entry and the new balance. The caller holds the account lock."""
    account.balance += credits
    if account.balance < account.held:
        if not allow_debt:
            # Only reachable by a negative adjustment; holds check before this.
            raise InsufficientCredits(
                required=-credits, available=account.balance - credits - account.held
            )
        account.in_debt = True
    _save_totals(account)
    return LedgerEntry.objects.create(
        workspace_id=account.workspace_id,
        account=account,
        kind=kind,
        credits=credits,
        balance_after=account.balance,
        idempotency_key=idempotency_key,
        reference=reference[:255],
        description=description[:500],
        hold=hold,
        created_by=actor,
    )


def _notify_if_low(account: CreditAccount, *, available_before: int) -> None:
    """Sends `credits_low` if this change took `available` from at or above the threshold
    to below it. Every service calls it last, still holding the account lock, with
    `available` as it was when the lock was taken: locked changes are serialised, so each
    crossing is seen by exactly one of them."""
    available = account.available
    if available >= available_before:
        return  # only a fall can cross; skips the threshold lookup on every rise
    threshold = low_credit_threshold_effective(account=account)
    if threshold > 0 and available_before >= threshold > available:
        credits_low.send(
            sender=CreditAccount,
            workspace=account.workspace,
            available=available,
            threshold=threshold,
        )


def _audit(action: str, entry: LedgerEntry, workspace: Workspace, actor: User | None) -> None:
    """The audit event of a grant, refund or adjustment, in the ledger entry's transaction.
    A staff `actor` is named; otherwise the request's user (if any) or the system."""
    audit.record(
        action=action,
        workspace=workspace,
        target=entry,
        actor_user=actor,
        details={
            "kind": entry.kind,
            "credits": entry.credits,
            "balance_after": entry.balance_after,
            "reason": entry.description,
            "reference": entry.reference,
        },
    )


def _require_positive(credits: int) -> None:
    if not isinstance(credits, int) or isinstance(credits, bool) or credits <= 0:
        raise ValidationError(
            "Credits must be a positive whole number.", details={"credits": credits}
        )


@transaction.atomic
def credits_grant(
    *,
    workspace: Workspace,
    credits: int,
    idempotency_key: str,
    reason: str = "",
    reference: str = "",
    kind: str = Kind.GRANT,
    actor: User | None = None,
) -> LedgerEntry:
    """Adds credits (a grant, or a purchase when `kind="purchase"`). Grants settle debt
    first, simply by raising the balance."""
    _require_positive(credits)
    if kind not in (Kind.GRANT, Kind.PURCHASE):
        raise ValidationError("A grant is of kind 'grant' or 'purchase'.")
    account = _lock_account(workspace_id=workspace.pk)
    existing = _replayed(
        idempotency_key=idempotency_key, account=account, kind=kind, credits=credits
    )
    if existing:
        return existing
    available_before = account.available
    entry = _post(
        account=account,
        kind=kind,
        credits=credits,
        idempotency_key=idempotency_key,
        reference=reference,
        description=reason,
        actor=actor,
    )
    _audit(AuditAction.CREDITS_GRANTED, entry, workspace, actor)
    _notify_if_low(account, available_before=available_before)
    return entry


# The hold's one statement: takes the account's row lock, checks and raises `held` in one
# step (the WHERE is the same rule as the Python check in _hold_locked), and returns what
# the low-credit notice needs, the last grant included when no threshold is set. On
# PostgreSQL and SQLite (3.35+) alike.
_TAKE = """
UPDATE billing_creditaccount SET held = held + %s, updated_at = %s
WHERE workspace_id = %s AND NOT in_debt AND balance >= 0 AND balance - held >= %s
RETURNING id, balance, held, low_credit_threshold,
  CASE WHEN low_credit_threshold IS NULL THEN (
    SELECT e.credits FROM billing_ledgerentry e
    WHERE e.workspace_id = billing_creditaccount.workspace_id AND e.kind IN (%s, %s)
    ORDER BY e.created_at DESC, e.id DESC LIMIT 1
  ) END
"""


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

    The common case is three statements: the account UPDATE … RETURNING above (lock,
    check and change at once), the key budget's conditional UPDATE, the hold's INSERT.
    Anything else (a refusal, an idempotency key, an account not opened yet) takes the
    locked read-check-write path, which also words the refusals."""
    _require_positive(credits)
    with transaction.atomic(savepoint=savepoint):
        if not idempotency_key:
            with connection.cursor() as cursor:
                cursor.execute(
                    _TAKE,
                    [
                        credits,
                        connection.ops.adapt_datetimefield_value(timezone.now()),
                        workspace.pk,
                        credits,
                        str(Kind.GRANT.value),
                        str(Kind.PURCHASE.value),
                    ],
                )
                row = cursor.fetchone()
            if row is not None:
                account_id, balance, held, threshold, last_grant = row
                if api_key_id is not None:
                    key_budget_take(api_key_id=api_key_id, credits=credits)
                hold = _hold_create(
                    workspace_id=workspace.pk,
                    account_id=account_id,
                    credits=credits,
                    reference=reference,
                    description=description,
                    idempotency_key=None,
                    api_key_id=api_key_id,
                )
                if threshold is None:
                    threshold = -(-last_grant // 10) if last_grant else 0
                available_before = balance - held + credits
                if threshold > 0 and available_before >= threshold > balance - held:
                    credits_low.send(
                        sender=CreditAccount,
                        workspace=workspace,
                        available=max(0, balance - held),
                        threshold=threshold,
                    )
                return hold
        return _hold_locked(
            workspace=workspace,
            credits=credits,
            reference=reference,
            description=description,
            idempotency_key=idempotency_key,
            api_key_id=api_key_id,
        )


def _hold_create(*, workspace_id: int, account_id: int, credits: int, **fields: Any) -> CreditHold:
    hold = CreditHold.objects.create(
        workspace_id=workspace_id,
        account_id=account_id,
        credits=credits,
        reference=fields["reference"][:255],
        description=fields["description"][:500],
        idempotency_key=fields["idempotency_key"] or None,
        api_key_id=fields["api_key_id"],
    )
    metrics.after_commit(lambda: metrics.CREDITS_HELD.inc(credits))
    return hold


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
    hold = _hold_create(
        workspace_id=account.workspace_id,
        account_id=account.pk,
        credits=credits,
        reference=reference,
        description=description,
        idempotency_key=idempotency_key,
        api_key_id=api_key_id,
    )
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


@transaction.atomic
def credits_refund(
    *,
    workspace: Workspace,
    credits: int,
    idempotency_key: str,
    reason: str = "",
    reference: str = "",
    hold: CreditHold | None = None,
    actor: User | None = None,
) -> LedgerEntry:
    """Gives credits back (e.g. a captured job whose result turned out unusable). With a
    `hold`, refunds for it never exceed what was captured."""
    _require_positive(credits)
    account = _lock_account(workspace_id=workspace.pk)
    existing = _replayed(
        idempotency_key=idempotency_key, account=account, kind=Kind.REFUND, credits=credits
    )
    if existing:
        return existing
    if hold is not None:
        if hold.workspace_id != workspace.pk:
            raise ValidationError("That hold belongs to another workspace.")
        hold = CreditHold.objects.get(pk=hold.pk)
        refunded = (
            LedgerEntry.objects.filter(hold=hold, kind=Kind.REFUND).aggregate(total=Sum("credits"))[
                "total"
            ]
            or 0
        )
        if refunded + credits > hold.captured_credits:
            raise ValidationError(
                f"Only {hold.captured_credits - refunded} credits of this hold can be refunded.",
                details={"refundable": hold.captured_credits - refunded},
            )
    available_before = account.available
    entry = _post(
        account=account,
        kind=Kind.REFUND,
        credits=credits,
        idempotency_key=idempotency_key,
        reference=reference or (hold.reference if hold else ""),
        description=reason,
        hold=hold,
        actor=actor,
    )
    _audit(AuditAction.CREDITS_REFUNDED, entry, workspace, actor)
    _notify_if_low(account, available_before=available_before)
    return entry


@transaction.atomic
def credits_adjust(
    *,
    workspace: Workspace,
    credits: int,
    reason: str,
    idempotency_key: str,
    actor: User | None = None,
    reference: str = "",
    allow_debt: bool = False,
) -> LedgerEntry:
    """A signed correction with a reason. People must be staff (`actor`); `actor=None` is
    the system (a Stripe refund taking purchased credits back, which passes
    `allow_debt=True` and may leave the account in debt)."""
    if actor is not None and not actor.is_staff:
        raise PermissionDenied("Only Reelsmith staff can adjust credits.")
    if not reason.strip():
        raise ValidationError("An adjustment needs a reason.")
    if not isinstance(credits, int) or isinstance(credits, bool) or credits == 0:
        raise ValidationError(
            "Credits must be a non-zero whole number.", details={"credits": credits}
        )
    account = _lock_account(workspace_id=workspace.pk)
    existing = _replayed(
        idempotency_key=idempotency_key, account=account, kind=Kind.ADJUSTMENT, credits=credits
    )
    if existing:
        return existing
    available_before = account.available
    entry = _post(
        account=account,
        kind=Kind.ADJUSTMENT,
        credits=credits,
        idempotency_key=idempotency_key,
        reference=reference,
        description=reason,
        actor=actor,
        allow_debt=allow_debt,
    )
    _audit(AuditAction.CREDITS_ADJUSTED, entry, workspace, actor)
    _notify_if_low(account, available_before=available_before)
    return entry


# Far above any real balance; keeps absurd input a 400 instead of a bigint overflow.
LOW_CREDIT_THRESHOLD_MAX = 10**12  # credits


@transaction.atomic
def low_credit_threshold_set(*, workspace: Workspace, threshold: int | None) -> CreditAccount:
    """Sets the workspace's `credits.low` threshold (credits): `None` = the default (10 %
    of the last grant), 0 = never. Changing it sends nothing by itself: the event marks a
    fall of `available`, so it fires on the next spend that crosses the new threshold."""
    if threshold is not None and (
        not isinstance(threshold, int)
        or isinstance(threshold, bool)
        or not 0 <= threshold <= LOW_CREDIT_THRESHOLD_MAX
    ):
        raise ValidationError(
            f"The low-credit threshold is a whole number of credits from 0 to "
            f"{LOW_CREDIT_THRESHOLD_MAX}, or null for the default.",
            details={"low_credit_threshold": threshold},
        )
    account = _lock_account(workspace_id=workspace.pk)
    account.low_credit_threshold = threshold
    account.save(update_fields=["low_credit_threshold", "updated_at"])
    return account


def monthly_credits_key(*, workspace: Workspace, when: dt.date) -> str:
    return f"monthly:{workspace.public_id}:{when:%Y-%m}"


def _paid_workspace_ids() -> Any:
    return Subscription.objects.filter(status__in=Subscription.GOOD_STANDING).values("workspace_id")


@transaction.atomic
def monthly_credits_grant(*, workspace: Workspace, today: dt.date | None = None) -> bool:
    """Grants `workspace` this calendar month's included credits (its tier's
    `monthly_credits`) unless it already has them, gets them through a paid
    subscription's invoice, or its tier includes none. A new account gets them at once
    (apps/dashboard/provisioning.py); the beat grants the following months. The ledger's
    idempotency key (one per workspace and month) is checked under the account's lock, so
    concurrent runs make one grant. Returns whether this call made it."""
    today = today or timezone.now().date()
    tier = workspace.tier
    if (
        tier.monthly_credits <= 0
        or _paid_workspace_ids().filter(workspace_id=workspace.pk).exists()
    ):
        return False
    key = monthly_credits_key(workspace=workspace, when=today)
    _lock_account(workspace_id=workspace.pk)
    if LedgerEntry.objects.filter(idempotency_key=key).exists():
        return False
    credits_grant(
        workspace=workspace,
        credits=tier.monthly_credits,
        idempotency_key=key,
        reason=f"{tier.display_name} monthly credits, {today:%B %Y}",
    )
    return True


def monthly_credits_grant_due(*, today: dt.date | None = None) -> int:
    """Grants this calendar month's included credits (the tier's `monthly_credits`) to
    every workspace that does not get them through a paid subscription's invoice. Safe to
    run as often as you like: one grant per workspace per month. Returns how many it made."""
    today = today or timezone.now().date()
    workspaces = (
        Workspace.objects.filter(tier__monthly_credits__gt=0)
        .exclude(pk__in=_paid_workspace_ids())
        .select_related("tier")
        .order_by("pk")
    )
    granted = 0
    for workspace in workspaces.iterator():
        key = monthly_credits_key(workspace=workspace, when=today)
        if LedgerEntry.objects.filter(idempotency_key=key).exists():
            continue  # the common case, without taking the account's lock
        granted += monthly_credits_grant(workspace=workspace, today=today)
    return granted

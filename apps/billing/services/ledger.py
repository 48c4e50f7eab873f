"""Grants, refunds and adjustments: ledger entries written under the account lock."""

from django.db import transaction
from django.db.models import Sum

from apps.accounts.models import AuditAction, User, Workspace
from apps.billing.models import CreditAccount, CreditHold, LedgerEntry
from apps.billing.services.core import (
    _audit,
    _lock_account,
    _notify_if_low,
    _post,
    _replayed,
    _require_positive,
)
from apps.core.errors import PermissionDenied, ValidationError

Kind = LedgerEntry.Kind


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

"""The account lock, the ledger write and the notices every credit service shares."""

from apps.accounts import audit
from apps.accounts.models import User, Workspace
from apps.billing.errors import InsufficientCredits
from apps.billing.models import CreditAccount, CreditHold, LedgerEntry
from apps.billing.selectors import low_credit_threshold_effective
from apps.billing.signals import credits_low
from apps.core.errors import Conflict, ValidationError


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

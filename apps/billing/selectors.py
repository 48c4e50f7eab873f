"""Reads of billing data. Tenant data is read through `workspace=`; another tenant's row
and a missing row both raise the same NotFound."""

from django.db.models import QuerySet

from apps.accounts.models import Workspace
from apps.billing.models import (
    CreditAccount,
    CreditHold,
    CreditPack,
    LedgerEntry,
    Subscription,
    TierPlan,
)
from apps.core.errors import NotFound


def credit_account_get(*, workspace: Workspace) -> CreditAccount:
    """The workspace's account; an unsaved empty one if it was never opened."""
    account = CreditAccount.objects.filter(workspace=workspace).first()
    return account or CreditAccount(workspace=workspace)


def low_credit_threshold_effective(*, account: CreditAccount) -> int:
    """The threshold `credits.low` uses (credits): the workspace's own setting, else 10 %
    of its last grant or purchase rounded up (so `available < threshold` is exactly
    "below 10 %"), else 0. 0 means never."""
    if account.low_credit_threshold is not None:
        return account.low_credit_threshold
    if account.pk is None:
        return 0
    last_grant = (
        # By workspace (one account each): walks the (workspace, -created_at, -id) index.
        LedgerEntry.objects.filter(
            workspace_id=account.workspace_id,
            kind__in=(LedgerEntry.Kind.GRANT, LedgerEntry.Kind.PURCHASE),
        )
        .order_by("-created_at", "-id")
        .values_list("credits", flat=True)
        .first()
    )
    return -(-last_grant // 10) if last_grant else 0


def ledger_list(*, workspace: Workspace) -> QuerySet[LedgerEntry]:
    return LedgerEntry.objects.filter(workspace=workspace).order_by("-created_at", "-id")


def holds_list(*, workspace: Workspace) -> QuerySet[CreditHold]:
    return CreditHold.objects.filter(workspace=workspace)


def hold_get(*, workspace: Workspace, public_id: str) -> CreditHold:
    try:
        return holds_list(workspace=workspace).get(public_id=public_id)
    except CreditHold.DoesNotExist:
        raise NotFound("No such hold.") from None


def packs_list() -> QuerySet[CreditPack]:
    return CreditPack.objects.filter(active=True).order_by("sort_order", "price_cents", "id")


def pack_get(*, pack_id: str | int) -> CreditPack:
    """An active pack by its public id (the admin's numeric id is accepted too)."""
    packs = packs_list()
    text = str(pack_id)
    pack = packs.filter(pk=int(text)).first() if text.isdigit() else None
    pack = pack or packs.filter(public_id=text).first()
    if pack is None:
        raise NotFound("No such credit pack.")
    return pack


def tier_plans_list() -> QuerySet[TierPlan]:
    return TierPlan.objects.filter(active=True).select_related("tier").order_by("tier__sort_order")


def subscription_for(*, workspace: Workspace) -> Subscription | None:
    return Subscription.objects.filter(workspace=workspace).select_related("tier").first()

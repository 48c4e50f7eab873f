"""A paid tier's included credits, granted once per calendar month."""

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from apps.accounts.models import Workspace
from apps.billing.models import LedgerEntry, Subscription
from apps.billing.services.core import _lock_account
from apps.billing.services.ledger import credits_grant


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

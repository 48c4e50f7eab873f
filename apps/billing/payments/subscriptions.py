"""Tier subscriptions: tiers follow Stripe's subscription; paid invoices grant monthly credits."""

import datetime as dt
import logging
from typing import Any

from django.db import transaction

from apps.accounts import audit
from apps.accounts.models import AuditAction, Tier, Workspace
from apps.accounts.services import DEFAULT_TIER, workspace_tier_change
from apps.billing.errors import PaymentsDisabled
from apps.billing.models import CreditAccount, LedgerEntry, Subscription, TierPlan
from apps.billing.payments.client import (
    JsonObj,
    customer_remember,
    payments_enabled,
    stripe_call,
    stripe_client,
    stripe_id,
)
from apps.billing.services import credits_grant
from apps.core.errors import ValidationError

logger = logging.getLogger(__name__)

LIVE = set(Subscription.GOOD_STANDING)
ENDED = {
    Subscription.Status.CANCELED,
    Subscription.Status.UNPAID,
    Subscription.Status.INCOMPLETE_EXPIRED,
    Subscription.Status.PAUSED,
}


def _subscription_price_id(sub: JsonObj) -> str:
    items = (sub.get("items") or {}).get("data") or []
    return stripe_id(items[0].get("price")) if items else ""


def _subscription_period_end(sub: JsonObj) -> Any:
    items = (sub.get("items") or {}).get("data") or []
    ts = sub.get("current_period_end") or (items[0].get("current_period_end") if items else None)
    return dt.datetime.fromtimestamp(ts, tz=dt.UTC) if ts else None


def _workspace_for_subscription(sub: JsonObj) -> Workspace | None:
    row = Subscription.objects.filter(stripe_subscription_id=sub["id"]).first()
    if row is not None:
        return row.workspace
    public_id = (sub.get("metadata") or {}).get("workspace")
    if public_id:
        workspace = Workspace.objects.filter(public_id=public_id).first()
        if workspace is not None:
            return workspace
    customer = stripe_id(sub.get("customer"))
    account = (
        CreditAccount.objects.filter(stripe_customer_id=customer).first() if customer else None
    )
    return account.workspace if account else None


@transaction.atomic
def subscription_sync(
    *, subscription_id: str, snapshot: JsonObj | None = None, event_created: int = 0
) -> Subscription | None:
    """Moves the workspace's tier to what Stripe says about the subscription now. The
    subscription is re-read from Stripe, so events arriving out of order cannot roll a
    tier back. (Only without an API key is the event's own snapshot used, and then only if
    it is newer than the last one applied.)"""
    if payments_enabled():
        client = stripe_client()
        sub = stripe_call(lambda: client.v1.subscriptions.retrieve(subscription_id))
        event_created = 0
    elif snapshot is not None:
        sub = snapshot
    else:
        raise PaymentsDisabled()
    workspace = _workspace_for_subscription(sub)
    if workspace is None:
        logger.warning("Subscription %s belongs to no workspace; ignored.", subscription_id)
        return None
    Workspace.objects.select_for_update().filter(pk=workspace.pk).first()
    row = Subscription.objects.select_for_update().filter(workspace=workspace).first()
    status = sub.get("status", "")
    superseded = row is not None and row.stripe_subscription_id != sub["id"] and row.is_live
    if superseded and status not in LIVE:
        return row  # an older subscription ending does not touch the current one
    if row is not None and event_created and event_created < row.last_event_created:
        return row
    plan = TierPlan.objects.filter(stripe_price_id=_subscription_price_id(sub)).first()
    before = _audited(row)
    row = row or Subscription(workspace=workspace)
    row.stripe_subscription_id = sub["id"]
    row.stripe_customer_id = stripe_id(sub.get("customer"))
    row.status = status
    row.tier = plan.tier if plan else row.tier
    row.cancel_at_period_end = bool(sub.get("cancel_at_period_end"))
    row.current_period_end = _subscription_period_end(sub)
    row.last_event_created = max(row.last_event_created, event_created)
    row.save()
    if _audited(row) != before:
        audit.record(
            action=AuditAction.SUBSCRIPTION_CHANGED,
            workspace=workspace,
            target_type="subscription",
            target_id=row.stripe_subscription_id,
            actor_label="stripe",
            details={"before": before, "after": _audited(row)},
        )
    customer_remember(workspace_id=workspace.pk, customer_id=row.stripe_customer_id)
    tier: Tier | None = None
    if status in LIVE and plan is not None:
        tier = plan.tier  # past_due keeps the tier until Stripe cancels
    elif status in ENDED:
        tier = Tier.objects.get(name=DEFAULT_TIER)
    if tier is not None and workspace_tier_change(
        workspace=workspace,
        tier=tier,
        reason=f"subscription {row.stripe_subscription_id} {status}",
        actor_label="stripe",
    ):
        logger.info("Workspace %s moved to tier %s", workspace.public_id, tier.name)
    return row


def _audited(row: Subscription | None) -> dict[str, Any] | None:
    """What a `subscription.changed` event compares and shows."""
    if row is None:
        return None
    return {
        "subscription": row.stripe_subscription_id,
        "status": row.status,
        "tier": row.tier.name if row.tier is not None else None,
        "cancel_at_period_end": row.cancel_at_period_end,
    }


def invoice_subscription_id(invoice: JsonObj) -> str:
    parent = invoice.get("parent") or {}
    details = parent.get("subscription_details") or {}
    return stripe_id(details.get("subscription") or invoice.get("subscription"))


def _invoice_price_ids(invoice: JsonObj) -> list[str]:
    ids = []
    for line in (invoice.get("lines") or {}).get("data") or []:
        pricing = (line.get("pricing") or {}).get("price_details") or {}
        ids.append(stripe_id(pricing.get("price") or line.get("price")))
    return [i for i in ids if i]


MONTHLY_BILLING_REASONS = {"subscription_create", "subscription_cycle"}


@transaction.atomic
def invoice_paid(*, invoice: JsonObj) -> LedgerEntry | None:
    """Grants the tier's monthly included credits once per paid subscription invoice."""
    sub_id = invoice_subscription_id(invoice)
    if not sub_id or invoice.get("billing_reason") not in MONTHLY_BILLING_REASONS:
        return None
    row = Subscription.objects.filter(stripe_subscription_id=sub_id).first()
    if row is None:
        # invoice.paid can arrive before customer.subscription.created.
        row = subscription_sync(subscription_id=sub_id)
        if row is None:
            raise ValidationError(f"Subscription {sub_id} is not known yet.")
    plan = TierPlan.objects.filter(stripe_price_id__in=_invoice_price_ids(invoice)).first()
    tier = plan.tier if plan else row.tier
    if tier is None or tier.monthly_credits <= 0:
        return None
    return credits_grant(
        workspace=row.workspace,
        credits=tier.monthly_credits,
        idempotency_key=f"invoice:{invoice['id']}",
        reason=f"{tier.display_name} monthly credits",
        reference=invoice["id"],
    )

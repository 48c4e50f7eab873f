"""Checkout Sessions for packs and tier subscriptions, their fulfilment, and pack refunds."""

import logging

from django.db import transaction
from django.utils import timezone

from apps.accounts.models import User, Workspace
from apps.billing import selectors
from apps.billing.models import CheckoutSession, CreditPack, LedgerEntry, TierPlan
from apps.billing.payments.client import (
    JsonObj,
    customer_remember,
    page_url,
    stripe_call,
    stripe_client,
    stripe_id,
)
from apps.billing.payments.subscriptions import subscription_sync
from apps.billing.services import credits_adjust, credits_grant
from apps.core.errors import NotFound, ValidationError

logger = logging.getLogger(__name__)


def checkout_create(*, workspace: Workspace, user: User | None, pack_id: str | int) -> str:
    """A Stripe Checkout Session (mode payment) for a credit pack; returns its URL."""
    pack = selectors.pack_get(pack_id=pack_id)
    client = stripe_client()
    account = selectors.credit_account_get(workspace=workspace)
    metadata = {
        "workspace": workspace.public_id,
        "pack": pack.public_id,
        "credits": str(pack.credits),
    }
    if pack.stripe_price_id:
        line_item: JsonObj = {"price": pack.stripe_price_id, "quantity": 1}
    else:
        line_item = {
            "price_data": {
                "currency": pack.currency,
                "unit_amount": pack.price_cents,
                "product_data": {"name": f"{pack.name} ({pack.credits} credits)"},
            },
            "quantity": 1,
        }
    params: JsonObj = {
        "mode": "payment",
        "line_items": [line_item],
        "success_url": page_url("/billing/checkout/success/?session_id={CHECKOUT_SESSION_ID}"),
        "cancel_url": page_url("/billing/?checkout=cancelled"),
        "client_reference_id": workspace.public_id,
        "metadata": metadata,
        # Copied to the charge so a refund can be traced back to the workspace.
        "payment_intent_data": {"metadata": metadata},
    }
    if account.stripe_customer_id:
        params["customer"] = account.stripe_customer_id
    else:
        params["customer_creation"] = "always"
    session = stripe_call(lambda: client.v1.checkout.sessions.create(params))  # type: ignore[arg-type]
    CheckoutSession.objects.create(
        workspace=workspace,
        session_id=session["id"],
        mode=CheckoutSession.Mode.PAYMENT,
        pack=pack,
        credits=pack.credits,
        amount_cents=pack.price_cents,
        currency=pack.currency,
        created_by=user,
    )
    return str(session["url"])


def subscription_checkout_create(*, workspace: Workspace, user: User | None, tier: str) -> str:
    """A Checkout Session (mode subscription) for a paid tier; returns its URL. A workspace
    that already has a live subscription gets Stripe's billing portal instead, where the
    plan is changed on the existing subscription (never a second one)."""
    plan = TierPlan.objects.filter(tier__name=tier, active=True).select_related("tier").first()
    if plan is None:
        names = ", ".join(p.tier.name for p in selectors.tier_plans_list())
        raise ValidationError(
            f"The '{tier}' tier cannot be subscribed to; choose one of: {names or 'none'}.",
            details={"allowed": names},
        )
    client = stripe_client()
    account = selectors.credit_account_get(workspace=workspace)
    current = selectors.subscription_for(workspace=workspace)
    if current is not None and current.is_live:
        customer = current.stripe_customer_id or account.stripe_customer_id
        portal = stripe_call(
            lambda: client.v1.billing_portal.sessions.create(
                {"customer": customer, "return_url": page_url("/billing/")}
            )
        )
        return str(portal["url"])
    metadata = {"workspace": workspace.public_id, "tier": plan.tier.name}
    params: JsonObj = {
        "mode": "subscription",
        "line_items": [{"price": plan.stripe_price_id, "quantity": 1}],
        "success_url": page_url("/billing/checkout/success/?session_id={CHECKOUT_SESSION_ID}"),
        "cancel_url": page_url("/billing/?checkout=cancelled"),
        "client_reference_id": workspace.public_id,
        "metadata": metadata,
        "subscription_data": {"metadata": metadata},
    }
    if account.stripe_customer_id:
        params["customer"] = account.stripe_customer_id
    session = stripe_call(lambda: client.v1.checkout.sessions.create(params))  # type: ignore[arg-type]
    CheckoutSession.objects.create(
        workspace=workspace,
        session_id=session["id"],
        mode=CheckoutSession.Mode.SUBSCRIPTION,
        tier=plan.tier,
        amount_cents=plan.price_cents,
        currency=plan.currency,
        created_by=user,
    )
    return str(session["url"])


def _checkout_row_for(session: JsonObj) -> CheckoutSession | None:
    """Our record of the session, locked. Sessions we did not record (created by another
    deployment of this code against the same account) are rebuilt from the metadata we put
    on every session; the object is verified, so its metadata is ours."""
    sid = session["id"]
    row = CheckoutSession.objects.select_for_update().filter(session_id=sid).first()
    if row is not None:
        return row
    meta = session.get("metadata") or {}
    workspace = Workspace.objects.filter(
        public_id=meta.get("workspace") or session.get("client_reference_id") or ""
    ).first()
    if workspace is None:
        return None
    if session.get("mode") == "payment":
        pack = CreditPack.objects.filter(public_id=meta.get("pack", "")).first()
        credits = pack.credits if pack else int(meta.get("credits") or 0)
        if credits <= 0:
            return None
        defaults: JsonObj = {"mode": "payment", "pack": pack, "credits": credits}
    else:
        defaults = {"mode": "subscription"}
    defaults.update(
        workspace=workspace,
        amount_cents=session.get("amount_total") or 0,
        currency=session.get("currency") or "",
    )
    CheckoutSession.objects.get_or_create(session_id=sid, defaults=defaults)
    return CheckoutSession.objects.select_for_update().get(session_id=sid)


@transaction.atomic
def checkout_fulfil(*, session: JsonObj) -> LedgerEntry | None:
    """Grants a paid pack's credits exactly once per Checkout Session, however often it is
    called (webhook retries, the success redirect). `session` must be verified: from a
    signed event or re-read from Stripe. Unpaid sessions (async methods still pending) grant
    nothing; `checkout.session.async_payment_succeeded` calls this again once paid."""
    row = _checkout_row_for(session)
    if row is None:
        logger.warning("Checkout Session %s is not one of ours; ignored.", session.get("id"))
        return None
    customer_remember(workspace_id=row.workspace_id, customer_id=stripe_id(session.get("customer")))
    if row.mode == CheckoutSession.Mode.SUBSCRIPTION:
        if session.get("subscription"):
            subscription_sync(subscription_id=stripe_id(session["subscription"]))
        return None
    if session.get("payment_status") != "paid":
        return None
    entry = credits_grant(
        workspace=row.workspace,
        credits=row.credits,
        idempotency_key=f"checkout:{row.session_id}",
        reason=f"Bought {row.pack.name if row.pack else 'credits'}",
        reference=row.session_id,
        kind=LedgerEntry.Kind.PURCHASE,
    )
    if row.fulfilled_at is None:
        row.fulfilled_at = timezone.now()
        row.payment_intent_id = stripe_id(session.get("payment_intent"))
        row.save(update_fields=["fulfilled_at", "payment_intent_id", "updated_at"])
    return entry


def checkout_fulfil_on_return(*, workspace: Workspace, session_id: str) -> str:
    """The success redirect: re-reads the session from Stripe (the query string proves
    nothing) and fulfils it if paid. Returns "paid", "pending" or "subscription"."""
    row = CheckoutSession.objects.filter(workspace=workspace, session_id=session_id).first()
    if row is None:
        raise NotFound("No such checkout.")
    client = stripe_client()
    session = stripe_call(lambda: client.v1.checkout.sessions.retrieve(session_id))
    checkout_fulfil(session=session)
    if row.mode == CheckoutSession.Mode.SUBSCRIPTION:
        return "subscription"
    return "paid" if session.get("payment_status") == "paid" else "pending"


@transaction.atomic
def charge_refunded(*, charge: JsonObj) -> LedgerEntry | None:
    """Takes back the credits of a refunded pack purchase, in proportion to the amount
    refunded so far (Stripe reports the cumulative `amount_refunded`). Credits already spent
    leave the account in debt, which blocks new holds until it is settled."""
    payment_intent = stripe_id(charge.get("payment_intent"))
    row = (
        CheckoutSession.objects.filter(payment_intent_id=payment_intent).first()
        if payment_intent
        else None
    )
    if row is None or row.mode != CheckoutSession.Mode.PAYMENT or not row.credits:
        logger.info("Refunded charge %s is not a credit pack purchase; ignored.", charge["id"])
        return None
    amount = int(charge.get("amount") or 0)
    refunded = int(charge.get("amount_refunded") or 0)
    if amount <= 0 or refunded <= 0:
        return None
    target = row.credits if refunded >= amount else row.credits * refunded // amount
    taken = -sum(
        LedgerEntry.objects.filter(
            reference=charge["id"], kind=LedgerEntry.Kind.ADJUSTMENT
        ).values_list("credits", flat=True)
    )
    if target <= taken:
        return None
    return credits_adjust(
        workspace=row.workspace,
        credits=-(target - taken),
        reason=f"Payment refunded ({refunded} of {amount} {charge.get('currency', '')})",
        idempotency_key=f"refund:{charge['id']}:{refunded}",
        reference=charge["id"],
        allow_debt=True,
    )

"""Stripe: Checkout for credit packs and tier subscriptions, fulfilment, and the webhook
events that move money or tiers. Stripe only takes payment; every credit still goes
through billing/services.py.

Nothing here grants credits on anything but a Checkout Session or event that is verified:
a webhook whose signature checked out, or an object re-read from Stripe's API with our
secret key. Without keys (the embedded default) card payments are off.
"""

import datetime as dt
import json
import logging
from collections.abc import Callable
from typing import Any

import stripe
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.accounts.models import Tier, User, Workspace
from apps.accounts.services import DEFAULT_TIER
from apps.billing import selectors
from apps.billing.errors import PaymentsDisabled
from apps.billing.models import (
    CheckoutSession,
    CreditAccount,
    CreditPack,
    LedgerEntry,
    StripeEvent,
    Subscription,
    TierPlan,
)
from apps.billing.services import credits_adjust, credits_grant
from apps.core.errors import ApplicationError, ErrorCode, NotFound, ValidationError

logger = logging.getLogger(__name__)

JsonObj = dict[str, Any]


class PaymentProviderError(ApplicationError):
    code = ErrorCode.INTERNAL_ERROR
    status = 502
    retryable = True
    default_message = "Stripe could not be reached; try again in a moment."


class WebhookRejected(ApplicationError):
    code = ErrorCode.VALIDATION_ERROR
    status = 400
    default_message = "Invalid Stripe signature."


class WebhookHandlerFailed(ApplicationError):
    status = 500
    retryable = True
    default_message = "The event could not be processed; Stripe will retry it."


# --- client ---------------------------------------------------------------------------


def payments_enabled() -> bool:
    return bool(settings.STRIPE_SECRET_KEY)


def stripe_client() -> stripe.StripeClient:
    if not payments_enabled():
        raise PaymentsDisabled()
    base = {"api": settings.STRIPE_API_BASE} if settings.STRIPE_API_BASE else None
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses=base,  # type: ignore[arg-type]
        max_network_retries=2,
    )


def _plain(obj: Any) -> JsonObj:
    return obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)


def _call(action: Callable[[], Any]) -> JsonObj:
    try:
        return _plain(action())
    except stripe.StripeError as exc:
        logger.warning("Stripe API error: %s", exc)
        raise PaymentProviderError(
            f"Stripe refused the request: {exc.user_message or exc.__class__.__name__}."
        ) from exc


def _id(value: Any) -> str:
    """An expandable Stripe field: either the id or the expanded object."""
    if isinstance(value, dict):
        return str(value.get("id") or "")
    return str(value or "")


def _page_url(path: str) -> str:
    return f"{settings.PUBLIC_BASE_URL}{path}"


# --- Checkout -------------------------------------------------------------------------


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
        "success_url": _page_url("/billing/checkout/success/?session_id={CHECKOUT_SESSION_ID}"),
        "cancel_url": _page_url("/billing/?checkout=cancelled"),
        "client_reference_id": workspace.public_id,
        "metadata": metadata,
        # Copied to the charge so a refund can be traced back to the workspace.
        "payment_intent_data": {"metadata": metadata},
    }
    if account.stripe_customer_id:
        params["customer"] = account.stripe_customer_id
    else:
        params["customer_creation"] = "always"
    session = _call(lambda: client.v1.checkout.sessions.create(params))  # type: ignore[arg-type]
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
        portal = _call(
            lambda: client.v1.billing_portal.sessions.create(
                {"customer": customer, "return_url": _page_url("/billing/")}
            )
        )
        return str(portal["url"])
    metadata = {"workspace": workspace.public_id, "tier": plan.tier.name}
    params: JsonObj = {
        "mode": "subscription",
        "line_items": [{"price": plan.stripe_price_id, "quantity": 1}],
        "success_url": _page_url("/billing/checkout/success/?session_id={CHECKOUT_SESSION_ID}"),
        "cancel_url": _page_url("/billing/?checkout=cancelled"),
        "client_reference_id": workspace.public_id,
        "metadata": metadata,
        "subscription_data": {"metadata": metadata},
    }
    if account.stripe_customer_id:
        params["customer"] = account.stripe_customer_id
    session = _call(lambda: client.v1.checkout.sessions.create(params))  # type: ignore[arg-type]
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


def _remember_customer(*, workspace_id: int, customer_id: str) -> None:
    if customer_id:
        CreditAccount.objects.filter(workspace_id=workspace_id, stripe_customer_id="").update(
            stripe_customer_id=customer_id
        )


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
    _remember_customer(workspace_id=row.workspace_id, customer_id=_id(session.get("customer")))
    if row.mode == CheckoutSession.Mode.SUBSCRIPTION:
        if session.get("subscription"):
            subscription_sync(subscription_id=_id(session["subscription"]))
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
        row.payment_intent_id = _id(session.get("payment_intent"))
        row.save(update_fields=["fulfilled_at", "payment_intent_id", "updated_at"])
    return entry


def checkout_fulfil_on_return(*, workspace: Workspace, session_id: str) -> str:
    """The success redirect: re-reads the session from Stripe (the query string proves
    nothing) and fulfils it if paid. Returns "paid", "pending" or "subscription"."""
    row = CheckoutSession.objects.filter(workspace=workspace, session_id=session_id).first()
    if row is None:
        raise NotFound("No such checkout.")
    client = stripe_client()
    session = _call(lambda: client.v1.checkout.sessions.retrieve(session_id))
    checkout_fulfil(session=session)
    if row.mode == CheckoutSession.Mode.SUBSCRIPTION:
        return "subscription"
    return "paid" if session.get("payment_status") == "paid" else "pending"


# --- subscriptions --------------------------------------------------------------------

LIVE = set(Subscription.GOOD_STANDING)
ENDED = {
    Subscription.Status.CANCELED,
    Subscription.Status.UNPAID,
    Subscription.Status.INCOMPLETE_EXPIRED,
    Subscription.Status.PAUSED,
}


def _subscription_price_id(sub: JsonObj) -> str:
    items = (sub.get("items") or {}).get("data") or []
    return _id(items[0].get("price")) if items else ""


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
    customer = _id(sub.get("customer"))
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
        sub = _call(lambda: client.v1.subscriptions.retrieve(subscription_id))
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
    row = row or Subscription(workspace=workspace)
    row.stripe_subscription_id = sub["id"]
    row.stripe_customer_id = _id(sub.get("customer"))
    row.status = status
    row.tier = plan.tier if plan else row.tier
    row.cancel_at_period_end = bool(sub.get("cancel_at_period_end"))
    row.current_period_end = _subscription_period_end(sub)
    row.last_event_created = max(row.last_event_created, event_created)
    row.save()
    _remember_customer(workspace_id=workspace.pk, customer_id=row.stripe_customer_id)
    tier: Tier | None = None
    if status in LIVE and plan is not None:
        tier = plan.tier  # past_due keeps the tier until Stripe cancels
    elif status in ENDED:
        tier = Tier.objects.get(name=DEFAULT_TIER)
    if tier is not None and workspace.tier_id != tier.pk:
        Workspace.objects.filter(pk=workspace.pk).update(tier=tier, updated_at=timezone.now())
        logger.info("Workspace %s moved to tier %s", workspace.public_id, tier.name)
    return row


def _invoice_subscription_id(invoice: JsonObj) -> str:
    parent = invoice.get("parent") or {}
    details = parent.get("subscription_details") or {}
    return _id(details.get("subscription") or invoice.get("subscription"))


def _invoice_price_ids(invoice: JsonObj) -> list[str]:
    ids = []
    for line in (invoice.get("lines") or {}).get("data") or []:
        pricing = (line.get("pricing") or {}).get("price_details") or {}
        ids.append(_id(pricing.get("price") or line.get("price")))
    return [i for i in ids if i]


MONTHLY_BILLING_REASONS = {"subscription_create", "subscription_cycle"}


@transaction.atomic
def invoice_paid(*, invoice: JsonObj) -> LedgerEntry | None:
    """Grants the tier's monthly included credits once per paid subscription invoice."""
    sub_id = _invoice_subscription_id(invoice)
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


@transaction.atomic
def charge_refunded(*, charge: JsonObj) -> LedgerEntry | None:
    """Takes back the credits of a refunded pack purchase, in proportion to the amount
    refunded so far (Stripe reports the cumulative `amount_refunded`). Credits already spent
    leave the account in debt, which blocks new holds until it is settled."""
    payment_intent = _id(charge.get("payment_intent"))
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


# --- webhook --------------------------------------------------------------------------


def _on_checkout(event: JsonObj) -> None:
    checkout_fulfil(session=event["data"]["object"])


def _on_checkout_failed(event: JsonObj) -> None:
    logger.info("Async payment failed for Checkout Session %s", event["data"]["object"]["id"])


def _on_subscription(event: JsonObj) -> None:
    sub = event["data"]["object"]
    subscription_sync(subscription_id=sub["id"], snapshot=sub, event_created=event["created"])


def _on_invoice_paid(event: JsonObj) -> None:
    invoice_paid(invoice=event["data"]["object"])


def _on_invoice_failed(event: JsonObj) -> None:
    sub_id = _invoice_subscription_id(event["data"]["object"])
    if sub_id:
        subscription_sync(subscription_id=sub_id)  # Stripe now reports past_due


def _on_charge_refunded(event: JsonObj) -> None:
    charge_refunded(charge=event["data"]["object"])


HANDLERS: dict[str, Callable[[JsonObj], None]] = {
    "checkout.session.completed": _on_checkout,
    "checkout.session.async_payment_succeeded": _on_checkout,
    "checkout.session.async_payment_failed": _on_checkout_failed,
    "customer.subscription.created": _on_subscription,
    "customer.subscription.updated": _on_subscription,
    "customer.subscription.deleted": _on_subscription,
    "invoice.paid": _on_invoice_paid,
    "invoice.payment_failed": _on_invoice_failed,
    "charge.refunded": _on_charge_refunded,
}


def stripe_event_verify(*, payload: bytes, signature: str) -> JsonObj:
    """The event, if the signature is Stripe's and recent (the library's tolerance)."""
    secret = settings.STRIPE_WEBHOOK_SECRET
    if not secret:
        raise WebhookRejected("Stripe webhooks are not configured on this server.")
    try:
        text = payload.decode("utf-8")
        stripe.WebhookSignature.verify_header(
            text, signature, secret, stripe.Webhook.DEFAULT_TOLERANCE
        )
        event = json.loads(text)
    except (UnicodeDecodeError, ValueError, stripe.SignatureVerificationError) as exc:
        raise WebhookRejected(f"Invalid Stripe signature or payload: {exc}") from None
    if not isinstance(event, dict) or not event.get("id") or not event.get("type"):
        raise WebhookRejected("The payload is not a Stripe event.")
    return event


def _event_row(event: JsonObj) -> StripeEvent:
    try:
        with transaction.atomic():
            row, _ = StripeEvent.objects.get_or_create(
                event_id=event["id"],
                defaults={
                    "type": event["type"],
                    "livemode": bool(event.get("livemode")),
                    "payload": event,
                },
            )
    except IntegrityError:
        row = StripeEvent.objects.get(event_id=event["id"])
    return row


def stripe_event_process(*, payload: bytes, signature: str) -> StripeEvent:
    """Verifies, stores once and handles a webhook delivery. A repeat of a processed event
    changes nothing. A handler error rolls its writes back, records the error on the event
    and raises WebhookHandlerFailed (500) so that Stripe retries."""
    event = stripe_event_verify(payload=payload, signature=signature)
    stored = _event_row(event)
    handler = HANDLERS.get(event["type"])
    try:
        with transaction.atomic():
            row = StripeEvent.objects.select_for_update().get(pk=stored.pk)
            if row.status in (StripeEvent.Status.PROCESSED, StripeEvent.Status.IGNORED):
                return row
            if handler is not None:
                handler(event)
            row.status = StripeEvent.Status.PROCESSED if handler else StripeEvent.Status.IGNORED
            row.error = ""
            row.attempts += 1
            row.processed_at = timezone.now()
            row.save(update_fields=["status", "error", "attempts", "processed_at"])
            return row
    except Exception as exc:
        logger.exception("Stripe event %s (%s) failed", event["id"], event["type"])
        with transaction.atomic():
            row = StripeEvent.objects.select_for_update().get(pk=stored.pk)
            if row.status != StripeEvent.Status.PROCESSED:
                row.status = StripeEvent.Status.FAILED
                row.error = f"{exc.__class__.__name__}: {exc}"[:5000]
                row.attempts += 1
                row.save(update_fields=["status", "error", "attempts"])
        raise WebhookHandlerFailed() from exc

"""Stripe webhook events: verified, stored once, and handed to the handler of their type."""

import json
import logging
from collections.abc import Callable

import stripe
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.billing.errors import WebhookHandlerFailed, WebhookRejected
from apps.billing.models import StripeEvent
from apps.billing.payments.checkout import charge_refunded, checkout_fulfil
from apps.billing.payments.client import JsonObj
from apps.billing.payments.subscriptions import (
    invoice_paid,
    invoice_subscription_id,
    subscription_sync,
)

logger = logging.getLogger(__name__)


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
    sub_id = invoice_subscription_id(event["data"]["object"])
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

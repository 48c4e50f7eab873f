"""The webhook, fed events signed exactly the way Stripe signs them."""

import json
import time

import pytest
from rest_framework.test import APIClient

from apps.accounts.models import Workspace
from apps.billing.models import (
    CheckoutSession,
    CreditAccount,
    LedgerEntry,
    StripeEvent,
    Subscription,
)
from apps.billing.payments import webhook
from tests.billing.conftest import deliver, new_id, stripe_event, stripe_signature

pytestmark = pytest.mark.django_db


def balance(actor) -> int:
    return CreditAccount.objects.get(workspace=actor.workspace).balance


def checkout_row(actor, pack) -> CheckoutSession:
    return CheckoutSession.objects.create(
        workspace=actor.workspace,
        session_id=new_id("cs"),
        mode="payment",
        pack=pack,
        credits=pack.credits,
        amount_cents=pack.price_cents,
        currency="usd",
    )


def session_obj(row: CheckoutSession, *, payment_status: str = "paid", **extra):
    return {
        "id": row.session_id,
        "object": "checkout.session",
        "mode": row.mode,
        "status": "complete",
        "payment_status": payment_status,
        "customer": "cus_alice",
        "payment_intent": "pi_alice_1",
        "client_reference_id": row.workspace.public_id,
        "metadata": {"workspace": row.workspace.public_id},
        "amount_total": row.amount_cents,
        "currency": "usd",
        **extra,
    }


# --- signatures -------------------------------------------------------------------------


def test_a_validly_signed_unhandled_event_is_stored_and_acknowledged(webhook_secret):
    event = stripe_event("customer.created", {"id": "cus_1", "object": "customer"})
    response = deliver(event)
    assert response.status_code == 200
    assert response.json() == {"received": True, "status": "ignored"}
    stored = StripeEvent.objects.get(event_id=event["id"])
    assert (stored.type, stored.status, stored.payload["id"]) == (
        "customer.created",
        "ignored",
        event["id"],
    )


def test_one_changed_byte_is_refused_with_400_and_nothing_written(webhook_secret, alice, pack):
    row = checkout_row(alice, pack)
    payload = json.dumps(stripe_event("checkout.session.completed", session_obj(row))).encode()
    signature = stripe_signature(payload)
    tampered = payload.replace(b'"paid"', b'"Paid"', 1)
    assert tampered != payload and len(tampered) == len(payload)
    response = APIClient().post(
        "/api/v1/billing/stripe/webhook",
        data=tampered,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signature,
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert not StripeEvent.objects.exists()
    assert balance(alice) == 0


def test_a_stale_timestamp_is_refused_with_400(webhook_secret, alice, pack):
    row = checkout_row(alice, pack)
    event = stripe_event("checkout.session.completed", session_obj(row))
    response = deliver(event, at=int(time.time()) - 10 * 60)
    assert response.status_code == 400
    assert not StripeEvent.objects.exists()
    assert balance(alice) == 0


def test_a_wrong_secret_or_missing_header_is_refused(webhook_secret):
    event = stripe_event("customer.created", {"id": "cus_1"})
    assert deliver(event, secret="whsec_someone_else").status_code == 400
    response = APIClient().post("/api/v1/billing/stripe/webhook", data=event, format="json")
    assert response.status_code == 400
    assert not StripeEvent.objects.exists()


def test_without_a_webhook_secret_every_event_is_refused(settings, alice, pack):
    settings.STRIPE_WEBHOOK_SECRET = ""
    row = checkout_row(alice, pack)
    event = stripe_event("checkout.session.completed", session_obj(row))
    assert deliver(event, secret="").status_code == 400
    assert balance(alice) == 0


# --- pack purchases ---------------------------------------------------------------------


def test_a_paid_checkout_grants_the_pack_once_however_often_delivered(webhook_secret, alice, pack):
    row = checkout_row(alice, pack)
    event = stripe_event("checkout.session.completed", session_obj(row))
    for _ in range(3):
        assert deliver(event).status_code == 200
    # The same fulfilment arriving as a different event changes nothing either.
    assert deliver(stripe_event("checkout.session.completed", session_obj(row))).status_code == 200
    assert balance(alice) == 500
    entry = LedgerEntry.objects.get(workspace=alice.workspace)
    assert (entry.kind, entry.credits, entry.reference) == ("purchase", 500, row.session_id)
    row.refresh_from_db()
    assert row.fulfilled_at is not None and row.payment_intent_id == "pi_alice_1"
    assert CreditAccount.objects.get(workspace=alice.workspace).stripe_customer_id == "cus_alice"
    assert StripeEvent.objects.get(event_id=event["id"]).attempts == 1


def test_completed_unpaid_then_async_succeeded_grants_once(webhook_secret, alice, pack):
    row = checkout_row(alice, pack)
    unpaid = stripe_event("checkout.session.completed", session_obj(row, payment_status="unpaid"))
    assert deliver(unpaid).status_code == 200
    assert balance(alice) == 0
    succeeded = stripe_event("checkout.session.async_payment_succeeded", session_obj(row))
    assert deliver(succeeded).status_code == 200
    assert deliver(succeeded).status_code == 200
    assert balance(alice) == 500
    assert LedgerEntry.objects.filter(workspace=alice.workspace).count() == 1


def test_an_async_payment_failure_grants_nothing(webhook_secret, alice, pack):
    row = checkout_row(alice, pack)
    deliver(stripe_event("checkout.session.completed", session_obj(row, payment_status="unpaid")))
    failed = stripe_event(
        "checkout.session.async_payment_failed", session_obj(row, payment_status="unpaid")
    )
    assert deliver(failed).status_code == 200
    assert StripeEvent.objects.get(event_id=failed["id"]).status == "processed"
    assert balance(alice) == 0


def test_a_session_we_did_not_record_is_fulfilled_from_its_metadata(webhook_secret, alice, pack):
    session = {
        "id": "cs_from_elsewhere",
        "object": "checkout.session",
        "mode": "payment",
        "payment_status": "paid",
        "customer": None,
        "payment_intent": "pi_x",
        "client_reference_id": alice.workspace.public_id,
        "metadata": {"workspace": alice.workspace.public_id, "pack": pack.public_id},
        "amount_total": 1000,
        "currency": "usd",
    }
    assert deliver(stripe_event("checkout.session.completed", session)).status_code == 200
    assert balance(alice) == 500


def test_a_handler_error_rolls_back_returns_500_and_the_retry_succeeds(
    webhook_secret, alice, pack, monkeypatch
):
    row = checkout_row(alice, pack)
    event = stripe_event("checkout.session.completed", session_obj(row))
    real = webhook.HANDLERS["checkout.session.completed"]

    def explode_after_writing(evt):
        real(evt)  # grants the credits...
        raise RuntimeError("disk full")  # ...then fails before the event is done

    monkeypatch.setitem(webhook.HANDLERS, "checkout.session.completed", explode_after_writing)
    response = deliver(event)
    assert response.status_code == 500
    assert response.json()["error"]["retryable"] is True
    assert balance(alice) == 0
    assert not LedgerEntry.objects.exists()
    row.refresh_from_db()
    assert row.fulfilled_at is None
    stored = StripeEvent.objects.get(event_id=event["id"])
    assert (stored.status, stored.attempts) == ("failed", 1)
    assert "disk full" in stored.error

    monkeypatch.setitem(webhook.HANDLERS, "checkout.session.completed", real)
    assert deliver(event).status_code == 200
    assert deliver(event).status_code == 200
    assert balance(alice) == 500
    stored.refresh_from_db()
    assert (stored.status, stored.error, stored.attempts) == ("processed", "", 2)


def test_a_refund_takes_the_credits_back_and_spent_credits_become_debt(webhook_secret, alice, pack):
    from apps.billing import services

    row = checkout_row(alice, pack)
    deliver(stripe_event("checkout.session.completed", session_obj(row)))
    hold = services.credits_hold(workspace=alice.workspace, credits=400)
    services.credits_capture(hold=hold)  # 100 left
    charge = {
        "id": "ch_1",
        "object": "charge",
        "payment_intent": "pi_alice_1",
        "amount": 1000,
        "amount_refunded": 500,
        "currency": "usd",
        "refunded": False,
    }
    deliver(stripe_event("charge.refunded", charge))
    assert balance(alice) == -150  # half the pack (250) taken back from 100
    deliver(stripe_event("charge.refunded", {**charge, "amount_refunded": 1000, "refunded": True}))
    deliver(stripe_event("charge.refunded", {**charge, "amount_refunded": 1000, "refunded": True}))
    acct = CreditAccount.objects.get(workspace=alice.workspace)
    assert (acct.balance, acct.held, acct.available, acct.debt) == (-400, 0, 0, 400)
    kinds = list(
        LedgerEntry.objects.filter(reference="ch_1").values_list("kind", "credits").order_by("id")
    )
    assert kinds == [("adjustment", -250), ("adjustment", -250)]
    with pytest.raises(Exception, match="owes 400 credits"):
        services.credits_hold(workspace=alice.workspace, credits=1)
    response = alice.api.get("/api/v1/billing/balance")
    body = response.json()
    assert (body["balance"], body["held"], body["available"]) == (-400, 0, 0)


# --- subscriptions ----------------------------------------------------------------------


def sub_event(type_: str, sub: dict, created: int) -> dict:
    return stripe_event(type_, sub, created=created)


def test_subscription_updates_out_of_order_leave_the_tier_stripe_reports_now(
    fake_stripe, alice, plans
):
    ws = alice.workspace.public_id
    sub = fake_stripe.subscription(price="price_pro", workspace=ws)
    as_pro = json.loads(json.dumps(sub))
    created = sub_event("customer.subscription.created", as_pro, 1000)
    # The customer upgrades; Stripe now reports enterprise.
    sub["items"]["data"][0]["price"]["id"] = "price_enterprise"
    upgraded = sub_event("customer.subscription.updated", json.loads(json.dumps(sub)), 1010)
    stale = sub_event("customer.subscription.updated", as_pro, 1005)
    # Delivered newest first, the older snapshots last.
    for event in (upgraded, stale, created):
        assert deliver(event).status_code == 200
        assert Workspace.objects.get(pk=alice.workspace.pk).tier.name == "enterprise"
    row = Subscription.objects.get(workspace=alice.workspace)
    assert (row.status, row.tier.name, row.stripe_customer_id) == (
        "active",
        "enterprise",
        "cus_test_sub",
    )
    fetched = [p for m, p, _, _ in fake_stripe.requests if m == "GET"]
    assert fetched == [f"/v1/subscriptions/{sub['id']}"] * 3


def test_past_due_keeps_the_tier_until_stripe_cancels(fake_stripe, alice, plans, client):
    sub = fake_stripe.subscription(price="price_pro", workspace=alice.workspace.public_id)
    deliver(sub_event("customer.subscription.created", sub, 1))
    sub["status"] = "past_due"
    invoice = {
        "id": "in_failed",
        "object": "invoice",
        "billing_reason": "subscription_cycle",
        "parent": {"subscription_details": {"subscription": sub["id"]}},
    }
    assert deliver(stripe_event("invoice.payment_failed", invoice)).status_code == 200
    assert Workspace.objects.get(pk=alice.workspace.pk).tier.name == "pro"
    client.force_login(alice.user)
    page = client.get("/billing/").content.decode()
    assert "Past due" in page and "last payment failed" in page

    sub["status"] = "canceled"
    deliver(sub_event("customer.subscription.deleted", sub, 3))
    assert Workspace.objects.get(pk=alice.workspace.pk).tier.name == "free"
    assert Subscription.objects.get(workspace=alice.workspace).status == "canceled"


def test_invoice_paid_grants_the_tiers_monthly_credits_once_per_invoice(fake_stripe, alice, plans):
    sub = fake_stripe.subscription(price="price_pro", workspace=alice.workspace.public_id)
    invoice = {
        "id": "in_1",
        "object": "invoice",
        "billing_reason": "subscription_create",
        "parent": {"subscription_details": {"subscription": sub["id"]}},
        "lines": {"data": [{"pricing": {"price_details": {"price": "price_pro"}}}]},
    }
    # invoice.paid may arrive before customer.subscription.created.
    assert deliver(stripe_event("invoice.paid", invoice)).status_code == 200
    assert deliver(stripe_event("invoice.paid", invoice)).status_code == 200
    assert balance(alice) == 3000
    assert Workspace.objects.get(pk=alice.workspace.pk).tier.name == "pro"
    deliver(
        stripe_event(
            "invoice.paid", {**invoice, "id": "in_2", "billing_reason": "subscription_cycle"}
        )
    )
    assert balance(alice) == 6000
    assert list(
        LedgerEntry.objects.filter(workspace=alice.workspace).values_list("reference", flat=True)
    ) == ["in_2", "in_1"]

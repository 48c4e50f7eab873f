"""Checkout against a local server speaking Stripe's wire format, through the official
stripe library (STRIPE_API_BASE points it there)."""

import pytest

from apps.billing.models import CheckoutSession, CreditAccount, LedgerEntry, Subscription

pytestmark = pytest.mark.django_db


def test_checkout_creates_a_payment_session_for_the_pack(fake_stripe, alice, pack):
    response = alice.api.post("/api/v1/billing/checkout", {"pack": pack.public_id}, format="json")
    assert response.status_code == 200, response.json()
    url = response.json()["checkout_url"]
    session_id = url.rsplit("/", 1)[1]
    assert response.json() == {"checkout_url": f"https://checkout.stripe.test/c/pay/{session_id}"}

    method, path, params, auth = fake_stripe.requests[-1]
    assert (method, path, auth) == (
        "POST",
        "/v1/checkout/sessions",
        "Bearer sk_test_reelsmith_billing",
    )
    assert params["mode"] == "payment"
    assert params["line_items"][0]["price_data"] == {
        "currency": "usd",
        "unit_amount": "1000",
        "product_data": {"name": "Starter (500 credits)"},
    }
    assert params["metadata"]["workspace"] == alice.workspace.public_id
    assert params["client_reference_id"] == alice.workspace.public_id
    assert "{CHECKOUT_SESSION_ID}" in params["success_url"]

    row = CheckoutSession.objects.get(session_id=session_id)
    assert (row.workspace, row.credits, row.mode, row.fulfilled_at) == (
        alice.workspace,
        500,
        "payment",
        None,
    )
    assert not LedgerEntry.objects.exists()  # nothing until Stripe says paid


def test_an_unknown_or_inactive_pack_is_404(fake_stripe, alice, pack):
    assert (
        alice.api.post("/api/v1/billing/checkout", {"pack": "pack_nope"}, format="json").status_code
        == 404
    )
    pack.active = False
    pack.save()
    assert (
        alice.api.post(
            "/api/v1/billing/checkout", {"pack": pack.public_id}, format="json"
        ).status_code
        == 404
    )
    assert fake_stripe.requests == []


def test_without_stripe_keys_checkout_says_card_payments_are_off(alice, pack, settings):
    settings.STRIPE_SECRET_KEY = ""
    response = alice.api.post("/api/v1/billing/checkout", {"pack": pack.public_id}, format="json")
    assert response.status_code == 409
    assert "Card payments are off" in response.json()["error"]["message"]
    response = alice.api.post("/api/v1/billing/subscribe", {"tier": "pro"}, format="json")
    assert response.status_code in (400, 409)


def test_the_success_redirect_fulfils_a_paid_session_once(fake_stripe, alice, pack, client):
    url = alice.api.post("/api/v1/billing/checkout", {"pack": pack.public_id}, format="json").json()
    session_id = url["checkout_url"].rsplit("/", 1)[1]
    client.force_login(alice.user)

    # Still unpaid: the query string proves nothing, so nothing is granted.
    client.get(f"/billing/checkout/success/?session_id={session_id}")
    assert CreditAccount.objects.get(workspace=alice.workspace).balance == 0

    fake_stripe.sessions[session_id].update(payment_status="paid", payment_intent="pi_1")
    for _ in range(2):
        response = client.get(f"/billing/checkout/success/?session_id={session_id}")
        assert response.status_code == 302
    assert CreditAccount.objects.get(workspace=alice.workspace).balance == 500
    assert LedgerEntry.objects.filter(kind="purchase").count() == 1


def test_charlie_cannot_fulfil_alices_checkout_through_the_redirect(
    fake_stripe, alice, charlie, pack, client
):
    url = alice.api.post("/api/v1/billing/checkout", {"pack": pack.public_id}, format="json").json()
    session_id = url["checkout_url"].rsplit("/", 1)[1]
    fake_stripe.sessions[session_id]["payment_status"] = "paid"
    client.force_login(charlie.user)
    client.get(f"/billing/checkout/success/?session_id={session_id}")
    assert CreditAccount.objects.get(workspace=charlie.workspace).balance == 0
    assert CreditAccount.objects.get(workspace=alice.workspace).balance == 0


def test_subscribe_creates_a_subscription_checkout_for_the_tier_price(fake_stripe, alice, plans):
    response = alice.api.post("/api/v1/billing/subscribe", {"tier": "pro"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["checkout_url"].startswith("https://checkout.stripe.test/")
    _, path, params, _ = fake_stripe.requests[-1]
    assert path == "/v1/checkout/sessions"
    assert params["mode"] == "subscription"
    assert params["line_items"] == [{"price": "price_pro", "quantity": "1"}]
    assert params["subscription_data"]["metadata"]["workspace"] == alice.workspace.public_id


def test_subscribe_needs_a_manager_and_a_sold_tier(fake_stripe, alice, bob, plans):
    assert (
        bob.api.post("/api/v1/billing/subscribe", {"tier": "pro"}, format="json").status_code == 403
    )
    response = alice.api.post("/api/v1/billing/subscribe", {"tier": "free"}, format="json")
    assert response.status_code == 400
    assert "pro" in response.json()["error"]["message"]


def test_a_live_subscriber_is_sent_to_the_billing_portal_not_a_second_subscription(
    fake_stripe, alice, plans
):
    Subscription.objects.create(
        workspace=alice.workspace,
        stripe_subscription_id="sub_live",
        stripe_customer_id="cus_alice",
        status="active",
        tier=plans["pro"].tier,
    )
    response = alice.api.post("/api/v1/billing/subscribe", {"tier": "enterprise"}, format="json")
    assert response.json()["checkout_url"].startswith("https://billing.stripe.test/")
    _, path, params, _ = fake_stripe.requests[-1]
    assert (path, params["customer"]) == ("/v1/billing_portal/sessions", "cus_alice")


def test_a_stripe_outage_is_a_clear_retryable_error(alice, pack, settings):
    settings.STRIPE_SECRET_KEY = "sk_test_x"
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens
    response = alice.api.post("/api/v1/billing/checkout", {"pack": pack.public_id}, format="json")
    assert response.status_code == 502
    assert response.json()["error"]["retryable"] is True

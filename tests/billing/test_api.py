import pytest

from apps.billing import services
from apps.billing.models import CreditPack
from tests.billing.conftest import deliver, stripe_event

pytestmark = pytest.mark.django_db


def test_balance_reports_balance_held_and_available_in_credits(alice_api, alice):
    services.credits_grant(workspace=alice.workspace, credits=100, idempotency_key="g")
    services.credits_hold(workspace=alice.workspace, credits=30)
    response = alice_api.get("/api/v1/billing/balance")
    assert response.status_code == 200
    assert response.json() == {
        "balance": 100,
        "held": 30,
        "available": 70,
        "low_credit_threshold": None,
        "low_credit_threshold_effective": 10,
    }


def test_the_ledger_is_newest_first_and_cursor_paginated(alice_api, alice):
    for i in range(5):
        services.credits_grant(workspace=alice.workspace, credits=i + 1, idempotency_key=f"g{i}")
    page = alice_api.get("/api/v1/billing/ledger?limit=2").json()
    assert [e["credits"] for e in page["results"]] == [5, 4]
    assert page["results"][0]["balance_after"] == 15
    assert page["results"][0]["id"].startswith("led_")
    assert page["results"][0]["kind"] == "grant"
    second = alice_api.get(page["next"]).json()
    assert [e["credits"] for e in second["results"]] == [3, 2]


def test_packs_lists_only_active_packs(alice_api):
    CreditPack.objects.create(name="Big", credits=5000, price_cents=8000)
    CreditPack.objects.create(name="Old", credits=1, price_cents=1, active=False)
    packs = alice_api.get("/api/v1/billing/packs").json()
    assert [(p["name"], p["credits"], p["price_cents"], p["currency"]) for p in packs] == [
        ("Big", 5000, 8000, "usd")
    ]
    assert packs[0]["id"].startswith("pack_")


def test_billing_endpoints_need_authentication(anon_api):
    for path in ("balance", "ledger", "packs"):
        assert anon_api.get(f"/api/v1/billing/{path}").status_code == 401
    assert anon_api.post("/api/v1/billing/checkout", {"pack": "x"}).status_code == 401


@pytest.mark.isolation("api:billing-balance", "api:billing-ledger")
def test_charlie_never_sees_alices_balance_or_ledger(alice, alice_api, charlie_api):
    services.credits_grant(workspace=alice.workspace, credits=777, idempotency_key="g")
    services.credits_hold(workspace=alice.workspace, credits=7)
    assert charlie_api.get("/api/v1/billing/balance").json() == {
        "balance": 0,
        "held": 0,
        "available": 0,
        "low_credit_threshold": None,
        "low_credit_threshold_effective": 0,
    }
    assert charlie_api.get("/api/v1/billing/ledger").json()["results"] == []
    assert alice_api.get("/api/v1/billing/ledger").json()["results"][0]["credits"] == 777


@pytest.mark.isolation("api:billing-packs", "api:billing-checkout")
def test_charlies_checkout_is_charlies_and_packs_are_shared(fake_stripe, alice, charlie, pack):
    assert [p["id"] for p in charlie.api.get("/api/v1/billing/packs").json()] == [pack.public_id]
    alice.api.post("/api/v1/billing/checkout", {"pack": pack.public_id}, format="json")
    charlie.api.post("/api/v1/billing/checkout", {"pack": pack.public_id}, format="json")
    made_for = [p["metadata"]["workspace"] for _, _, p, _ in fake_stripe.requests]
    assert made_for == [alice.workspace.public_id, charlie.workspace.public_id]
    # A pack id that does not exist is the same 404 for everyone.
    assert (
        charlie.api.post("/api/v1/billing/checkout", {"pack": "pack_x"}, format="json").status_code
        == 404
    )


@pytest.mark.isolation("api:billing-subscribe")
def test_charlies_subscription_checkout_is_for_charlies_workspace(
    fake_stripe, alice, charlie, plans
):
    from apps.billing.models import Subscription

    Subscription.objects.create(
        workspace=alice.workspace,
        stripe_subscription_id="sub_alice",
        stripe_customer_id="cus_alice",
        status="active",
    )
    response = charlie.api.post("/api/v1/billing/subscribe", {"tier": "pro"}, format="json")
    assert response.json()["checkout_url"].startswith("https://checkout.stripe.test/")
    _, path, params, _ = fake_stripe.requests[-1]
    assert path == "/v1/checkout/sessions"  # not alice's billing portal
    assert params["metadata"]["workspace"] == charlie.workspace.public_id
    assert "customer" not in params


def test_the_webhook_needs_no_api_key_but_a_signature(anon_api, webhook_secret):
    assert deliver(stripe_event("ping", {"id": "x"}), client=anon_api).status_code == 200


# --- the low-credit threshold -------------------------------------------------------------

BALANCE = "/api/v1/billing/balance"


def test_an_owner_sets_the_low_credit_threshold_and_null_restores_the_default(alice_api, alice):
    services.credits_grant(workspace=alice.workspace, credits=300, idempotency_key="g")
    response = alice_api.patch(BALANCE, {"low_credit_threshold": 120}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json() == {
        "balance": 300,
        "held": 0,
        "available": 300,
        "low_credit_threshold": 120,
        "low_credit_threshold_effective": 120,
    }
    assert alice_api.get(BALANCE).json()["low_credit_threshold"] == 120
    body = alice_api.patch(BALANCE, {"low_credit_threshold": None}, format="json").json()
    assert (body["low_credit_threshold"], body["low_credit_threshold_effective"]) == (None, 30)
    body = alice_api.patch(BALANCE, {"low_credit_threshold": 0}, format="json").json()
    assert (body["low_credit_threshold"], body["low_credit_threshold_effective"]) == (0, 0)


def test_an_admin_may_set_the_threshold_but_a_member_may_not(alice, bob, bob_api):
    response = bob_api.patch(BALANCE, {"low_credit_threshold": 5}, format="json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "PERMISSION_DENIED"
    assert bob_api.get(BALANCE).status_code == 200  # reading stays open to members
    bob.membership.role = "admin"
    bob.membership.save()
    assert bob_api.patch(BALANCE, {"low_credit_threshold": 5}, format="json").status_code == 200


@pytest.mark.parametrize("bad", [-1, "12", True, 1.5, 10**12 + 1, [3], {"n": 3}])
def test_the_threshold_must_be_a_non_negative_whole_number(alice_api, bad):
    response = alice_api.patch(BALANCE, {"low_credit_threshold": bad}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert alice_api.get(BALANCE).json()["low_credit_threshold"] is None


def test_an_empty_patch_changes_nothing(alice_api, alice):
    services.low_credit_threshold_set(workspace=alice.workspace, threshold=7)
    response = alice_api.patch(BALANCE, {}, format="json")
    assert response.status_code == 200
    assert response.json()["low_credit_threshold"] == 7


def test_the_threshold_is_set_with_json_only(alice_api):
    response = alice_api.patch(BALANCE, "low_credit_threshold=5", content_type="text/plain")
    assert response.status_code == 415


@pytest.mark.isolation("api:billing-balance")
def test_charlies_threshold_is_charlies_alone(alice, alice_api, charlie_api):
    alice_api.patch(BALANCE, {"low_credit_threshold": 40}, format="json")
    assert charlie_api.get(BALANCE).json()["low_credit_threshold"] is None
    charlie_api.patch(BALANCE, {"low_credit_threshold": 3}, format="json")
    assert alice_api.get(BALANCE).json()["low_credit_threshold"] == 40
    assert charlie_api.get(BALANCE).json()["low_credit_threshold"] == 3


def test_setting_the_threshold_needs_authentication(anon_api):
    assert anon_api.patch(BALANCE, {"low_credit_threshold": 1}, format="json").status_code == 401

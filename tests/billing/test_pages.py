import pytest

from apps.billing import services
from apps.billing.models import CreditPack

pytestmark = pytest.mark.django_db


def test_the_billing_page_shows_credits_ledger_tier_and_packs(client, alice):
    services.credits_grant(
        workspace=alice.workspace, credits=120, idempotency_key="g", reason="welcome"
    )
    services.credits_hold(workspace=alice.workspace, credits=20)
    CreditPack.objects.create(name="Starter", credits=500, price_cents=1000)
    client.force_login(alice.user)
    response = client.get("/billing/")
    assert response.status_code == 200
    page = response.content.decode()
    for text in (
        "Balance",
        "120",
        "Held by running jobs",
        "Available",
        "welcome",
        "Starter",
        "10.00 USD",
        "Free tier",
        'href="/billing/"',
    ):
        assert text in page, text


def test_without_keys_the_page_says_card_payments_are_off(client, alice, settings):
    settings.STRIPE_SECRET_KEY = ""
    client.force_login(alice.user)
    page = client.get("/billing/").content.decode()
    assert "Card payments are off" in page


def test_buying_without_keys_shows_the_message_not_a_traceback(client, alice, settings):
    settings.STRIPE_SECRET_KEY = ""
    pack = CreditPack.objects.create(name="Starter", credits=500, price_cents=1000)
    client.force_login(alice.user)
    response = client.post("/billing/buy/", {"pack": pack.public_id}, follow=True)
    assert "Card payments are off" in response.content.decode()


def test_a_workspace_in_debt_is_told_so(client, alice):
    services.credits_adjust(
        workspace=alice.workspace,
        credits=-50,
        reason="refund",
        idempotency_key="x",
        allow_debt=True,
    )
    client.force_login(alice.user)
    assert "owes 50 credits" in client.get("/billing/").content.decode()


def test_the_billing_page_needs_login(client):
    response = client.get("/billing/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]

"""The API keys page: create a key with scopes, models, a monthly limit and an expiry;
owners and admins edit them; members only see them."""

import re

import pytest
from django.test import Client

from apps.accounts.models import ApiKey

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice_browser(alice) -> Client:
    client = Client()
    client.force_login(alice.user)
    return client


def test_create_with_every_setting(alice_browser):
    response = alice_browser.post(
        "/api-keys/",
        {
            "name": "render farm",
            "scopes": ["read", "jobs"],
            "allowed_models": "local/, local/text-to-video",
            "monthly_credit_limit": "250",
            "expires_at": "2999-01-01T10:00",
        },
    )
    assert response.status_code == 302
    key = ApiKey.objects.get(name="render farm")
    assert key.scopes == ["read", "jobs"]
    assert key.allowed_models == ["local/", "local/text-to-video"]
    assert key.monthly_credit_limit == 250
    assert key.expires_at.year == 2999
    page = alice_browser.get("/api-keys/").content.decode()
    assert "read, jobs" in page and "0 / 250" in page


def test_only_a_name_gives_the_default_scopes(alice_browser):
    alice_browser.post("/api-keys/", {"name": "laptop"})
    assert ApiKey.objects.get(name="laptop").scopes == ["read", "jobs", "uploads", "billing"]


def test_a_bad_model_shows_the_services_message_and_creates_nothing(alice_browser):
    response = alice_browser.post("/api-keys/", {"name": "x", "allowed_models": "nope/"})
    assert response.status_code == 200
    assert "allowed_models" in response.content.decode()
    assert not ApiKey.objects.filter(name="x").exists()


def test_edit_changes_the_key_for_its_next_request(alice, alice_browser):
    key = ApiKey.objects.get(created_by=alice.user)
    form = alice_browser.get(f"/api-keys/{key.public_id}/edit/").content.decode()
    assert 'value="admin"' in form and re.search(r'value="admin"[^>]*checked', form)
    response = alice_browser.post(
        f"/api-keys/{key.public_id}/edit/",
        {"name": "narrowed", "scopes": ["read"], "allowed_models": "", "monthly_credit_limit": "5"},
    )
    assert response.status_code == 302
    key.refresh_from_db()
    assert (key.name, key.scopes, key.monthly_credit_limit) == ("narrowed", ["read"], 5)
    assert alice.api.get("/api/v1/webhooks").status_code == 403


def test_a_past_expiry_is_refused_on_the_page(alice, alice_browser):
    key = ApiKey.objects.get(created_by=alice.user)
    response = alice_browser.post(
        f"/api-keys/{key.public_id}/edit/", {"name": "k", "expires_at": "2001-01-01T00:00"}
    )
    assert response.status_code == 200
    assert "future" in response.content.decode()
    key.refresh_from_db()
    assert key.expires_at is None


def test_members_make_and_edit_their_own_keys_but_not_anyone_elses(alice, bob):
    bob.user.active_workspace = alice.workspace
    bob.user.save(update_fields=["active_workspace"])
    client = Client()
    client.force_login(bob.user)
    page = client.get("/api-keys/").content.decode()
    assert 'data-testid="key-form"' in page
    key = ApiKey.objects.get(created_by=alice.user)
    assert client.get(f"/api-keys/{key.public_id}/edit/").status_code == 403
    client.post("/api-keys/", {"name": "bobs", "scopes": ["read", "jobs"]})
    mine = ApiKey.objects.get(name="bobs", created_by=bob.user)
    assert client.get(f"/api-keys/{mine.public_id}/edit/").status_code == 200


def test_another_workspaces_key_is_404(alice, charlie):
    client = Client()
    client.force_login(charlie.user)
    key = ApiKey.objects.get(created_by=alice.user)
    assert client.get(f"/api-keys/{key.public_id}/edit/").status_code == 404
    assert client.post(f"/api-keys/{key.public_id}/edit/", {"name": "x"}).status_code == 404

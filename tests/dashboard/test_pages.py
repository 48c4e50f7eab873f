import html

import pytest

from apps.accounts.models import Membership, Role

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(response.content.decode()).replace("\xa0", " ")


@pytest.fixture
def alice_browser(client, alice):
    client.force_login(alice.user)
    return client


def test_pages_need_login(client):
    for url in ("/", "/api-keys/", "/members/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")


def test_login_page_renders(client):
    response = client.get("/login/")
    assert response.status_code == 200
    assert b"Log in" in response.content


def test_workspace_page_shows_tier_limits_and_usage(alice_browser):
    page = text(alice_browser.get("/"))
    assert "Free tier" in page
    assert "100.0 MB" in page  # upload per file
    assert "500.0 MB" in page  # storage
    assert "60 / minute" in page


def test_owner_adds_a_member_from_the_members_page(alice_browser, alice, charlie):
    response = alice_browser.post(
        "/members/", {"email": charlie.user.email, "role": "admin"}, follow=True
    )
    assert f"Added {charlie.user.email}" in text(response)
    assert Membership.objects.get(workspace=alice.workspace, user=charlie.user).role == Role.ADMIN


def test_a_refused_action_shows_its_message(alice_browser, alice):
    owner = Membership.objects.get(workspace=alice.workspace, user=alice.user)
    response = alice_browser.post(
        f"/members/{owner.public_id}/role/", {"role": "member"}, follow=True
    )
    assert "at least one owner" in text(response)


def test_the_switcher_changes_the_active_workspace(client, alice, bob):
    client.force_login(bob.user)
    response = client.post(
        "/workspace/switch/", {"workspace": alice.workspace.public_id}, follow=True
    )
    assert alice.workspace.name in text(response)
    bob.user.refresh_from_db()
    assert bob.user.active_workspace == alice.workspace


def test_charlie_cannot_switch_into_alices_workspace(client, alice, charlie):
    client.force_login(charlie.user)
    client.post("/workspace/switch/", {"workspace": alice.workspace.public_id})
    charlie.user.refresh_from_db()
    assert charlie.user.active_workspace == charlie.workspace


def test_charlie_cannot_revoke_alices_key_from_the_page(client, alice, charlie):
    key = alice.user.api_keys.get()
    client.force_login(charlie.user)
    response = client.post(f"/api-keys/{key.public_id}/revoke/", follow=True)
    assert "No such API key" in text(response)
    key.refresh_from_db()
    assert key.revoked_at is None

import re

import httpx
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_signup_create_a_key_use_it_and_revoke_it(live_server, page):
    page.goto(f"{live_server.url}/signup/")
    page.get_by_label("Email").fill("newcomer@example.com")
    page.get_by_label("Password").fill("a-long-password-42")
    page.get_by_role("button", name="Sign up").click()

    expect(page.get_by_role("heading", name="Free tier")).to_be_visible()
    expect(page.get_by_text("100.0 MB")).to_be_visible()

    page.get_by_role("link", name="API keys").click()
    page.get_by_label("Name").fill("laptop")
    page.get_by_role("button", name="Create key").click()
    secret = page.get_by_test_id("new-secret").inner_text().strip()
    assert re.fullmatch(r"rsk_[A-Za-z0-9]{10}_[A-Za-z0-9]{40}", secret)

    api = httpx.get(f"{live_server.url}/api/v1/workspace", headers={"X-API-Key": secret})
    assert api.status_code == 200
    assert api.json()["tier"]["name"] == "free"

    page.once("dialog", lambda dialog: dialog.accept())  # "Revoke the key laptop?"
    page.get_by_role("button", name="Revoke").click()
    expect(page.get_by_text("Key revoked.")).to_be_visible()
    api = httpx.get(f"{live_server.url}/api/v1/workspace", headers={"X-API-Key": secret})
    assert api.status_code == 401


def test_a_wrong_password_shows_a_message_not_a_traceback(live_server, page):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Email").fill("nobody@example.com")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Please enter a correct email and password")).to_be_visible()


def test_api_docs_render_from_local_assets(live_server, page):
    external = []
    page.on(
        "request",
        lambda r: external.append(r.url) if not r.url.startswith(live_server.url) else None,
    )
    page.goto(f"{live_server.url}/api/docs/")
    expect(page.get_by_text("Reelsmith API").first).to_be_visible()
    assert external == []

"""Dashboard-wide pages: credits and the storage bar on the home page, the API key PRG,
confirmations, product-styled 404 and 500 pages, and the favicon."""

import html
import re

import pytest
from django.test import Client
from django.urls import path

from apps.accounts.models import ApiKey
from apps.billing.services import credits_grant
from config.urls import *  # noqa: F403  (handlers too: the test URLconf below adds one route)
from config.urls import urlpatterns as _urlpatterns

pytestmark = pytest.mark.django_db


def _boom(request):
    raise RuntimeError("a bug")


urlpatterns = [path("boom/", _boom), *_urlpatterns]


def text(response) -> str:
    return html.unescape(response.content.decode()).replace("\xa0", " ")


@pytest.fixture
def alice_browser(alice) -> Client:
    client = Client()
    client.force_login(alice.user)
    return client


def test_the_home_page_shows_credits_and_an_empty_storage_bar(alice, alice_browser):
    credits_grant(workspace=alice.workspace, credits=250, idempotency_key="t-home")
    page = text(alice_browser.get("/"))
    assert re.search(r'class="credits-available">250</strong> credits available', page)
    assert 'aria-valuenow="0"' in page and 'style="width: 0%"' in page
    assert "(0 %)" in page


def test_a_tiny_amount_of_storage_rounds_down_to_zero_percent(alice, alice_browser):
    type(alice.workspace).objects.filter(pk=alice.workspace.pk).update(storage_used_bytes=1000)
    page = text(alice_browser.get("/"))
    assert 'aria-valuenow="0"' in page and "1000 bytes of 500.0 MB" in page


def test_creating_a_key_redirects_and_shows_the_secret_once(alice, alice_browser):
    before = ApiKey.objects.filter(workspace=alice.workspace).count()
    response = alice_browser.post("/api-keys/", {"name": "laptop"})
    assert response.status_code == 302 and response["Location"] == "/api-keys/"
    assert "rsk_" not in response["Location"]
    shown = text(alice_browser.get("/api-keys/"))
    secret = re.search(r'data-testid="new-secret">(rsk_[^<]+)<', shown).group(1)
    assert ApiKey.objects.filter(workspace=alice.workspace).count() == before + 1
    assert "Key created" in shown
    again = text(alice_browser.get("/api-keys/"))
    assert secret not in again and "new-secret" not in again
    assert ApiKey.objects.filter(workspace=alice.workspace).count() == before + 1


def test_the_new_secret_is_not_shown_in_another_workspace(alice, charlie, alice_browser):
    from apps.accounts.models import Role
    from tests.factories import add_member

    add_member(charlie.workspace, alice.user, Role.OWNER)
    alice_browser.post("/api-keys/", {"name": "laptop"})
    alice_browser.post("/workspace/switch/", {"workspace": charlie.workspace.public_id})
    assert "new-secret" not in text(alice_browser.get("/api-keys/"))


def test_an_invalid_key_form_is_shown_again_without_a_redirect(alice_browser):
    response = alice_browser.post("/api-keys/", {"name": ""})
    assert response.status_code == 200
    assert "new-secret" not in text(response)


def test_revoke_and_member_removal_ask_first(alice, bob, alice_browser):
    keys = text(alice_browser.get("/api-keys/"))
    assert 'data-confirm="Revoke the key' in keys
    members = text(alice_browser.get("/members/"))
    assert f'data-confirm="Remove {bob.user.email} from this workspace?"' in members
    assert "js/app.js" in members


def test_the_404_page_is_the_products(alice_browser):
    for client in (Client(), alice_browser):
        response = client.get("/no/such/page/")
        assert response.status_code == 404
        page = text(response)
        assert 'data-testid="error-page"' in page and "This page is not here" in page
        assert "css/app.css" in page and "img/favicon.svg" in page
    assert "Back to the dashboard" in text(alice_browser.get("/gallery/ast_nope/"))


def test_the_api_keeps_its_json_404(alice_api):
    response = alice_api.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOT_FOUND"


def test_the_500_page_is_the_products(settings):
    settings.ROOT_URLCONF = __name__
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    page = text(response)
    assert "Something went wrong" in page and "css/app.css" in page and "a bug" not in page


def test_the_500_page_renders_without_a_database_query(rf, django_assert_num_queries):
    from apps.core.exceptions import server_error

    with django_assert_num_queries(0):
        response = server_error(rf.get("/studio/"))
    assert response.status_code == 500 and b"Something went wrong" in response.content


def test_the_favicon_is_linked_and_served(client):
    page = text(client.get("/login/"))
    href = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', page).group(1)
    assert href == "/static/img/favicon.svg"

"""Crafted input from outside (issue 12) gets a typed 4xx in the one envelope, never a 500."""

import base64

import pytest
from rest_framework.test import APIClient

from apps.accounts.models import Membership
from apps.accounts.services import api_key_create, user_signup
from tests.core.test_error_envelope import assert_envelope

pytestmark = pytest.mark.django_db


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@pytest.fixture
def staff_api(db) -> APIClient:
    user = user_signup(email="staff@example.com", password="pw-12345678", is_staff=True)
    _, key = api_key_create(actor=Membership.objects.get(user=user), name="staff key")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


# Every cursor-paginated list in the API, and who may read it.
CURSOR_LISTS = [
    ("/api/v1/gallery/public", "anon"),
    ("/api/v1/gallery", "alice"),
    ("/api/v1/tasks", "alice"),
    ("/api/v1/billing/ledger", "alice"),
    ("/api/v1/api-keys", "alice"),
    ("/api/v1/members", "alice"),
    ("/api/v1/moderation/cases", "staff"),
]

BAD_CURSORS = [
    _b64("p=1"),  # "cD0x": a position that is not a timestamp
    "abc",  # not base64 (DRF's undocumented 404 before)
    "%%%",
    "\u00e9t\u00e9",  # not ASCII
    _b64("junk"),
    _b64("\x00\xff"),
    _b64("p=not-a-date"),
    _b64("p=2024-13-45 99:99:99"),
    _b64("p=99999-01-01 00:00:00+00:00"),
    _b64("o=999999999"),
    _b64("o=-1"),
    _b64("o=x"),
    _b64("r=2"),
    _b64("r=1&r=0"),
    _b64("x=1"),
    _b64("p=\x00"),
    "\x00",
]


@pytest.fixture
def list_client(request, anon_api, alice_api):
    def client_for(who: str) -> APIClient:
        return {"anon": anon_api, "alice": alice_api}.get(who) or request.getfixturevalue(
            "staff_api"
        )

    return client_for


@pytest.mark.parametrize("url,who", CURSOR_LISTS)
def test_crafted_cursor_is_a_400_naming_cursor_on_every_list(list_client, url, who):
    client = list_client(who)
    for cursor in BAD_CURSORS:
        response = client.get(url, {"cursor": cursor})
        error = assert_envelope(response, 400, "VALIDATION_ERROR")
        assert "cursor" in error["details"]["fields"], cursor
        assert error["retryable"] is False


@pytest.mark.parametrize("url,who", CURSOR_LISTS)
def test_a_bad_limit_is_a_400_naming_limit_and_a_huge_one_is_capped(list_client, url, who):
    client = list_client(who)
    for limit in ("abc", "-1", "0", "1.5", "9" * 5000):
        error = assert_envelope(client.get(url, {"limit": limit}), 400, "VALIDATION_ERROR")
        assert "limit" in error["details"]["fields"], limit
    assert client.get(url, {"limit": "999999999999"}).status_code == 200


def test_the_next_cursor_still_pages_through_a_list(alice, alice_api):
    for n in range(4):
        api_key_create(actor=alice.membership, name=f"key {n}")
    seen, url = [], "/api/v1/api-keys?limit=2"
    while url:
        body = alice_api.get(url).json()
        seen += [k["id"] for k in body["results"]]
        url = body["next"]
    assert len(seen) == len(set(seen)) == 5
    previous = alice_api.get(alice_api.get("/api/v1/api-keys?limit=2").json()["next"]).json()
    assert alice_api.get(previous["previous"]).json()["results"]


def _api_views():
    from django.urls import URLPattern, URLResolver, get_resolver

    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern) and hasattr(p.callback, "view_class"):
                yield prefix + str(p.pattern), p.callback.view_class

    return list(walk(get_resolver().url_patterns))


def test_every_paginated_api_list_uses_the_shared_cursor_pagination_and_is_tested_above():
    from rest_framework.generics import GenericAPIView

    from apps.core.pagination import CursorPagination

    paginated = {
        "/" + route
        for route, view in _api_views()
        if issubclass(view, GenericAPIView) and view.pagination_class is not None
    }
    for route, view in _api_views():
        if issubclass(view, GenericAPIView) and view.pagination_class is not None:
            assert issubclass(view.pagination_class, CursorPagination), route
    assert paginated == {url for url, _ in CURSOR_LISTS}

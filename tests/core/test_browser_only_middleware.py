"""Keyed API requests skip the session, authentication and message middleware
(apps/core/middleware.BrowserOnly); every other request runs them as before."""

import pytest
from django.test import RequestFactory

from apps.core.middleware import AuthenticationMiddleware, MessageMiddleware, SessionMiddleware


def chain():
    """Session → authentication → messages, then a view that reports what it was given."""
    seen = {}

    def view(request):
        from django.http import HttpResponse

        seen.update(
            session=hasattr(request, "session"),
            user=hasattr(request, "user"),
            messages=hasattr(request, "_messages"),
        )
        return HttpResponse("ok")

    return SessionMiddleware(AuthenticationMiddleware(MessageMiddleware(view))), seen


@pytest.mark.parametrize(
    ("path", "headers", "skipped"),
    [
        ("/api/v1/tasks", {"HTTP_AUTHORIZATION": "Bearer rsk_x_y"}, True),
        ("/api/v1/tasks", {"HTTP_AUTHORIZATION": "bearer rsk_x_y"}, True),
        ("/v1/videos", {"HTTP_X_API_KEY": "rsk_x_y"}, True),
        ("/api/v1/tasks", {}, False),  # a dashboard session calling the API
        ("/api/v1/tasks", {"HTTP_AUTHORIZATION": "Basic eDp5"}, False),
        ("/api/v1/tasks", {"HTTP_AUTHORIZATION": "Bearer"}, False),
        ("/gallery/", {"HTTP_AUTHORIZATION": "Bearer rsk_x_y"}, False),  # a page
    ],
)
def test_only_keyed_api_requests_skip_the_browser_middleware(path, headers, skipped):
    middleware, seen = chain()
    response = middleware(RequestFactory().get(path, **headers))
    assert response.status_code == 200
    assert seen == {"session": not skipped, "user": not skipped, "messages": not skipped}


def test_a_session_post_to_the_api_still_needs_its_csrf_token(alice):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(alice.user)
    response = client.post("/api/v1/generate", data="{}", content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["error"]["message"]


def test_a_keyed_api_request_sets_no_cookies(alice):
    response = alice.api.get("/api/v1/workspace")
    assert response.status_code == 200
    assert not response.cookies


def test_a_session_user_still_reaches_the_api(alice, client):
    client.force_login(alice.user)
    response = client.get("/api/v1/workspace")
    assert response.status_code == 200
    assert response.json()["id"] == alice.workspace.public_id

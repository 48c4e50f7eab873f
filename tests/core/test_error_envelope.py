import pytest
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db


def assert_envelope(response, status: int, code: str) -> dict:
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "retryable", "details"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body["error"]


def test_unknown_api_url_is_a_404_envelope(alice_api):
    assert_envelope(alice_api.get("/api/v1/no-such-thing"), 404, "NOT_FOUND")


def test_wrong_method_is_a_405_envelope(alice_api):
    assert_envelope(alice_api.put("/api/v1/workspace", {}), 405, "METHOD_NOT_ALLOWED")


def test_unsupported_content_type_is_a_415_envelope(alice_api):
    response = alice_api.post("/api/v1/api-keys", "name=x", content_type="text/csv")
    assert_envelope(response, 415, "UNSUPPORTED_MEDIA_TYPE")


def test_malformed_json_is_a_400_validation_error(alice_api):
    response = alice_api.post("/api/v1/api-keys", "{nope", content_type="application/json")
    assert_envelope(response, 400, "VALIDATION_ERROR")


def test_field_errors_are_listed_in_details(alice_api):
    error = assert_envelope(
        alice_api.post("/api/v1/api-keys", {}, format="json"), 400, "VALIDATION_ERROR"
    )
    assert "name" in error["details"]["fields"]
    assert error["message"].startswith("Invalid input: name")


@override_settings(ROOT_URLCONF="tests.core.urls_boom")
def test_an_unhandled_error_in_an_api_view_is_a_500_envelope_without_internals():
    response = Client(raise_request_exception=False).get("/api/test-boom")
    error = assert_envelope(response, 500, "INTERNAL_ERROR")
    assert error["retryable"] is True
    assert "secret internals" not in response.content.decode()


@override_settings(ROOT_URLCONF="tests.core.urls_boom")
def test_an_unhandled_error_outside_drf_under_api_is_a_500_envelope():
    response = Client(raise_request_exception=False).get("/api/test-boom-plain")
    assert_envelope(response, 500, "INTERNAL_ERROR")
    assert "secret internals" not in response.content.decode()


@override_settings(ROOT_URLCONF="tests.core.urls_boom")
def test_pages_show_a_message_not_a_traceback():
    response = Client(raise_request_exception=False).get("/page-boom")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
    assert "Traceback" not in response.content.decode()
    assert "secret internals" not in response.content.decode()


def test_page_404_is_html(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")

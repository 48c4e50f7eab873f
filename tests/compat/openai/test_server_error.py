"""A crash outside the view (middleware, URL resolution) still answers in the front's
own error shape, so the OpenAI SDK raises its InternalServerError with a message."""

import json

from django.test import RequestFactory

from apps.core.exceptions import server_error


def test_a_500_under_v1_has_openais_error_shape():
    response = server_error(RequestFactory().get("/v1/videos"))
    assert response.status_code == 500
    error = json.loads(response.content)["error"]
    assert set(error) >= {"message", "type", "param", "code"}


def test_a_500_under_api_keeps_our_envelope():
    response = server_error(RequestFactory().get("/api/v1/tasks"))
    assert response.status_code == 500
    assert json.loads(response.content)["error"]["retryable"] is True

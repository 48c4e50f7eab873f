"""Issue 12 item 13: failed API-key authentications are limited per client address."""

import types
from unittest.mock import ANY

import pytest
from rest_framework.test import APIClient

from apps.core import throttling

pytestmark = pytest.mark.django_db

BAD_KEY = "rsk_notarealkey_0000000000000000000000000000"
ATTACKER = "203.0.113.7"
BYSTANDER = "198.51.100.20"


@pytest.fixture
def clock(monkeypatch, settings):
    """The limiter's clock, 10 s into a minute (so no window ends mid-test by accident)."""
    settings.AUTH_FAILURES_PER_MINUTE = 20
    now = [1_800_000_010.0]
    monkeypatch.setattr(throttling, "time", types.SimpleNamespace(time=lambda: now[0]))
    return now


def call(key: str, address: str, **extra):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client.get("/api/v1/workspace", REMOTE_ADDR=address, **extra)


def test_200_bad_key_requests_get_429_with_retry_after_past_the_limit(clock):
    responses = [call(BAD_KEY, ATTACKER) for _ in range(200)]
    assert [r.status_code for r in responses] == [401] * 20 + [429] * 180
    assert responses[0].json()["error"]["code"] == "AUTHENTICATION_FAILED"
    last = responses[-1]
    error = last.json()["error"]
    assert error["code"] == "RATE_LIMIT_EXCEEDED"
    assert error["retryable"] is True
    assert "20 per minute" in error["message"]
    assert error["details"] == {
        "auth_failures_per_minute": 20,
        "retry_after_s": 50,
        "request_id": ANY,
    }
    assert last["Retry-After"] == "50"


def test_a_valid_key_from_a_blocked_address_waits_for_the_window_to_end(clock, alice):
    for _ in range(20):
        call(BAD_KEY, ATTACKER)
    assert call(alice.key, ATTACKER).status_code == 429
    clock[0] += 50
    assert call(alice.key, ATTACKER).status_code == 200


def test_another_address_is_unaffected(clock, alice):
    for _ in range(25):
        call(BAD_KEY, ATTACKER)
    assert call(BAD_KEY, BYSTANDER).status_code == 401
    assert call(alice.key, BYSTANDER).status_code == 200


def test_successful_authentications_are_not_counted(clock, alice):
    for _ in range(30):
        assert call(alice.key, ATTACKER).status_code == 200
    assert call(BAD_KEY, ATTACKER).status_code == 401


def test_a_forged_x_forwarded_for_does_not_escape_the_limit(clock):
    statuses = [
        call(BAD_KEY, ATTACKER, HTTP_X_FORWARDED_FOR=f"10.0.0.{i}").status_code for i in range(25)
    ]
    assert statuses == [401] * 20 + [429] * 5


def test_behind_one_trusted_proxy_the_client_is_the_rightmost_forwarded_address(
    clock, settings, alice
):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.2"
    # The attacker varies what it sends; the proxy appends the address it really saw.
    statuses = [
        call(BAD_KEY, proxy, HTTP_X_FORWARDED_FOR=f"192.0.2.{i}, {ATTACKER}").status_code
        for i in range(21)
    ]
    assert statuses == [401] * 20 + [429]
    assert call(alice.key, proxy, HTTP_X_FORWARDED_FOR=BYSTANDER).status_code == 200


def test_the_anonymous_limit_also_ignores_a_forged_x_forwarded_for(settings, anon_api):
    settings.ANONYMOUS_REQUESTS_PER_MINUTE = 3
    statuses = [
        anon_api.get(
            "/api/v1/gallery/public", REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR=f"10.1.0.{i}"
        ).status_code
        for i in range(5)
    ]
    assert statuses[-1] == 429

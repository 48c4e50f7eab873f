import pytest

from apps.accounts.models import Tier

pytestmark = pytest.mark.django_db


def test_requests_over_the_tier_limit_get_429_with_retry_after(alice, alice_api):
    Tier.objects.filter(name="free").update(requests_per_minute=5)
    statuses = [alice_api.get("/api/v1/workspace").status_code for _ in range(7)]
    assert statuses == [200] * 5 + [429] * 2
    response = alice_api.get("/api/v1/workspace")
    assert response.status_code == 429
    error = response.json()["error"]
    assert error["code"] == "RATE_LIMIT_EXCEEDED"
    assert error["retryable"] is True
    assert error["details"]["limit_per_minute"] == 5
    assert "5 requests per minute" in error["message"]
    assert 1 <= int(response["Retry-After"]) <= 60


def test_the_limit_is_per_workspace(alice, alice_api, bob_api, charlie_api):
    Tier.objects.filter(name="free").update(requests_per_minute=3)
    for _ in range(3):
        assert alice_api.get("/api/v1/workspace").status_code == 200
    # bob's key is for alice's workspace: same bucket.
    assert bob_api.get("/api/v1/workspace").status_code == 429
    # charlie is another tenant with his own bucket.
    assert charlie_api.get("/api/v1/workspace").status_code == 200


def test_a_higher_tier_gets_a_higher_limit(alice, alice_api):
    Tier.objects.filter(name="free").update(requests_per_minute=2)
    Tier.objects.filter(name="pro").update(requests_per_minute=4)
    alice.workspace.tier = Tier.objects.get(name="pro")
    alice.workspace.save()
    statuses = [alice_api.get("/api/v1/workspace").status_code for _ in range(5)]
    assert statuses == [200] * 4 + [429]

"""An API key's allowed_models covers fallback candidates too (they may deliver)."""

from unittest.mock import ANY

import pytest

from apps.billing.models import CreditAccount
from apps.billing.services import credits_grant
from apps.jobs.models import Job
from tests.accounts.keyhelpers import key_client

pytestmark = pytest.mark.django_db(transaction=True)

JOB = {
    "method": "text-to-video",
    "model": "wavespeed-ai/hunyuan-video-1.5/text-to-video",
    "prompt": "A red fox at dawn",
    "duration": 5,
    "resolution": "480p",
    "aspect_ratio": "16:9",
    "fallback_models": ["seedance-lite-t2v"],
}


@pytest.fixture(autouse=True)
def job_storage(media_storage):
    return media_storage


def test_a_fallback_outside_the_keys_allowed_models_is_403_with_nothing_held(alice, sandbox):
    credits_grant(workspace=alice.workspace, credits=100_000, idempotency_key="fund")
    _, client = key_client(alice, allowed_models=["wavespeed-ai/"])
    response = client.post("/api/v1/generate", JOB, format="json")
    assert response.status_code == 403, response.json()
    error = response.json()["error"]
    assert error["code"] == "PERMISSION_DENIED"
    assert error["details"] == {
        "allowed_models": ["wavespeed-ai/"],
        "model": "seedance-lite-t2v",
        "request_id": ANY,
    }
    assert not Job.objects.exists()
    assert CreditAccount.objects.get(workspace=alice.workspace).held == 0


def test_allowing_the_fallbacks_provider_too_accepts_the_job(alice, sandbox):
    credits_grant(workspace=alice.workspace, credits=100_000, idempotency_key="fund")
    _, client = key_client(alice, allowed_models=["wavespeed-ai/", "seedance-lite-t2v"])
    response = client.post(
        "/api/v1/generate", {**JOB, "prompt": "A fox [sandbox:slow]"}, format="json"
    )
    assert response.status_code == 202, response.json()

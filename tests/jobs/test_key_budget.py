"""An API key's allowed_models and monthly_credit_limit at submit time."""

import datetime as dt

import pytest

from apps.accounts.budgets import month_of
from apps.accounts.models import ApiKey, ApiKeyMonthlySpend, Tier
from apps.billing.models import CreditAccount
from apps.jobs.models import Job
from tests.accounts.keyhelpers import key_client
from tests.jobs.conftest import TEXT_JOB, fund

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def roomy(alice):
    """A tier that runs many jobs at once, so queued jobs meet the key's budget and not
    the tier's concurrency limit."""
    alice.workspace.tier = Tier.objects.create(
        name="roomy",
        display_name="Roomy",
        max_upload_bytes=10**9,
        max_concurrent_jobs=1000,
        requests_per_minute=100_000,
    )
    alice.workspace.save(update_fields=["tier"])


def _spend(api_key) -> int:
    row = ApiKeyMonthlySpend.objects.filter(api_key=api_key, month=month_of()).first()
    return row.credits if row else 0


def test_a_model_outside_the_allowed_list_is_403_naming_the_list(alice):
    fund(alice.workspace, 100)
    _, client = key_client(alice, allowed_models=["local/image-to-video"])
    response = client.post("/api/v1/generate", TEXT_JOB, format="json")
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "PERMISSION_DENIED"
    assert error["details"]["allowed_models"] == ["local/image-to-video"]
    assert error["details"]["model"] == "local/text-to-video"
    assert "local/image-to-video" in error["message"]
    assert not Job.objects.exists()


def test_a_prefix_allows_every_model_under_it(alice):
    _, client = key_client(alice, allowed_models=["local/"])
    assert client.post("/api/v1/generate", TEXT_JOB, format="json").status_code == 202


def test_the_compat_front_applies_the_allowed_list(alice):
    _, client = key_client(alice, allowed_models=["local/image-to-video"])
    response = client.post("/v1/videos", {"prompt": "a fox", "model": "local/text-to-video"})
    assert response.status_code == 403
    assert not Job.objects.exists()


def test_over_the_monthly_limit_is_402_naming_the_limit_and_what_is_left(alice, priced, not_eager):
    fund(alice.workspace, 1000)
    api_key, client = key_client(alice, monthly_credit_limit=20)
    for _ in range(2):
        assert client.post("/api/v1/generate", TEXT_JOB, format="json").status_code == 202
    refused = client.post("/api/v1/generate", TEXT_JOB, format="json")
    assert refused.status_code == 402
    error = refused.json()["error"]
    assert error["code"] == "KEY_BUDGET_EXCEEDED"
    assert (error["details"]["limit"], error["details"]["remaining"]) == (20, 6)
    assert error["details"]["required"] == 7
    assert "20" in error["message"] and "6" in error["message"]
    assert Job.objects.count() == 2
    assert CreditAccount.objects.get(workspace=alice.workspace).held == 14
    shown = alice.api.get(f"/api/v1/api-keys/{api_key.public_id}").json()
    assert shown["spent_this_month"] == 14
    # Another key of the workspace, and the dashboard, are not bound by this key's limit.
    assert alice.api.post("/api/v1/generate", TEXT_JOB, format="json").status_code == 202


def test_a_cancelled_job_gives_its_credits_back_to_the_budget(alice, priced, not_eager):
    fund(alice.workspace, 1000)
    api_key, client = key_client(alice, monthly_credit_limit=14)
    first = client.post("/api/v1/generate", TEXT_JOB, format="json").json()["id"]
    client.post("/api/v1/generate", TEXT_JOB, format="json")
    assert client.post("/api/v1/generate", TEXT_JOB, format="json").status_code == 402
    assert client.delete(f"/api/v1/tasks/{first}").json()["status"] == "cancelled"
    assert _spend(api_key) == 7
    assert client.post("/api/v1/generate", TEXT_JOB, format="json").status_code == 202
    assert _spend(api_key) == 14


def test_a_completed_job_keeps_what_it_was_charged(
    alice, priced, django_capture_on_commit_callbacks
):
    fund(alice.workspace, 1000)
    api_key, client = key_client(alice, monthly_credit_limit=100)
    with django_capture_on_commit_callbacks(execute=True):
        job_id = client.post("/api/v1/generate", TEXT_JOB, format="json").json()["id"]
    job = Job.objects.get(public_id=job_id)
    assert job.status == "completed", job.error_message
    assert _spend(api_key) == job.credits_charged == 7


def test_a_lower_limit_applies_to_the_next_submit(alice, priced, not_eager):
    fund(alice.workspace, 1000)
    api_key, client = key_client(alice)
    assert client.post("/api/v1/generate", TEXT_JOB, format="json").status_code == 202
    alice.api.patch(
        f"/api/v1/api-keys/{api_key.public_id}", {"monthly_credit_limit": 7}, format="json"
    )
    refused = client.post("/api/v1/generate", TEXT_JOB, format="json")
    assert refused.status_code == 402
    assert refused.json()["error"]["details"]["remaining"] == 0


def test_last_months_spend_does_not_count(alice, priced, not_eager):
    fund(alice.workspace, 1000)
    api_key, client = key_client(alice, monthly_credit_limit=7)
    last_month = month_of() - dt.timedelta(days=1)
    ApiKeyMonthlySpend.objects.create(
        api_key=api_key, month=last_month.replace(day=1), credits=10_000
    )
    assert client.post("/api/v1/generate", TEXT_JOB, format="json").status_code == 202


def test_free_jobs_do_not_touch_the_budget(alice, not_eager):
    api_key, client = key_client(alice, monthly_credit_limit=0)
    assert client.post("/api/v1/generate", TEXT_JOB, format="json").status_code == 202
    assert Job.objects.get().credits_held == 0
    assert ApiKey.objects.get(pk=api_key.pk).monthly_credit_limit == 0

"""LOCAL_CREDITS_PER_OUTPUT_SECOND prices the local engine per second of output (0, the
default, = free); estimates, the models list, holds and charges follow it."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from apps.billing.models import CreditAccount, CreditHold
from apps.billing.services import credits_grant
from apps.catalog.pricing import price_quote, pricing_describe
from apps.catalog.registry import spec_for
from apps.jobs.models import Job, JobStatus

LOCAL_JOB = {
    "method": "text-to-video",
    "model": "local/text-to-video",
    "prompt": "A red fox at dawn",
    "duration": 3,
    "resolution": "480p",
    "fps": 24,
}


def quote(seconds: int, discount: int = 0) -> int:
    spec = spec_for("local/text-to-video")
    return price_quote(
        spec=spec, seconds=seconds, resolution="480p", discount_percent=discount
    ).credits


def test_local_models_are_free_by_default(settings):
    assert settings.LOCAL_CREDITS_PER_OUTPUT_SECOND == "0"
    assert quote(10) == 0
    described = pricing_describe(spec=spec_for("local/text-to-video"))
    assert described["from_credits"] == 0


@pytest.mark.parametrize(
    ("rate", "seconds", "credits"), [("2", 5, 10), ("0.5", 3, 2), ("0.25", 1, 1), ("3", 60, 180)]
)
def test_the_setting_prices_each_output_second_rounded_up(settings, rate, seconds, credits):
    settings.LOCAL_CREDITS_PER_OUTPUT_SECOND = rate
    assert quote(seconds) == credits


def test_the_tier_discount_applies_to_the_local_price_too(settings):
    settings.LOCAL_CREDITS_PER_OUTPUT_SECOND = "10"
    assert quote(10, discount=20) == 80


def test_the_models_list_describes_the_local_rate(settings):
    settings.LOCAL_CREDITS_PER_OUTPUT_SECOND = "2"
    described = pricing_describe(spec=spec_for("local/text-to-video"))
    assert described["summary"] == "2 credits/s"
    assert described["kind"] == "per_second"


@pytest.mark.parametrize("bad", ["-1", "abc", "nan", "inf"])
def test_a_bad_rate_is_a_configuration_error(settings, bad):
    settings.LOCAL_CREDITS_PER_OUTPUT_SECOND = bad
    with pytest.raises(ImproperlyConfigured):
        quote(1)


@pytest.mark.django_db
def test_the_estimate_follows_the_setting(alice, settings):
    settings.LOCAL_CREDITS_PER_OUTPUT_SECOND = "2"
    response = alice.api.post("/api/v1/estimate-cost", LOCAL_JOB, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["estimated_credits"] == 6


@pytest.mark.django_db(transaction=True)
def test_a_priced_local_job_holds_then_charges_its_price(alice, settings, media_storage):
    settings.LOCAL_CREDITS_PER_OUTPUT_SECOND = "2"
    credits_grant(workspace=alice.workspace, credits=50, idempotency_key="fund")
    response = alice.api.post("/api/v1/generate", LOCAL_JOB, format="json")
    assert response.status_code == 202, response.json()
    job = Job.objects.get(public_id=response.json()["id"])
    assert job.status == JobStatus.COMPLETED, (job.error_code, job.error_message)
    assert (job.credits_estimated, job.credits_held, job.credits_charged) == (6, 6, 6)
    assert job.hold.state == CreditHold.State.CAPTURED
    account = CreditAccount.objects.get(workspace=alice.workspace)
    assert (account.balance, account.held) == (44, 0)


@pytest.mark.django_db
def test_a_priced_local_job_needs_the_credits(alice, settings):
    settings.LOCAL_CREDITS_PER_OUTPUT_SECOND = "2"
    response = alice.api.post("/api/v1/generate", LOCAL_JOB, format="json")
    assert response.status_code == 402, response.json()
    assert response.json()["error"]["code"] == "INSUFFICIENT_CREDITS"
    assert not Job.objects.exists()

"""Provider health: error rate and latency from real calls in a sliding window (Redis), the
"degraded" mark and its cool-down, and what it changes: the models list, auto-selection,
and which models a job's fallbacks try."""

import time

import pytest

from apps.billing.models import CreditAccount
from apps.billing.services import credits_grant
from apps.catalog.health import (
    provider_call_record,
    provider_degraded,
    provider_health,
)
from apps.catalog.preflight import model_auto_select
from apps.jobs.models import Job, JobStatus

pytestmark = pytest.mark.django_db(transaction=True)

MODELS_URL = "/api/v1/models"
PRIMARY = "wavespeed-ai/hunyuan-video-1.5/text-to-video"  # on wavespeed
FALLBACK = "seedance-lite-t2v"  # on fal
JOB = {
    "method": "text-to-video",
    "model": PRIMARY,
    "prompt": "A red fox at dawn",
    "duration": 5,
    "resolution": "480p",
    "aspect_ratio": "16:9",
}


@pytest.fixture(autouse=True)
def job_storage(media_storage):
    return media_storage


@pytest.fixture(autouse=True)
def thresholds(settings):
    settings.PROVIDER_HEALTH_WINDOW_S = 60
    settings.PROVIDER_HEALTH_MIN_CALLS = 5
    settings.PROVIDER_HEALTH_ERROR_RATE = 0.5
    settings.PROVIDER_HEALTH_MAX_LATENCY_MS = 0
    settings.PROVIDER_HEALTH_COOLDOWN_S = 60
    return settings


def degrade(provider):
    for _ in range(5):
        provider_call_record(provider=provider, ok=False, latency_s=0.1)
    assert provider_degraded(provider=provider)


def fund(workspace, credits=100_000):
    credits_grant(workspace=workspace, credits=credits, idempotency_key=f"fund:{workspace.pk}")


def submits_to(sandbox, provider, since):
    return [
        r for r in list(sandbox.received)[since:] if r.provider == provider and r.method == "POST"
    ]


# --- the window and the threshold ---------------------------------------------------------


def test_error_rate_and_latency_over_the_window_and_the_threshold():
    for ok, latency in [(True, 0.2), (False, 0.4), (True, 0.3), (False, 0.1)]:
        assert not provider_call_record(provider="fal", ok=ok, latency_s=latency)
    health = provider_health(provider="fal")
    assert (health.calls, health.errors, health.latency_ms) == (4, 2, 250)
    assert health.error_rate == 0.5
    assert not health.degraded  # 4 calls: below PROVIDER_HEALTH_MIN_CALLS
    assert provider_call_record(provider="fal", ok=False, latency_s=0.1)  # 3 of 5 failed
    assert provider_degraded(provider="fal")
    assert not provider_degraded(provider="wavespeed")  # per provider


def test_a_provider_below_the_error_rate_is_not_degraded():
    for ok in (True, True, True, False, False, True):
        provider_call_record(provider="fal", ok=ok, latency_s=0.1)
    assert provider_health(provider="fal").error_rate < 0.5
    assert not provider_degraded(provider="fal")


def test_a_slow_provider_is_degraded_when_a_latency_limit_is_set(thresholds):
    thresholds.PROVIDER_HEALTH_MAX_LATENCY_MS = 1000
    for _ in range(5):
        provider_call_record(provider="runway", ok=True, latency_s=2.0)
    assert provider_degraded(provider="runway")


def test_calls_age_out_of_the_sliding_window():
    now = time.time()
    for _ in range(4):
        provider_call_record(provider="fal", ok=False, latency_s=0.1, now=now - 120)
    # Two minutes later those four are out of the 60 s window: one more error is 1 of 1.
    assert not provider_call_record(provider="fal", ok=False, latency_s=0.1, now=now)
    assert provider_health(provider="fal", now=now).calls == 1


def test_after_the_cool_down_it_is_tried_again_with_a_fresh_window(thresholds):
    thresholds.PROVIDER_HEALTH_COOLDOWN_S = 1
    degrade("fal")
    time.sleep(1.3)
    assert not provider_degraded(provider="fal")
    # The errors that marked it were forgotten: one more failure does not mark it again.
    assert not provider_call_record(provider="fal", ok=False, latency_s=0.1)


# --- what degraded changes ---------------------------------------------------------------


def test_the_models_list_shows_a_degraded_providers_models_unavailable(anon_api, sandbox):
    degrade("wavespeed")
    results = anon_api.get(MODELS_URL).json()["results"]
    wavespeed = [m for m in results if m["provider"] == "wavespeed"]
    others = [m for m in results if m["provider"] == "fal"]
    assert wavespeed and others
    assert all(m["available"] is False and m["reason"] == "degraded" for m in wavespeed)
    assert all(m["available"] is True and m["reason"] is None for m in others)
    available = {m["id"] for m in anon_api.get(MODELS_URL, {"available": "true"}).json()["results"]}
    assert not available & {m["id"] for m in wavespeed}
    one = anon_api.get(f"{MODELS_URL}/{PRIMARY}").json()
    assert (one["available"], one["reason"]) == (False, "degraded")


def test_auto_selection_skips_a_degraded_provider(sandbox):
    fields = {k: v for k, v in JOB.items() if k != "model"}
    first = model_auto_select(method="text-to-video", fields=fields, for_estimate=False)
    degrade(first.spec.provider)
    second = model_auto_select(method="text-to-video", fields=fields, for_estimate=False)
    assert second.spec.provider != first.spec.provider


def test_a_job_on_a_degraded_provider_goes_to_its_fallback_without_a_call(alice, sandbox):
    fund(alice.workspace)
    degrade("wavespeed")
    since = len(sandbox.received)
    response = alice.api.post(
        "/api/v1/generate", {**JOB, "fallback_models": [FALLBACK]}, format="json"
    )
    assert response.status_code == 202, response.json()
    job = Job.objects.get(public_id=response.json()["id"])
    assert job.status == JobStatus.COMPLETED and job.model == FALLBACK
    assert submits_to(sandbox, "wavespeed", since) == []
    assert [(a["model"], (a["error"] or {}).get("code")) for a in job.attempt_log] == [
        (PRIMARY, "PROVIDER_DEGRADED"),
        (FALLBACK, None),
    ]
    assert CreditAccount.objects.get(workspace=alice.workspace).held == 0


def test_a_named_model_on_a_degraded_provider_is_still_accepted_and_tried(alice, sandbox):
    """Degraded is advice, not a refusal: with nothing else to try, the job is sent (the
    call itself is the provider's trial)."""
    fund(alice.workspace)
    degrade("wavespeed")
    response = alice.api.post("/api/v1/generate", JOB, format="json")
    assert response.status_code == 202, response.json()
    job = Job.objects.get(public_id=response.json()["id"])
    assert job.status == JobStatus.COMPLETED and job.model == PRIMARY
    assert any("failing right now" in note for note in job.notes)


def test_fallbacks_skip_a_degraded_provider(alice, sandbox):
    fund(alice.workspace)
    degrade("wavespeed")
    since = len(sandbox.received)
    with sandbox.outage("fal"):
        response = alice.api.post(
            "/api/v1/generate",
            {**JOB, "model": FALLBACK, "fallback_models": ["wan-2.5-t2v"]},
            format="json",
        )
    assert response.status_code == 202, response.json()
    job = Job.objects.get(public_id=response.json()["id"])
    # Its only fallback is on the degraded WaveSpeed: not tried; the job fails cleanly.
    assert job.status == JobStatus.FAILED
    assert submits_to(sandbox, "wavespeed", since) == []
    assert {a["model"] for a in job.attempt_log} == {FALLBACK}
    assert job.hold.state == "released"
    assert CreditAccount.objects.get(workspace=alice.workspace).held == 0


def test_health_is_measured_from_real_calls(alice, sandbox):
    fund(alice.workspace)
    response = alice.api.post("/api/v1/generate", JOB, format="json")
    assert response.status_code == 202
    health = provider_health(provider="wavespeed")
    assert health.calls >= 4  # one submit and three polls
    assert health.errors == 0 and health.latency_ms is not None
    with sandbox.outage("wavespeed"):
        alice.api.post("/api/v1/generate", {**JOB, "prompt": "Another fox"}, format="json")
    assert provider_health(provider="wavespeed").errors >= 1

"""Each error class from its real cause, and a submit whose answer is lost, retried by
the client: one job, one hold."""

import time
from urllib.parse import urlsplit

import pytest
from reelsmith import (
    APIConnectionError,
    ContentPolicy,
    FileTooLarge,
    InsufficientCredits,
    KeyBudgetExceeded,
    ModelUnavailable,
    PermissionDenied,
    RateLimited,
    Reelsmith,
    ReelsmithError,
    VideoGenerationRequest,
)

from apps.billing.models import CreditHold
from apps.jobs.models import Job
from tests.clients.python.conftest import account, fund, own_tier
from tests.clients.python.proxy import DroppingProxy

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

TEXT = (
    VideoGenerationRequest("A red fox at dawn")
    .with_model("local/text-to-video")
    .with_duration(1)
    .with_resolution("480p")
)


def test_insufficient_credits_is_raised_and_nothing_is_held(alice, client, priced):
    fund(alice.workspace, priced - 1)
    with pytest.raises(InsufficientCredits) as info:
        client.generate_video(TEXT)
    error = info.value
    assert (error.status, error.code, error.retryable) == (402, "INSUFFICIENT_CREDITS", False)
    assert isinstance(error, ReelsmithError)
    assert not Job.objects.exists() and not CreditHold.objects.exists()
    assert account(alice.workspace) == (priced - 1, 0)


def test_a_keys_budget_and_scopes_raise_their_own_classes(alice, live_stack, priced):
    from tests.accounts.keyhelpers import key_client

    fund(alice.workspace, 1000)
    _, scoped = key_client(alice, name="budget", monthly_credit_limit=priced - 1)
    secret = scoped.secret
    with (
        Reelsmith(api_key=secret, base_url=live_stack.url, max_retries=0) as client,
        pytest.raises(KeyBudgetExceeded) as info,
    ):
        client.generate_video(TEXT)
    assert isinstance(info.value, InsufficientCredits)
    assert info.value.details["limit"] == priced - 1
    assert info.value.details["remaining"] == priced - 1
    _, read_only = key_client(alice, name="ro", scopes=["read"])
    secret = read_only.secret
    with (
        Reelsmith(api_key=secret, base_url=live_stack.url, max_retries=0) as client,
        pytest.raises(PermissionDenied) as denied,
    ):
        client.generate_video(TEXT)
    assert denied.value.details["required_scope"] == "jobs"
    assert not Job.objects.exists()


def test_the_tiers_rate_limit_is_rate_limited_with_retry_after(alice, live_stack):
    own_tier(alice.workspace, requests_per_minute=2)
    with Reelsmith(api_key=alice.key, base_url=live_stack.url, max_retries=0) as client:
        client.balance()
        client.balance()
        with pytest.raises(RateLimited) as info:
            client.balance()
    error = info.value
    assert (error.status, error.code, error.retryable) == (429, "RATE_LIMIT_EXCEEDED", True)
    assert error.retry_after is not None and 1 <= error.retry_after <= 60
    assert error.details["limit_per_minute"] == 2


def test_a_rate_limit_longer_than_max_retry_wait_is_raised_without_waiting(alice, live_stack):
    own_tier(alice.workspace, requests_per_minute=1)
    with Reelsmith(api_key=alice.key, base_url=live_stack.url, max_retry_wait=0.0) as client:
        client.balance()
        with pytest.raises(RateLimited) as info:
            client.balance()  # retries allowed, but Retry-After (>= 1 s) is past the cap
    assert info.value.retry_after >= 1


def test_a_blocked_prompt_is_content_policy(alice, client, priced):
    fund(alice.workspace, 20)
    with pytest.raises(ContentPolicy) as info:
        client.generate_video(VideoGenerationRequest("ch1ld  p.o.r.n").with_duration(1))
    error = info.value
    assert (error.status, error.code) == (400, "CONTENT_POLICY")
    assert error.details["category"] == "sexual_minors"
    assert not Job.objects.exists() and account(alice.workspace) == (20, 0)


def test_a_file_past_the_tiers_upload_limit_is_file_too_large(alice, client, clip, still):
    own_tier(alice.workspace, max_upload_bytes=1024)
    with pytest.raises(FileTooLarge) as info:
        client.upload(clip)
    assert (info.value.status, info.value.code) == (413, "FILE_TOO_LARGE")
    with pytest.raises(FileTooLarge):
        client.generate_video(VideoGenerationRequest("Zoom").with_image(still).with_duration(1))
    assert not Job.objects.exists()


def test_a_model_without_provider_credentials_is_model_unavailable(client):
    with pytest.raises(ModelUnavailable) as info:
        client.generate_video(VideoGenerationRequest("A dance").with_model("runway-gen-4"))
    assert info.value.code == "MODEL_UNAVAILABLE"
    assert "local/text-to-video" in info.value.details["problems"][0]["allowed"]


def test_a_submit_whose_answer_is_lost_is_retried_into_the_same_job_and_hold(
    alice, live_stack, priced
):
    fund(alice.workspace, 20)
    parts = urlsplit(live_stack.url)
    with DroppingProxy((parts.hostname, parts.port)) as proxy:
        proxy.drop_prefixes = [b"POST /api/v1/generate"]
        proxy.drops_left = 1
        with Reelsmith(api_key=alice.key, base_url=proxy.url, poll_interval=0.5) as client:
            response = client.generate_video(TEXT, timeout=120)
    posts = [line for line in proxy.seen if line.startswith(b"POST /api/v1/generate")]
    assert proxy.dropped == 1 and len(posts) == 2  # the lost answer, then the resend
    job = Job.objects.get()  # exactly one job
    assert response.task_id == job.public_id and response.status == "completed"
    hold = CreditHold.objects.get()  # exactly one hold, captured once
    assert hold.state == CreditHold.State.CAPTURED
    assert account(alice.workspace) == (20 - priced, 0)


def test_without_retries_the_lost_answer_is_a_connection_error(alice, live_stack):
    parts = urlsplit(live_stack.url)
    with DroppingProxy((parts.hostname, parts.port)) as proxy:
        proxy.drop_prefixes = [b"POST /api/v1/generate"]
        proxy.drops_left = 1
        with (
            Reelsmith(api_key=alice.key, base_url=proxy.url, max_retries=0) as client,
            pytest.raises(APIConnectionError) as info,
        ):
            client.generate_video(TEXT, wait=False)
    assert info.value.status is None and info.value.retryable
    assert Job.objects.count() == 1  # the server did accept it


def test_a_429_for_the_concurrency_limit_is_waited_out_and_retried(alice, live_stack):
    own_tier(alice.workspace, max_concurrent_jobs=1)
    long = TEXT.with_duration(60).with_resolution("1080p")
    with Reelsmith(api_key=alice.key, base_url=live_stack.url) as client:
        first = client.generate_video(long, wait=False)
        waits = []

        def sleep(seconds: float) -> None:
            # The server said "Retry-After: 10"; free the slot while the client waits.
            waits.append(seconds)
            client.cancel(first.task_id)
            time.sleep(seconds)

        client._sleep = sleep
        second = client.generate_video(TEXT, wait=False)
    assert len(waits) == 1 and 10 <= waits[0] <= 10.25
    assert second.task_id != first.task_id
    assert Job.objects.count() == 2  # the refused attempt made no job

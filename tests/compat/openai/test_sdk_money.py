"""Same money, moderation and idempotency through /v1/videos as through /api/v1/: a hold
on create, the charge on delivery, nothing for a refusal, and the SDK's automatic retry
of a lost response never making a second job."""

from urllib.parse import urlparse

import openai
import pytest

from apps.billing.models import CreditAccount, CreditHold
from apps.catalog.services import model_override_set
from apps.jobs.models import Job
from apps.moderation.models import ModerationCase
from tests.compat.openai.conftest import sdk
from tests.compat.openai.proxy import DroppingProxy
from tests.jobs.conftest import fund

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

LOCAL = "local/text-to-video"
BLOCKED_PROMPT = "ch1ld  p.o.r.n"  # the rules backend blocks it (tests/moderation)
REVIEW_PROMPT = "A knight's g0ry duel in the rain"  # ... and holds this one for review


def account(workspace) -> CreditAccount:
    return CreditAccount.objects.get(workspace=workspace)


def test_a_video_holds_on_create_and_is_charged_on_delivery(alice, live_stack):
    model_override_set(model_id=LOCAL, price_credits=7)
    before = account(alice.workspace).balance
    fund(alice.workspace, 10)
    client = sdk(live_stack.url, alice.key)
    created = client.videos.create(model=LOCAL, prompt="A paid fox", seconds="1")
    hold = CreditHold.objects.get()
    assert hold.credits == 7
    video = client.videos.poll(created.id)
    assert video.status == "completed", video.error
    job = Job.objects.get(public_id=video.id)
    assert (job.credits_held, job.credits_charged) == (7, 7)
    acc = account(alice.workspace)
    assert (acc.balance, acc.held) == (before + 10 - 7, 0)


def test_insufficient_credits_is_insufficient_quota_and_nothing_is_held(alice, live_stack):
    model_override_set(model_id=LOCAL, price_credits=10**6)
    client = sdk(live_stack.url, alice.key, max_retries=0)
    with pytest.raises(openai.APIStatusError) as refused:
        client.videos.create(model=LOCAL, prompt="Too dear", seconds="1")
    assert refused.value.status_code == 402
    assert refused.value.code == "insufficient_quota"
    assert refused.value.type == "insufficient_quota"
    assert refused.value.response.headers["x-should-retry"] == "false"
    assert not Job.objects.exists() and not CreditHold.objects.exists()
    assert account(alice.workspace).held == 0


def test_moderation_blocks_or_holds_for_review_as_for_our_api(alice, live_stack):
    model_override_set(model_id=LOCAL, price_credits=3)
    fund(alice.workspace, 10)
    client = sdk(live_stack.url, alice.key, max_retries=0)
    with pytest.raises(openai.BadRequestError) as blocked:
        client.videos.create(model=LOCAL, prompt=BLOCKED_PROMPT, seconds="1")
    assert blocked.value.code == "moderation_blocked"
    assert "sexual_minors" in blocked.value.message
    assert not Job.objects.exists() and not CreditHold.objects.exists()

    # Review: queued (not started) with its credits held, and it cannot be deleted yet.
    review = client.videos.create(model=LOCAL, prompt=REVIEW_PROMPT, seconds="1")
    assert review.status == "queued"
    assert CreditHold.objects.get().credits == 3
    assert ModerationCase.objects.get().subject_id == review.id
    with pytest.raises(openai.BadRequestError) as undeletable:
        client.videos.delete(review.id)
    assert undeletable.value.param == "video_id"
    assert client.videos.retrieve(review.id).status == "queued"


def test_a_lost_create_response_retried_by_the_sdk_makes_one_job_and_one_hold(alice, live_stack):
    model_override_set(model_id=LOCAL, price_credits=2)
    fund(alice.workspace, 10)
    upstream = urlparse(live_stack.url)
    proxy = DroppingProxy(upstream=(upstream.hostname, upstream.port), drop=1)
    try:
        # The SDK as shipped: no Idempotency-Key, two retries on connection errors.
        client = sdk(proxy.start(), alice.key)
        video = client.videos.create(model=LOCAL, prompt="Only once", seconds="1")
    finally:
        proxy.close()
    posts = [head for head in proxy.seen if head.startswith(b"POST /v1/videos ")]
    assert len(posts) == 2  # the lost attempt and the SDK's retry
    assert b"x-stainless-retry-count: 1" in posts[1].lower()
    assert b"idempotency-key" not in posts[1].lower()
    job = Job.objects.get()
    assert video.id == job.public_id
    assert CreditHold.objects.count() == 1
    assert account(alice.workspace).held in (0, 2)  # held, or already charged

    # A new create that is not a retry is a new video, even with the same body.
    again = client.videos.create(model=LOCAL, prompt="Only once", seconds="1")
    assert again.id != video.id


def test_an_idempotency_key_replays_the_job_and_refuses_another_body(alice, live_stack):
    client = sdk(live_stack.url, alice.key)
    key = {"Idempotency-Key": "order-42"}
    first = client.videos.with_raw_response.create(
        model=LOCAL, prompt="Keyed", seconds="1", extra_headers=key
    )
    second = client.videos.with_raw_response.create(
        model=LOCAL, prompt="Keyed", seconds="1", extra_headers=key
    )
    assert second.parse().id == first.parse().id
    assert second.headers["Idempotent-Replayed"] == "true"
    with pytest.raises(openai.ConflictError) as conflict:
        client.videos.create(model=LOCAL, prompt="Another", seconds="1", extra_headers=key)
    assert conflict.value.response.headers["x-should-retry"] == "false"
    assert Job.objects.count() == 1

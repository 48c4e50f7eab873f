"""`credits.low` from real jobs: a workspace that submits job after job gets the event once,
on the job whose hold takes available credits below the threshold, not on every job; a
top-up re-arms it."""

import pytest
from standardwebhooks import Webhook

from apps.billing.services import credits_grant, low_credit_threshold_set
from apps.catalog.services import model_override_set
from apps.webhooks import services
from tests.jobs.conftest import TEXT_JOB

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

PRICE = 30  # credits a job
THRESHOLD = 50  # credits


@pytest.fixture(autouse=True)
def _storage(media_storage):
    return media_storage


def spend_down(api, receiver) -> list[tuple[int, int, int]]:
    """Runs jobs until the next would not fit: (available before, after, events so far)."""
    steps = []
    available = api.get("/api/v1/billing/balance").json()["available"]
    while available >= PRICE:
        assert api.post("/api/v1/generate", TEXT_JOB, format="json").status_code == 202
        after = api.get("/api/v1/billing/balance").json()["available"]
        assert after == available - PRICE  # delivered and charged
        steps.append((available, after, len(receiver.requests)))
        available = after
    return steps


def test_credits_low_is_sent_once_per_crossing_not_on_every_job(alice, alice_api, receiver):
    model_override_set(model_id="local/text-to-video", price_credits=PRICE)
    credits_grant(workspace=alice.workspace, credits=150, idempotency_key="top-up-1")
    low_credit_threshold_set(workspace=alice.workspace, threshold=THRESHOLD)
    _, secret = services.endpoint_create(
        membership=alice.membership, url=receiver.url, events=["credits.low"]
    )
    steps = spend_down(alice_api, receiver)
    assert len(steps) >= 4
    crossing = [i for i, (before, after, _) in enumerate(steps) if before >= THRESHOLD > after]
    assert len(crossing) == 1
    # No event before the crossing job, exactly one from it on, whatever came after.
    assert [events for *_, events in steps] == [
        0 if i < crossing[0] else 1 for i in range(len(steps))
    ]
    (request,) = receiver.requests
    body = Webhook(secret).verify(request["body"], request["headers"])
    assert body["type"] == "credits.low"
    assert body["data"] == {"available": steps[crossing[0]][1], "threshold": THRESHOLD}
    assert alice_api.post("/api/v1/generate", TEXT_JOB, format="json").status_code == 402
    assert len(receiver.requests) == 1

    # A top-up lifts available back over the threshold; the next crossing sends again.
    credits_grant(workspace=alice.workspace, credits=100, idempotency_key="top-up-2")
    low_credit_threshold_set(workspace=alice.workspace, threshold=THRESHOLD)
    steps = spend_down(alice_api, receiver)
    assert steps[-1][2] == 2 and len(receiver.requests) == 2

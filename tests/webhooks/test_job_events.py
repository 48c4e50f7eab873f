"""Jobs emit their status changes as webhooks, in the transaction of the transition."""

import pytest
from django.core import signing
from standardwebhooks import Webhook

from apps.billing.signals import credits_low
from apps.gallery import storage
from apps.gallery.models import Asset
from apps.gallery.signals import asset_moderated
from apps.jobs.models import Job
from apps.jobs.services import job_fail, job_review_decide
from apps.webhooks import services
from apps.webhooks.models import WebhookMessage
from tests.jobs.conftest import TEXT_JOB, fund

pytestmark = pytest.mark.django_db(transaction=True)

ALL_TASK_EVENTS = [
    "task.completed",
    "task.failed",
    "task.cancelled",
    "task.rejected",
    "task.review",
]


def subscribe(actor, url, events=ALL_TASK_EVENTS):
    return services.endpoint_create(membership=actor.membership, url=url, events=events)


def test_a_job_completed_through_the_api_sends_a_verified_task_completed_in_the_log(
    alice, alice_api, receiver
):
    endpoint, secret = subscribe(alice, receiver.url)
    job_id = alice_api.post("/api/v1/generate", TEXT_JOB, format="json").json()["id"]
    (request,) = receiver.requests
    body = Webhook(secret).verify(request["body"], request["headers"])
    assert body["type"] == "task.completed"
    task = alice_api.get(f"/api/v1/tasks/{job_id}").json()
    assert task["status"] == "completed"
    # Exactly the job object of GET /tasks/{id}; only the signed links' expiry differs.
    for key in ("video_url", "thumbnail_url", "mp4_url", "hls_url"):
        body["data"]["result"].pop(key), task["result"].pop(key)
    assert body["data"] == task
    log = alice_api.get(f"/api/v1/webhooks/{endpoint.public_id}/deliveries").json()["results"]
    assert [(d["id"], d["event"], d["status"]) for d in log] == [
        (request["headers"]["webhook-id"], "task.completed", "succeeded")
    ]


def test_the_result_link_in_a_payload_is_valid_for_at_least_24_hours(alice, alice_api, receiver):
    _, secret = subscribe(alice, receiver.url)
    alice_api.post("/api/v1/generate", TEXT_JOB, format="json")
    body = Webhook(secret).verify(receiver.requests[0]["body"], receiver.requests[0]["headers"])
    token = body["data"]["result"]["video_url"].rstrip("/").rsplit("/", 1)[-1]
    payload = signing.TimestampSigner(salt=storage.SIGNER_SALT).unsign_object(token)
    assert payload["t"] >= 24 * 3600


def test_a_job_webhook_url_gets_its_terminal_event_signed_with_the_job_secret(
    alice, alice_api, receiver
):
    response = alice_api.post(
        "/api/v1/generate", {**TEXT_JOB, "webhook_url": receiver.url}, format="json"
    )
    assert response.status_code == 202, response.json()
    secret = alice_api.get("/api/v1/webhooks/job-secret").json()["secret"]
    (request,) = receiver.requests
    body = Webhook(secret).verify(request["body"], request["headers"])
    assert body["type"] == "task.completed" and body["data"]["id"] == response.json()["id"]


def test_a_malformed_webhook_url_is_refused_at_submit(alice_api):
    response = alice_api.post(
        "/api/v1/generate", {**TEXT_JOB, "webhook_url": "file:///etc/passwd"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["details"]["field"] == "webhook_url"
    assert not Job.objects.exists()


def test_process_takes_a_webhook_url_too(alice, alice_api, receiver):
    asset_id = alice_api.post(
        "/api/v1/generate", TEXT_JOB, format="json"
    ).json()  # a video to process
    source = Job.objects.get(public_id=asset_id["id"]).result_asset.public_id
    response = alice_api.post(
        "/api/v1/process",
        {
            "operation": "optimize",
            "source_asset": source,
            "settings": {"quality": "low"},
            "webhook_url": receiver.url,
        },
        format="json",
    )
    assert response.status_code == 202, response.json()
    assert Job.objects.get(public_id=response.json()["id"]).webhook_url == receiver.url
    assert [r["headers"]["webhook-id"] for r in receiver.requests]


def test_failed_and_cancelled_jobs_emit_their_events(alice, alice_api, receiver, not_eager):
    subscribe(alice, receiver.url)
    first = alice_api.post("/api/v1/generate", TEXT_JOB, format="json").json()["id"]
    second = alice_api.post("/api/v1/generate", TEXT_JOB, format="json").json()["id"]
    job_fail(job_id=Job.objects.get(public_id=first).pk, code="DELIVERY_FAILED", message="x")
    assert alice_api.delete(f"/api/v1/tasks/{second}").status_code == 200
    events = {(m.event, m.status) for m in WebhookMessage.objects.all()}
    assert {e for e, _ in events} == {"task.failed", "task.cancelled"}


def test_a_job_held_for_review_and_rejected_emits_review_then_rejected(alice, alice_api, receiver):
    subscribe(alice, receiver.url)
    job_id = alice_api.post(
        "/api/v1/generate",
        {**TEXT_JOB, "prompt": "A knight's g0ry duel in the rain"},
        format="json",
    ).json()["id"]
    job_review_decide(job_id=Job.objects.get(public_id=job_id).pk, approve=False, reason="no")
    assert [b["type"] for b in receiver.bodies()] == ["task.review", "task.rejected"]
    assert all(b["data"]["id"] == job_id for b in receiver.bodies())


def test_credits_low_is_delivered_from_the_billing_signal(alice, receiver):
    _, secret = subscribe(alice, receiver.url, events=["credits.low"])
    credits_low.send(sender=None, workspace=alice.workspace, available=9, threshold=10)
    (request,) = receiver.requests
    body = Webhook(secret).verify(request["body"], request["headers"])
    assert body["type"] == "credits.low"
    assert body["data"] == {"available": 9, "threshold": 10}


def test_asset_moderated_is_delivered_from_the_gallery_signal(alice, alice_api, receiver):
    alice_api.post("/api/v1/generate", TEXT_JOB, format="json")
    asset = Asset.objects.filter(workspace=alice.workspace).first()
    _, secret = subscribe(alice, receiver.url, events=["asset.moderated"])
    asset_moderated.send(sender=Asset, asset=asset, state="hidden")
    (request,) = receiver.requests
    body = Webhook(secret).verify(request["body"], request["headers"])
    assert body == {**body, "type": "asset.moderated"}
    assert body["data"] == {"asset": asset.public_id, "state": "hidden"}


def test_no_endpoint_no_message(alice, alice_api):
    fund(alice.workspace, 10)
    alice_api.post("/api/v1/generate", TEXT_JOB, format="json")
    assert not WebhookMessage.objects.exists()

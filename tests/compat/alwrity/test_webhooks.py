"""POST /compat/alwrity/api/video-studio/webhooks: an endpoint in ALwrity's payload format,
managed and delivered by apps/webhooks like any other."""

import base64
import json

import pytest
from standardwebhooks import Webhook

from apps.jobs.models import Job
from apps.jobs.services import job_fail
from apps.webhooks.models import PayloadFormat, WebhookEndpoint, WebhookMessage
from tests.compat.alwrity.conftest import BASE, TEXT_FORM
from tests.webhooks.conftest import receiving

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_storage")]
# Deliveries are sent when the transaction commits.
delivered = pytest.mark.django_db(transaction=True)


@pytest.fixture
def receiver(settings):
    with receiving(settings) as r:
        yield r


@pytest.fixture(autouse=True)
def _jobs_stay_queued(monkeypatch):
    """Accepted jobs are not started, so a test decides how they end; webhook deliveries
    still run (eagerly, on commit)."""
    monkeypatch.setattr("apps.jobs.services.enqueue", lambda *a, **k: None)
    monkeypatch.setattr("apps.jobs.submit.enqueue", lambda *a, **k: None)


def register(api, **body):
    return api.post(f"{BASE}/webhooks", body, format="json")


def queued_job(actor) -> Job:
    response = actor.api.post(f"{BASE}/generate", TEXT_FORM, format="multipart")
    assert response.status_code == 202, response.content
    return Job.objects.get(public_id=response.json()["task_id"])


@delivered
@pytest.mark.isolation("alwrity-webhooks")
def test_a_failed_task_reaches_only_its_own_workspaces_endpoint_in_the_spec_shape(
    alice, charlie, receiver
):
    secret = "alice-chose-this-secret"
    made = register(alice.api, url=receiver.url, events=["task.failed"], secret=secret)
    assert made.status_code == 201, made.content
    endpoint = WebhookEndpoint.objects.get(public_id=made.json()["id"])
    assert (endpoint.workspace, endpoint.payload_format) == (alice.workspace, "alwrity")

    # charlie's failure goes nowhere near alice's endpoint.
    charlies = queued_job(charlie)
    job_fail(job_id=charlies.pk, code="MODEL_UNAVAILABLE", message="Busy.", retryable=True)
    assert not WebhookMessage.objects.filter(endpoint=endpoint).exists()
    assert receiver.requests == []

    alices = queued_job(alice)
    job_fail(job_id=alices.pk, code="MODEL_UNAVAILABLE", message="Busy.", retryable=True)
    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    key = "whsec_" + base64.b64encode(secret.encode()).decode()
    payload = Webhook(key).verify(request["body"], request["headers"])
    assert payload == {
        "event": "task.failed",
        "task_id": alices.public_id,
        "user_id": alice.user.public_id,
        "result_url": None,
        "metadata": payload["metadata"],
    }
    assert payload["metadata"]["error"] == {
        "code": "MODEL_UNAVAILABLE",
        "message": "Busy.",
        "retryable": True,
    }
    assert payload["metadata"]["status"] == "failed"


def test_without_a_secret_one_is_made_and_returned_once(alice, receiver):
    made = register(alice.api, url=receiver.url, events=["task.completed"])
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["secret"].startswith("whsec_")
    assert set(body) == {"id", "url", "events", "enabled", "created_at", "secret"}
    endpoint = WebhookEndpoint.objects.get(public_id=body["id"])
    assert endpoint.secret == body["secret"]
    # Our own API shows it, with its payload format.
    listed = alice.api.get("/api/v1/webhooks").json()["results"]
    assert [(e["id"], e["payload_format"]) for e in listed] == [(body["id"], "alwrity")]


@delivered
def test_a_standard_endpoint_is_unchanged_beside_an_alwrity_one(alice, receiver):
    ours = alice.api.post(
        "/api/v1/webhooks", {"url": receiver.url, "events": ["task.failed"]}, format="json"
    )
    assert ours.json()["payload_format"] == PayloadFormat.STANDARD
    register(alice.api, url=receiver.url, events=["task.failed"], secret="x" * 20)
    job = queued_job(alice)
    job_fail(job_id=job.pk, code="MODEL_UNAVAILABLE", message="Busy.")
    bodies = sorted(
        (json.loads(m.body) for m in WebhookMessage.objects.all()), key=lambda b: "type" in b
    )
    assert set(bodies[0]) == {"event", "task_id", "user_id", "result_url", "metadata"}
    assert set(bodies[1]) == {"type", "timestamp", "data"}
    assert bodies[1]["data"]["id"] == bodies[0]["task_id"] == job.public_id


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"events": ["task.completed"]}, "url"),
        ({"url": "http://169.254.169.254/hook", "events": ["task.completed"]}, "url"),
        ({"url": "ftp://example.com/", "events": ["task.completed"]}, "http"),
        ({"url": "https://example.com/h", "events": []}, "events"),
        ({"url": "https://example.com/h", "events": "task.completed"}, "events"),
        ({"url": "https://example.com/h", "events": ["task.exploded"]}, "task.exploded"),
        ({"url": "https://example.com/h", "events": ["task.failed"], "secret": "short"}, "16-64"),
        ({"url": "https://example.com/h", "events": ["task.failed"], "secret": 12345}, "string"),
        ({"url": "https://example.com/h", "events": ["task.failed"], "secret": "a\nb" * 9}, "16"),
        ({"url": "https://example.com/h", "events": ["task.failed"], "secret": "whsec_!!"}, "64"),
        ({"url": "https://example.com/h", "events": ["task.failed"], "name": "x"}, "name"),
        ({"url": ["https://example.com/h"], "events": ["task.failed"]}, "URL"),
    ],
)
def test_bad_registrations_are_400s_naming_the_problem(alice, body, needle):
    response = alice.api.post(f"{BASE}/webhooks", body, format="json")
    assert response.status_code == 400, response.content
    assert needle in json.dumps(response.json()["error"])
    assert not WebhookEndpoint.objects.exists()


def test_members_cannot_register_and_keys_are_required(bob, anon_api):
    body = {"url": "https://example.com/h", "events": ["task.failed"]}
    assert register(bob.api, **body).status_code == 403
    assert register(anon_api, **body).status_code == 401
    assert not WebhookEndpoint.objects.exists()


@delivered
def test_the_test_event_of_an_alwrity_endpoint_is_in_its_shape_too(alice, receiver):
    made = register(alice.api, url=receiver.url, events=["task.completed"], secret="s" * 16)
    endpoint_id = made.json()["id"]
    sent = alice.api.post(f"/api/v1/webhooks/{endpoint_id}/test")
    assert sent.status_code == 202, sent.content
    (request,) = receiver.requests
    key = "whsec_" + base64.b64encode(b"s" * 16).decode()
    payload = Webhook(key).verify(request["body"], request["headers"])
    assert payload["event"] == "webhook.test"
    assert (payload["task_id"], payload["result_url"]) == (None, None)
    assert payload["metadata"]["endpoint"] == endpoint_id


def test_a_whsec_secret_is_kept_as_given(alice, receiver):
    secret = "whsec_" + base64.b64encode(b"k" * 32).decode()
    made = register(alice.api, url=receiver.url, events=["task.completed"], secret=secret)
    assert made.status_code == 201, made.content
    assert WebhookEndpoint.objects.get(public_id=made.json()["id"]).secret == secret

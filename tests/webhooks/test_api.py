"""The webhooks API through real HTTP receivers and the `standardwebhooks` verifier."""

import pytest
from standardwebhooks import Webhook

from apps.webhooks.models import WebhookMessage

pytestmark = pytest.mark.django_db(transaction=True)


def add(api, url, events=("task.completed",), **extra):
    return api.post(
        "/api/v1/webhooks", {"url": url, "events": list(events), **extra}, format="json"
    )


def test_an_owner_adds_an_endpoint_and_sees_its_secret_only_once(alice_api):
    response = add(alice_api, "https://hooks.example.com/a", description="CI")
    assert response.status_code == 201
    body = response.json()
    assert body["id"].startswith("whk_") and body["secret"].startswith("whsec_")
    assert body["enabled"] is True and body["events"] == ["task.completed"]
    assert body["description"] == "CI" and body["url"] == "https://hooks.example.com/a"
    listed = alice_api.get("/api/v1/webhooks").json()["results"]
    assert [e["id"] for e in listed] == [body["id"]]
    assert "secret" not in listed[0]
    assert "secret" not in alice_api.get(f"/api/v1/webhooks/{body['id']}").json()


def test_unknown_events_and_bad_urls_are_400s_naming_the_field(alice_api):
    response = add(alice_api, "https://hooks.example.com/a", events=["task.exploded"])
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    response = add(alice_api, "gopher://hooks.example.com/a")
    assert response.status_code == 400
    assert response.json()["error"]["details"]["field"] == "url"


def test_the_free_tier_limit_of_five_endpoints_is_named_in_the_error(alice_api):
    for _ in range(5):
        assert add(alice_api, "https://hooks.example.com/a").status_code == 201
    response = add(alice_api, "https://hooks.example.com/a")
    assert response.status_code == 409
    assert "5" in response.json()["error"]["message"]
    assert alice_api.get("/api/v1/workspace").json()["tier"]["max_webhook_endpoints"] == 5


def test_patch_changes_fields_and_delete_removes_the_endpoint(alice_api):
    endpoint = add(alice_api, "https://hooks.example.com/a").json()
    url = f"/api/v1/webhooks/{endpoint['id']}"
    changed = alice_api.patch(
        url, {"events": ["task.failed", "credits.low"], "enabled": False}, format="json"
    ).json()
    assert changed["events"] == ["credits.low", "task.failed"] and changed["enabled"] is False
    assert alice_api.delete(url).status_code == 204
    assert alice_api.get(url).status_code == 404


def test_members_cannot_manage_webhooks(alice_api, bob_api):
    endpoint = add(alice_api, "https://hooks.example.com/a").json()
    assert bob_api.get("/api/v1/webhooks").status_code == 403
    assert add(bob_api, "https://hooks.example.com/b").status_code == 403
    assert bob_api.post(f"/api/v1/webhooks/{endpoint['id']}/rotate-secret").status_code == 403
    assert bob_api.get("/api/v1/webhooks/job-secret").status_code == 403


def test_test_sends_a_verified_delivery_the_log_shows_and_retry_resends_it(alice_api, receiver):
    endpoint = add(alice_api, receiver.url).json()
    response = alice_api.post(f"/api/v1/webhooks/{endpoint['id']}/test")
    assert response.status_code == 202
    delivery = response.json()
    assert delivery["id"].startswith("msg_") and delivery["event"] == "webhook.test"
    (request,) = receiver.requests
    assert Webhook(endpoint["secret"]).verify(request["body"], request["headers"])["type"] == (
        "webhook.test"
    )
    log = alice_api.get(f"/api/v1/webhooks/{endpoint['id']}/deliveries").json()["results"]
    assert [d["id"] for d in log] == [delivery["id"]]
    assert log[0]["status"] == "succeeded"
    (attempt,) = log[0]["attempts"]
    assert attempt["response_status"] == 200 and attempt["response_body"].startswith("ok")
    retried = alice_api.post(f"/api/v1/webhooks/{endpoint['id']}/deliveries/{delivery['id']}/retry")
    assert retried.status_code == 202
    assert len(retried.json()["attempts"]) == 2
    assert receiver.ids() == [delivery["id"], delivery["id"]]


def test_the_delivery_log_filters_by_status_and_event_and_refuses_unknown_values(
    alice_api, settings
):
    from tests.webhooks.conftest import receiving

    with receiving(settings, answers=[500]) as receiver:
        endpoint = add(alice_api, receiver.url).json()
        alice_api.post(f"/api/v1/webhooks/{endpoint['id']}/test")
    url = f"/api/v1/webhooks/{endpoint['id']}/deliveries"
    assert len(alice_api.get(url, {"status": "pending"}).json()["results"]) == 1
    assert alice_api.get(url, {"status": "succeeded"}).json()["results"] == []
    assert len(alice_api.get(url, {"event": "webhook.test"}).json()["results"]) == 1
    assert alice_api.get(url, {"event": "task.failed"}).json()["results"] == []
    assert alice_api.get(url, {"status": "lost"}).status_code == 400
    assert alice_api.get(url, {"event": "nope"}).status_code == 400
    pending = alice_api.get(url).json()["results"][0]
    assert pending["next_attempt_at"] is not None


def test_rotate_secret_returns_a_new_secret(alice_api):
    endpoint = add(alice_api, "https://hooks.example.com/a").json()
    response = alice_api.post(f"/api/v1/webhooks/{endpoint['id']}/rotate-secret")
    assert response.status_code == 200
    assert response.json()["secret"].startswith("whsec_")
    assert response.json()["secret"] != endpoint["secret"]


def test_the_job_secret_is_made_once_and_stays(alice_api):
    first = alice_api.get("/api/v1/webhooks/job-secret").json()["secret"]
    assert first.startswith("whsec_")
    assert alice_api.get("/api/v1/webhooks/job-secret").json()["secret"] == first


@pytest.mark.isolation(
    "api:webhooks",
    "api:webhook-detail",
    "api:webhook-test",
    "api:webhook-rotate-secret",
    "api:webhook-deliveries",
    "api:webhook-delivery-retry",
    "api:webhooks-job-secret",
)
def test_another_workspace_gets_404_on_every_webhook_url_and_sees_nothing(
    alice_api, charlie_api, receiver
):
    endpoint = add(alice_api, receiver.url).json()
    delivery = alice_api.post(f"/api/v1/webhooks/{endpoint['id']}/test").json()
    base = f"/api/v1/webhooks/{endpoint['id']}"
    assert charlie_api.get("/api/v1/webhooks").json()["results"] == []
    assert charlie_api.get(base).status_code == 404
    assert charlie_api.patch(base, {"enabled": False}, format="json").status_code == 404
    assert charlie_api.delete(base).status_code == 404
    assert charlie_api.post(f"{base}/test").status_code == 404
    assert charlie_api.post(f"{base}/rotate-secret").status_code == 404
    assert charlie_api.get(f"{base}/deliveries").status_code == 404
    assert charlie_api.post(f"{base}/deliveries/{delivery['id']}/retry").status_code == 404
    # charlie's own endpoint does not reach alice's delivery either
    own = add(charlie_api, "https://hooks.example.com/c").json()
    response = charlie_api.post(f"/api/v1/webhooks/{own['id']}/deliveries/{delivery['id']}/retry")
    assert response.status_code == 404
    assert (
        charlie_api.get("/api/v1/webhooks/job-secret").json()["secret"]
        != alice_api.get("/api/v1/webhooks/job-secret").json()["secret"]
    )
    assert len(receiver.requests) == 1
    assert WebhookMessage.objects.count() == 1

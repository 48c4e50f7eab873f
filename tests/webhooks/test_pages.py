"""The Webhooks page through the Django test client, delivering to real HTTP receivers.

Transactional: a delivery is enqueued when the request's transaction commits, and the
test settings run Celery tasks eagerly, so a delivery has happened when the POST returns."""

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from standardwebhooks import Webhook

from apps.accounts.models import Membership
from apps.webhooks import services
from apps.webhooks.models import (
    MessageStatus,
    WebhookAttempt,
    WebhookEndpoint,
    WebhookMessage,
)
from tests.webhooks.conftest import receiving

pytestmark = pytest.mark.django_db(transaction=True)

SECRET = re.compile(r"whsec_[A-Za-z0-9+/=]+")


def text(response) -> str:
    return html.unescape(response.content.decode()).replace("\xa0", " ")


def login(client, actor):
    client.force_login(actor.user)
    return client


def endpoint_of(actor, url="https://hooks.example.com/a", events=("task.completed",)):
    membership = Membership.objects.get(workspace=actor.workspace, user=actor.user)
    endpoint, _ = services.endpoint_create(membership=membership, url=url, events=list(events))
    return endpoint


def test_webhook_pages_need_a_login(client, alice):
    endpoint = endpoint_of(alice)
    for url in ("/webhooks/", f"/webhooks/{endpoint.public_id}/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_an_owner_adds_an_endpoint_and_sees_its_secret_once_and_never_again(client, alice):
    login(client, alice)
    response = client.post(
        "/webhooks/",
        {
            "url": "https://hooks.example.com/reelsmith",
            "description": "CI",
            "events": ["task.completed", "task.failed"],
        },
    )
    assert response.status_code == 200
    endpoint = WebhookEndpoint.objects.get(workspace=alice.workspace)
    assert endpoint.events == ["task.completed", "task.failed"] and endpoint.description == "CI"
    page = text(response)
    assert "Copy its signing secret now" in page
    assert SECRET.findall(page) == [endpoint.secret]

    for url in ("/webhooks/", f"/webhooks/{endpoint.public_id}/"):
        page = text(client.get(url))
        assert "https://hooks.example.com/reelsmith" in page
        assert endpoint.secret not in page and not SECRET.search(page)


def test_the_form_lists_every_event_as_a_checkbox(client, alice):
    page = text(login(client, alice).get("/webhooks/"))
    boxes = re.findall(r'type="checkbox" name="events" value="([a-z.]+)"', page)
    assert boxes == [
        "task.completed",
        "task.failed",
        "task.cancelled",
        "task.rejected",
        "task.review",
        "credits.low",
        "asset.moderated",
        "webhook.test",
    ]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("gopher://hooks.example.com/a", "Only http and https URLs can be fetched."),
        ("https://user:pw@hooks.example.com/a", "URLs with credentials are not accepted."),
        ("not a url", "Only http and https URLs can be fetched."),
    ],
)
def test_a_bad_url_shows_the_services_message_and_adds_nothing(client, alice, url, message):
    response = login(client, alice).post("/webhooks/", {"url": url, "events": ["task.failed"]})
    assert response.status_code == 200
    page = text(response)
    assert message in page
    assert not SECRET.search(page)
    assert not WebhookEndpoint.objects.exists()
    # What was typed stays in the form, to be corrected.
    assert f'value="{url}"' in page


def test_no_events_asks_for_one_and_adds_nothing(client, alice):
    response = login(client, alice).post("/webhooks/", {"url": "https://hooks.example.com/a"})
    assert "Choose at least one event." in text(response)
    assert not WebhookEndpoint.objects.exists()


def test_past_the_tier_limit_the_page_names_the_limit(client, alice):
    for _ in range(5):
        endpoint_of(alice)
    response = login(client, alice).post(
        "/webhooks/", {"url": "https://hooks.example.com/b", "events": ["task.failed"]}
    )
    assert "at most 5 webhook endpoints" in text(response)
    assert WebhookEndpoint.objects.filter(workspace=alice.workspace).count() == 5


def test_send_test_delivers_a_verified_event_that_the_log_shows(client, alice, receiver):
    login(client, alice)
    client.post("/webhooks/", {"url": receiver.url, "events": ["task.completed"]})
    endpoint = WebhookEndpoint.objects.get(workspace=alice.workspace)

    response = client.post(f"/webhooks/{endpoint.public_id}/test/", follow=True)
    assert "Test event queued" in text(response)
    (request,) = receiver.requests
    verified = Webhook(endpoint.secret).verify(request["body"], request["headers"])
    assert verified["type"] == "webhook.test"

    message = WebhookMessage.objects.get(endpoint=endpoint)
    assert message.public_id == request["headers"]["webhook-id"]
    page = text(response)
    assert message.public_id in page
    assert "succeeded" in page and "HTTP 200" in page
    assert f"{message.attempts.get().duration_ms} ms" in page
    assert "ok ok ok" in page  # the response excerpt


def test_send_test_returns_before_the_delivery_which_is_left_to_a_worker(
    client, alice, receiver, not_eager
):
    login(client, alice)
    endpoint = endpoint_of(alice, url=receiver.url)
    response = client.post(f"/webhooks/{endpoint.public_id}/test/", follow=True)
    assert response.status_code == 200
    assert receiver.requests == []
    message = WebhookMessage.objects.get(endpoint=endpoint)
    assert message.status == MessageStatus.PENDING and message.attempt_count == 0
    page = text(response)
    assert message.public_id in page and "pending" in page
    assert message.next_attempt_at.strftime("%Y-%m-%d %H:%M:%S") in page


def test_retry_sends_the_same_webhook_id_again_and_the_log_shows_both_attempts(
    client, alice, receiver
):
    login(client, alice)
    endpoint = endpoint_of(alice, url=receiver.url)
    client.post(f"/webhooks/{endpoint.public_id}/test/")
    message = WebhookMessage.objects.get(endpoint=endpoint)

    response = client.post(
        f"/webhooks/{endpoint.public_id}/deliveries/{message.public_id}/retry/", follow=True
    )
    assert "queued again" in text(response)
    assert receiver.ids() == [message.public_id, message.public_id]
    message.refresh_from_db()
    assert message.status == MessageStatus.SUCCEEDED and message.attempt_count == 2
    assert text(response).count("HTTP 200") == 2


def test_a_failing_receiver_shows_the_error_the_next_attempt_and_filters_by_status(
    client, alice, settings
):
    login(client, alice)
    with receiving(settings, answers=[500]) as receiver:
        endpoint = endpoint_of(alice, url=receiver.url)
        client.post(f"/webhooks/{endpoint.public_id}/test/")
    message = WebhookMessage.objects.get(endpoint=endpoint)
    assert message.status == MessageStatus.PENDING and message.next_attempt_at is not None

    base = f"/webhooks/{endpoint.public_id}/"
    page = text(client.get(base))
    assert "HTTP 500" in page and "nope nope" in page
    assert message.next_attempt_at.strftime("%Y-%m-%d %H:%M:%S") in page
    assert message.public_id in text(client.get(base, {"status": "pending"}))
    filtered = text(client.get(base, {"status": "succeeded"}))
    assert message.public_id not in filtered and "No succeeded deliveries." in filtered
    # An unknown status is ignored, not an error.
    assert message.public_id in text(client.get(base, {"status": "lost"}))


def test_the_log_page_reads_a_fixed_number_of_queries_however_many_deliveries(client, alice):
    endpoint = endpoint_of(alice)
    login(client, alice)

    def queries_with(total: int) -> int:
        while WebhookMessage.objects.count() < total:
            message = WebhookMessage.objects.create(
                workspace=alice.workspace,
                endpoint=endpoint,
                event="webhook.test",
                body="{}",
                status=MessageStatus.FAILED,
            )
            for status in (500, 502):
                WebhookAttempt.objects.create(
                    message=message, at=timezone.now(), response_status=status
                )
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/webhooks/{endpoint.public_id}/").status_code == 200
        return len(captured.captured_queries)

    assert queries_with(1) == queries_with(25)


def test_rotate_shows_the_new_secret_once_and_says_the_old_one_still_signs(client, alice):
    login(client, alice)
    endpoint = endpoint_of(alice)
    old = endpoint.secret

    response = client.post(f"/webhooks/{endpoint.public_id}/rotate-secret/")
    assert response.status_code == 200
    endpoint.refresh_from_db()
    assert endpoint.secret != old and endpoint.previous_secret == old
    page = text(response)
    assert SECRET.findall(page) == [endpoint.secret]
    assert "signed with both the old and the new secret" in page

    page = text(client.get(f"/webhooks/{endpoint.public_id}/"))
    assert not SECRET.search(page)
    assert "the previous secret also signs until" in page


def test_disable_stops_tests_and_enable_brings_the_endpoint_back(client, alice, receiver):
    login(client, alice)
    endpoint = endpoint_of(alice, url=receiver.url)
    base = f"/webhooks/{endpoint.public_id}"

    page = text(client.post(f"{base}/enabled/", {"enabled": "0"}, follow=True))
    endpoint.refresh_from_db()
    assert not endpoint.enabled
    assert "Nothing is sent to this endpoint." in page and "It was disabled by hand." in page

    page = text(client.post(f"{base}/test/", follow=True))
    assert "enable it before sending a test" in page
    assert receiver.requests == []

    page = text(client.post(f"{base}/enabled/", {"enabled": "1"}, follow=True))
    endpoint.refresh_from_db()
    assert endpoint.enabled and "Endpoint enabled." in page
    assert "Nothing is sent to this endpoint." not in page


def test_an_endpoint_reelsmith_disabled_says_why_on_both_pages(client, alice):
    endpoint = endpoint_of(alice)
    reason = "The endpoint answered 410 Gone on 2026-11-29 16:00 UTC."
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(enabled=False, disabled_reason=reason)
    login(client, alice)
    detail = client.get(f"/webhooks/{endpoint.public_id}/").content.decode()
    assert re.search(r'role="alert"[^>]*>.*?' + re.escape(reason), detail, re.S)
    assert reason in text(client.get("/webhooks/"))

    client.post(f"/webhooks/{endpoint.public_id}/enabled/", {"enabled": "1"})
    endpoint.refresh_from_db()
    assert endpoint.enabled and endpoint.disabled_reason == ""


def test_editing_changes_the_url_and_events_and_a_bad_edit_changes_nothing(client, alice):
    login(client, alice)
    endpoint = endpoint_of(alice)
    base = f"/webhooks/{endpoint.public_id}/"
    response = client.post(
        base,
        {"url": "https://hooks.example.com/b", "events": ["credits.low", "task.failed"]},
        follow=True,
    )
    assert "Endpoint saved." in text(response)
    endpoint.refresh_from_db()
    assert endpoint.url == "https://hooks.example.com/b"
    assert endpoint.events == ["credits.low", "task.failed"]

    response = client.post(base, {"url": "ftp://hooks.example.com/c", "events": ["task.failed"]})
    assert "Only http and https URLs can be fetched." in text(response)
    endpoint.refresh_from_db()
    assert endpoint.url == "https://hooks.example.com/b"


def test_delete_removes_the_endpoint_and_its_log(client, alice, receiver):
    login(client, alice)
    endpoint = endpoint_of(alice, url=receiver.url)
    client.post(f"/webhooks/{endpoint.public_id}/test/")
    response = client.post(f"/webhooks/{endpoint.public_id}/delete/", follow=True)
    assert response.redirect_chain[-1][0] == "/webhooks/"
    assert f"Deleted {receiver.url}." in text(response)
    assert not WebhookEndpoint.objects.exists() and not WebhookMessage.objects.exists()
    assert client.get(f"/webhooks/{endpoint.public_id}/").status_code == 404


def test_actions_only_take_posts(client, alice):
    login(client, alice)
    endpoint = endpoint_of(alice)
    for action in ("test", "rotate-secret", "enabled", "delete"):
        assert client.get(f"/webhooks/{endpoint.public_id}/{action}/").status_code == 405


def test_only_owners_and_admins_see_the_link_and_bob_the_member_cannot_manage(
    client, alice, bob, receiver
):
    endpoint = endpoint_of(alice, url=receiver.url)
    services.endpoint_send_test(endpoint=endpoint)
    message = WebhookMessage.objects.get()
    assert 'href="/webhooks/"' in login(client, alice).get("/").content.decode()

    # bob also owns a workspace of his own: he is looking at alice's, as a member.
    bob.user.active_workspace = alice.workspace
    bob.user.save(update_fields=["active_workspace"])
    login(client, bob)
    assert 'href="/webhooks/"' not in client.get("/").content.decode()
    base = f"/webhooks/{endpoint.public_id}"
    for url in ("/webhooks/", f"{base}/"):
        response = client.get(url)
        assert response.status_code == 403
        assert "Only the workspace's owners and admins manage webhooks." in text(response)
        assert receiver.url not in text(response)
    posts = [
        ("/webhooks/", {"url": "https://hooks.example.com/bob", "events": ["task.failed"]}),
        (f"{base}/", {"url": "https://hooks.example.com/bob", "events": ["task.failed"]}),
        (f"{base}/test/", {}),
        (f"{base}/rotate-secret/", {}),
        (f"{base}/enabled/", {"enabled": "0"}),
        (f"{base}/deliveries/{message.public_id}/retry/", {}),
        (f"{base}/delete/", {}),
    ]
    for url, data in posts:
        response = client.post(url, data)
        assert response.status_code == 403, url
        assert not SECRET.search(text(response))
    (endpoint_now,) = WebhookEndpoint.objects.all()
    assert endpoint_now.secret == endpoint.secret and endpoint_now.enabled
    assert endpoint_now.url == receiver.url
    assert len(receiver.requests) == 1 and WebhookMessage.objects.count() == 1


def test_charlie_gets_404_for_alices_endpoint_on_every_page_url(client, alice, charlie, receiver):
    endpoint = endpoint_of(alice, url=receiver.url)
    services.endpoint_send_test(endpoint=endpoint)
    message = WebhookMessage.objects.get()
    own = endpoint_of(charlie)
    login(client, charlie)
    assert receiver.url not in text(client.get("/webhooks/"))

    base = f"/webhooks/{endpoint.public_id}"
    assert client.get(f"{base}/").status_code == 404
    for url, data in [
        (f"{base}/", {"url": "https://hooks.example.com/c", "events": ["task.failed"]}),
        (f"{base}/test/", {}),
        (f"{base}/rotate-secret/", {}),
        (f"{base}/enabled/", {"enabled": "0"}),
        (f"{base}/deliveries/{message.public_id}/retry/", {}),
        # charlie's own endpoint does not reach alice's delivery either
        (f"/webhooks/{own.public_id}/deliveries/{message.public_id}/retry/", {}),
        (f"{base}/delete/", {}),
    ]:
        response = client.post(url, data)
        assert response.status_code == 404, url
        assert not SECRET.search(text(response))

    endpoint_now = WebhookEndpoint.objects.get(pk=endpoint.pk)
    assert endpoint_now.secret == endpoint.secret and endpoint_now.enabled
    assert endpoint_now.url == receiver.url
    assert len(receiver.requests) == 1
    assert WebhookMessage.objects.get().attempt_count == 1

"""The Webhooks page in headless Chromium against a live server, delivering to a real
local HTTP receiver (allowed through OUTBOUND_ALLOWED_NETLOCS by the `receiver` fixture)."""

import re

import pytest
from playwright.sync_api import expect
from standardwebhooks import Webhook

from apps.webhooks import services
from apps.webhooks.models import WebhookEndpoint
from tests.webhooks.conftest import receiving

pytestmark = pytest.mark.django_db(transaction=True)


def log_in(page, live_server, actor) -> None:
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Email").fill(actor.user.email)
    page.get_by_label("Password").fill("pw-for-tests-1")
    page.get_by_role("button", name="Log in").click()


def wait_for_delivery_status(page, status: str, tries: int = 20) -> None:
    """The test is sent in the background: reload until the log shows its outcome."""
    for _ in range(tries):
        badges = page.get_by_test_id("delivery-status")
        if badges.count() and badges.first.inner_text().strip() == status:
            return
        page.wait_for_timeout(500)
        page.reload()
    raise AssertionError(f"the delivery log never showed {status!r}")


def test_add_an_endpoint_read_its_secret_send_a_test_and_see_it_delivered(
    live_server, page, alice, receiver
):
    log_in(page, live_server, alice)
    page.get_by_role("link", name="Webhooks").click()
    expect(page.get_by_role("heading", name="Webhooks", exact=True)).to_be_visible()

    page.get_by_label("URL").fill(receiver.url)
    page.get_by_label("Description").fill("Local receiver")
    page.get_by_role("checkbox", name="task.completed").check()
    page.get_by_role("checkbox", name="task.failed").check()
    page.get_by_role("button", name="Add endpoint").click()

    secret = page.get_by_test_id("new-secret").inner_text().strip()
    page.screenshot(path="/tmp/webhooks-list.png", full_page=True)
    assert re.fullmatch(r"whsec_[A-Za-z0-9+/=]{32,}", secret)
    endpoint = WebhookEndpoint.objects.get(workspace=alice.workspace)
    assert endpoint.events == ["task.completed", "task.failed"]

    page.get_by_role("link", name="Open the endpoint").click()
    expect(page.get_by_test_id("endpoint-url")).to_have_text(receiver.url)
    expect(page.get_by_test_id("new-secret")).to_have_count(0)
    page.get_by_role("button", name="Send test event").click()
    expect(page.get_by_text("Test event queued")).to_be_visible()

    wait_for_delivery_status(page, "succeeded")
    deliveries = page.get_by_test_id("deliveries")
    expect(deliveries).to_contain_text("webhook.test")
    expect(deliveries).to_contain_text("HTTP 200")
    (request,) = receiver.requests
    assert Webhook(secret).verify(request["body"], request["headers"])["type"] == "webhook.test"
    expect(deliveries).to_contain_text(request["headers"]["webhook-id"])
    page.screenshot(path="/tmp/webhooks-page.png", full_page=True)

    page.get_by_role("button", name="Rotate secret").click()
    rotated = page.get_by_test_id("new-secret").inner_text().strip()
    assert rotated != secret and rotated.startswith("whsec_")
    page.screenshot(path="/tmp/webhooks-rotated.png", full_page=True)


def test_a_bad_url_shows_its_message_in_the_page(live_server, page, alice):
    log_in(page, live_server, alice)
    page.goto(f"{live_server.url}/webhooks/")
    page.get_by_label("URL").fill("ftp://hooks.example.com/a")
    page.get_by_role("checkbox", name="credits.low").check()
    page.get_by_role("button", name="Add endpoint").click()
    expect(page.get_by_text("Only http and https URLs can be fetched.")).to_be_visible()
    expect(page.get_by_label("URL")).to_have_value("ftp://hooks.example.com/a")
    assert not WebhookEndpoint.objects.exists()


def test_a_receiver_answering_410_disables_the_endpoint_and_the_page_says_why(
    live_server, page, alice, settings
):
    with receiving(settings, answers=[410]) as receiver:
        endpoint, _ = services.endpoint_create(
            membership=alice.membership, url=receiver.url, events=["task.completed"]
        )
        log_in(page, live_server, alice)
        page.goto(f"{live_server.url}/webhooks/{endpoint.public_id}/")
        page.get_by_role("button", name="Send test event").click()
        wait_for_delivery_status(page, "failed")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Reelsmith disabled it: The endpoint answered 410 Gone")
    expect(page.get_by_test_id("endpoint-state")).to_have_text("disabled")
    expect(page.get_by_role("button", name="Send test event")).to_be_disabled()
    expect(page.get_by_test_id("deliveries")).to_contain_text("HTTP 410")
    page.screenshot(path="/tmp/webhooks-disabled.png", full_page=True)

    page.get_by_role("link", name="Webhooks", exact=True).click()
    expect(page.get_by_role("table")).to_contain_text("410 Gone")

    page.goto(f"{live_server.url}/webhooks/{endpoint.public_id}/")
    page.get_by_role("button", name="Enable").click()
    expect(page.get_by_text("Endpoint enabled.")).to_be_visible()
    expect(page.get_by_role("alert")).to_have_count(0)

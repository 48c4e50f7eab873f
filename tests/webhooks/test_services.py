import base64

import pytest
from django.db import transaction

from apps.accounts.models import Tier
from apps.core.errors import ApplicationError, NotFound, ValidationError
from apps.core.http import OutboundError
from apps.webhooks import selectors, services
from apps.webhooks.errors import EndpointLimitReached
from apps.webhooks.models import WebhookEndpoint, WebhookMessage

URL = "https://hooks.example.com/reelsmith"


def create(actor, **kw):
    return services.endpoint_create(
        membership=actor.membership,
        url=kw.pop("url", URL),
        events=kw.pop("events", ["task.completed"]),
        **kw,
    )


def test_a_new_endpoint_gets_a_standard_webhooks_secret_of_at_least_24_random_bytes(alice):
    endpoint, secret = create(alice)
    assert endpoint.public_id.startswith("whk_")
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"))) >= 24
    assert endpoint.enabled


def test_unknown_events_and_private_urls_are_refused(alice):
    with pytest.raises(ValidationError) as exc:
        create(alice, events=["task.exploded"])
    assert exc.value.details["unknown"] == ["task.exploded"]
    with pytest.raises(ApplicationError) as exc:
        create(alice, url="ftp://example.com/x")
    assert exc.value.code == "VALIDATION_ERROR" and exc.value.details["field"] == "url"


@pytest.mark.parametrize(("tier", "limit"), [("free", 5), ("pro", 20), ("enterprise", 100)])
def test_each_tier_caps_its_endpoints_and_the_error_names_the_number(alice, tier, limit):
    alice.workspace.tier = Tier.objects.get(name=tier)
    alice.workspace.save()
    for _ in range(limit):
        create(alice)
    with pytest.raises(EndpointLimitReached) as exc:
        create(alice)
    assert str(limit) in exc.value.message
    assert exc.value.details == {"limit": limit}


def test_rotation_returns_a_new_secret_and_keeps_the_old_one_for_a_day(alice):
    endpoint, old = create(alice)
    new = services.endpoint_rotate_secret(endpoint=endpoint)
    endpoint.refresh_from_db()
    assert new != old and endpoint.secret == new
    assert endpoint.previous_secret == old
    assert endpoint.previous_secret_expires_at is not None


def test_another_workspaces_endpoint_is_the_same_404_as_a_missing_one(alice, charlie):
    endpoint, _ = create(alice)
    with pytest.raises(NotFound):
        selectors.endpoint_get(workspace=charlie.workspace, public_id=endpoint.public_id)
    with pytest.raises(NotFound):
        selectors.endpoint_get(workspace=alice.workspace, public_id="whk_missing")


def test_emit_writes_one_row_per_enabled_subscribed_endpoint_only(alice, charlie):
    subscribed, _ = create(alice, events=["task.completed", "task.failed"])
    create(alice, events=["task.failed"])
    off, _ = create(alice, events=["task.completed"])
    services.endpoint_update(endpoint=off, enabled=False)
    create(charlie, events=["task.completed"])
    messages = services.event_emit(
        workspace=alice.workspace, event="task.completed", data={"id": "job_1"}
    )
    assert [m.endpoint for m in messages] == [subscribed]
    assert messages[0].public_id.startswith("msg_")


def test_a_rolled_back_emit_leaves_no_message(alice):
    create(alice)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.event_emit(workspace=alice.workspace, event="task.completed", data={})
        raise RuntimeError
    assert not WebhookMessage.objects.exists()


def test_a_one_off_url_gets_one_row_and_the_workspace_gets_its_job_secret(alice):
    create(alice)
    (message,) = services.event_emit(
        workspace=alice.workspace, event="task.failed", data={}, url="https://example.org/h"
    )
    assert message.endpoint is None and message.url == "https://example.org/h"
    secret = services.job_secret_get(workspace=alice.workspace)
    assert secret.startswith("whsec_")
    assert services.job_secret_get(workspace=alice.workspace) == secret


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.8/hook",
        "http://127.0.0.1:9/hook",
        "http://[::ffff:0:7f00:1]/hook",
    ],
)
def test_an_endpoint_at_a_private_address_literal_is_refused_when_saved(alice, url):
    with pytest.raises(OutboundError) as exc:
        services.endpoint_create(membership=alice.membership, url=url, events=["task.completed"])
    assert exc.value.details["field"] == "url"
    assert "private or reserved" in exc.value.message
    assert not WebhookEndpoint.objects.exists()

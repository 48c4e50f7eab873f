"""reelsmith.webhooks.verify against the server's own signatures and the Standard
Webhooks reference library."""

import json
import time

import pytest
from reelsmith import webhooks
from standardwebhooks import Webhook

from apps.webhooks.signing import secret_new, signature_header

BODY = json.dumps({"type": "task.completed", "timestamp": "2026-11-29T16:05:14+00:00",
                   "data": {"id": "job_1", "status": "completed"}}).encode()  # fmt: skip


def headers_for(secrets_, *, msg_id="msg_1", timestamp=None, body=BODY):
    timestamp = int(time.time()) if timestamp is None else timestamp
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature_header(
            secrets_=secrets_, msg_id=msg_id, timestamp=timestamp, body=body
        ),
        "Content-Type": "application/json",
    }


def test_a_delivery_signed_by_the_server_verifies_and_returns_the_event():
    secret = secret_new()
    event = webhooks.verify(BODY, headers_for([secret]), secret)
    assert event["type"] == "task.completed" and event["data"]["id"] == "job_1"
    # Header names are case-insensitive; a str body works too.
    upper = {k.title(): v for k, v in headers_for([secret]).items()}
    assert webhooks.verify(BODY.decode(), upper, secret) == event


def test_during_a_rotation_either_secret_verifies():
    old, new = secret_new(), secret_new()
    headers = headers_for([new, old])
    assert webhooks.verify(BODY, headers, old)["type"] == "task.completed"
    assert webhooks.verify(BODY, headers, new)["type"] == "task.completed"


def test_our_signature_matches_the_reference_library():
    secret = secret_new()
    timestamp = int(time.time())
    ours = webhooks.sign(secret=secret, msg_id="msg_9", timestamp=timestamp, payload=BODY)
    headers = {"webhook-id": "msg_9", "webhook-timestamp": str(timestamp),
               "webhook-signature": ours}  # fmt: skip
    assert Webhook(secret).verify(BODY, headers)["data"]["id"] == "job_1"


@pytest.mark.parametrize(
    "tamper",
    ["body", "secret", "id", "old", "future", "missing", "garbage"],
)
def test_forged_altered_or_stale_deliveries_are_refused(tamper):
    secret = secret_new()
    headers = headers_for([secret])
    body = BODY
    if tamper == "body":
        body = BODY.replace(b"completed", b"failed")
    elif tamper == "secret":
        secret = secret_new()
    elif tamper == "id":
        headers["webhook-id"] = "msg_2"
    elif tamper == "old":
        headers = headers_for([secret], timestamp=int(time.time()) - 301)
    elif tamper == "future":
        headers = headers_for([secret], timestamp=int(time.time()) + 301)
    elif tamper == "missing":
        del headers["webhook-signature"]
    elif tamper == "garbage":
        headers["webhook-timestamp"] = "yesterday"
    with pytest.raises(webhooks.WebhookVerificationError):
        webhooks.verify(body, headers, secret)

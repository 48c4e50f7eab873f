"""Verification of provider callbacks.

- WaveSpeed, Replicate and OpenAI sign the Standard Webhooks way: headers `webhook-id`,
  `webhook-timestamp`, `webhook-signature` (`v1,<base64>` entries, space separated), HMAC-
  SHA256 over `{id}.{timestamp}.{raw body}` keyed with the base64 part of `whsec_…`.
- fal and Runware: the callback URL we gave carries the job id and a per-job token (an
  HMAC of SECRET_KEY or PROVIDER_WEBHOOK_TOKEN_SECRET); fal's ED25519/JWKS headers need
  a key fetch at verify time and are not checked.
"""

import base64
import hashlib
import hmac
import time
from collections.abc import Mapping
from typing import Any

from django.conf import settings

from apps.providers.common import webhook_token

SIGNED = {
    "wavespeed": "WAVESPEED_WEBHOOK_SECRET",
    "replicate": "REPLICATE_WEBHOOK_SECRET",
    "openai": "OPENAI_WEBHOOK_SECRET",
}
TOKEN = {"fal", "runware"}


class WebhookInvalid(Exception):
    pass


def _key(secret: str) -> bytes:
    raw = secret.removeprefix("whsec_")
    try:
        return base64.b64decode(raw, validate=True)
    except ValueError:
        return raw.encode()


def standard_sign(secret: str, msg_id: str, timestamp: int | str, body: bytes) -> str:
    digest = hmac.new(_key(secret), f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256)
    return "v1," + base64.b64encode(digest.digest()).decode()


def standard_verify(
    secret: str, headers: Mapping[str, str], body: bytes, *, now: float | None = None
) -> None:
    msg_id = headers.get("webhook-id", "")
    stamp = headers.get("webhook-timestamp", "")
    signatures = headers.get("webhook-signature", "")
    if not (secret and msg_id and stamp and signatures):
        raise WebhookInvalid("Missing signature headers.")
    try:
        sent = int(stamp)
    except ValueError:
        raise WebhookInvalid("Bad timestamp.") from None
    if abs((now or time.time()) - sent) > settings.PROVIDER_WEBHOOK_TOLERANCE_S:
        raise WebhookInvalid("The timestamp is too old or too new.")
    expected = standard_sign(secret, msg_id, sent, body).split(",", 1)[1]
    for candidate in signatures.split():
        version, _, value = candidate.partition(",")
        # As bytes: compare_digest raises TypeError on non-ASCII str (headers are latin-1).
        if version == "v1" and hmac.compare_digest(value.encode(), expected.encode()):
            return
    raise WebhookInvalid("No signature matches.")


def verify(
    provider: str, headers: Mapping[str, str], query: Mapping[str, str], body: bytes
) -> None:
    if provider in SIGNED:
        standard_verify(getattr(settings, SIGNED[provider]), headers, body)
    elif provider in TOKEN:
        job_id, token = query.get("job", ""), query.get("token", "")
        if not (job_id and token) or not hmac.compare_digest(
            token.encode(), webhook_token(provider, job_id).encode()
        ):
            raise WebhookInvalid("Bad callback token.")
    else:
        raise WebhookInvalid("This provider does not call back.")


def task_id_of(provider: str, payload: Any) -> str | None:
    """The provider's own task id in a callback body; None when the body names none (a
    ping). WebhookInvalid when the body is not the provider's shape."""
    if payload is None:
        return None
    if not isinstance(payload, dict):
        raise WebhookInvalid("The body is not a JSON object.")
    found: Any = None
    if provider == "wavespeed":
        data = payload.get("data") if isinstance(payload.get("data"), dict) else payload
        found = data.get("id")
    elif provider == "replicate":
        found = payload.get("id")
    elif provider == "openai":
        data = payload.get("data")
        found = data.get("id") if isinstance(data, dict) else None
    elif provider == "fal":
        found = payload.get("request_id")
    elif provider == "runware":
        data = payload.get("data")
        if isinstance(data, list) and data:
            if not isinstance(data[0], dict):
                raise WebhookInvalid("`data` must be a list of task objects.")
            found = data[0].get("taskUUID")
        else:
            found = payload.get("taskUUID")
    if found is not None and not isinstance(found, str | int):
        raise WebhookInvalid("The task id is not a string.")
    return str(found) if found not in (None, "") else None

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
        if version == "v1" and hmac.compare_digest(value, expected):
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
            token, webhook_token(provider, job_id)
        ):
            raise WebhookInvalid("Bad callback token.")
    else:
        raise WebhookInvalid("This provider does not call back.")


def task_id_of(provider: str, payload: Any) -> str | None:
    """The provider's own task id in a callback body."""
    if not isinstance(payload, dict):
        return None
    if provider == "wavespeed":
        data = payload.get("data") if isinstance(payload.get("data"), dict) else payload
        return data.get("id")
    if provider == "replicate":
        return payload.get("id")
    if provider == "openai":
        return (payload.get("data") or {}).get("id")
    if provider == "fal":
        return payload.get("request_id")
    if provider == "runware":
        data = payload.get("data")
        if isinstance(data, list) and data:
            return data[0].get("taskUUID")
        return payload.get("taskUUID")
    return None

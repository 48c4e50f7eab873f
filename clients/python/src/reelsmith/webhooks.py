"""Verifying Reelsmith's outgoing webhooks (Standard Webhooks signatures).

::

    from reelsmith import webhooks

    event = webhooks.verify(request.body, request.headers, "whsec_…")
    # {"type": "task.completed", "timestamp": "…", "data": {...}}

A signature is ``v1,`` + base64 HMAC-SHA256, keyed with the base64-decoded part of the
secret after ``whsec_``, over ``"{webhook-id}.{webhook-timestamp}.{body}"``. During a
secret rotation the header carries several space-separated signatures; one match is
enough. Timestamps more than ``tolerance`` seconds off are refused (replays)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from typing import Any

from reelsmith._errors import ReelsmithError

SECRET_PREFIX = "whsec_"  # noqa: S105 - the format's prefix, not a secret
DEFAULT_TOLERANCE_S = 300


class WebhookVerificationError(ReelsmithError):
    """The message is not from Reelsmith (bad or missing signature) or is too old."""

    default_code = "WEBHOOK_VERIFICATION_FAILED"


def _header(headers: Mapping[str, str], name: str) -> str:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    raise WebhookVerificationError(f"Missing the {name} header.")


def _key(secret: str) -> bytes:
    try:
        return base64.b64decode(secret.removeprefix(SECRET_PREFIX), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("The secret is not a whsec_… Standard Webhooks secret.") from exc


def sign(*, secret: str, msg_id: str, timestamp: int, payload: bytes) -> str:
    """The ``v1,…`` signature of one message (what Reelsmith sends)."""
    signed = f"{msg_id}.{timestamp}.".encode() + payload
    digest = hmac.new(_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def verify(
    payload: bytes | str,
    headers: Mapping[str, str],
    secret: str,
    *,
    tolerance: int = DEFAULT_TOLERANCE_S,
    now: float | None = None,
) -> Any:
    """Checks the signature and age of a delivery and returns its parsed JSON body.

    ``payload`` is the raw request body, exactly as received; ``headers`` any mapping
    (names are matched case-insensitively). Raises WebhookVerificationError."""
    body = payload.encode() if isinstance(payload, str) else bytes(payload)
    msg_id = _header(headers, "webhook-id")
    stamp = _header(headers, "webhook-timestamp")
    signatures = _header(headers, "webhook-signature")
    try:
        timestamp = int(stamp)
    except ValueError:
        raise WebhookVerificationError("webhook-timestamp is not a number.") from None
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        raise WebhookVerificationError(
            f"webhook-timestamp is {int(current - timestamp)} s off (over {tolerance} s)."
        )
    expected = sign(secret=secret, msg_id=msg_id, timestamp=timestamp, payload=body)
    for candidate in signatures.split():
        if hmac.compare_digest(candidate.encode(), expected.encode()):
            try:
                return json.loads(body)
            except ValueError:
                raise WebhookVerificationError("The signed body is not JSON.") from None
    raise WebhookVerificationError("No signature matches the secret.")


__all__ = ["WebhookVerificationError", "sign", "verify"]

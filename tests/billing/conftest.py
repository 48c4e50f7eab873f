"""Billing fixtures: a local server that speaks Stripe's wire format (the official stripe
library is pointed at it), Stripe-style webhook signing, and the PostgreSQL gate."""

import hashlib
import hmac
import itertools
import json
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from rest_framework.test import APIClient

from apps.billing.models import CreditPack

WEBHOOK_SECRET = "whsec_test_reelsmith_billing"
_ids = itertools.count(1)


def new_id(prefix: str) -> str:
    return f"{prefix}_test{next(_ids):08d}"


# --- Stripe-signed webhooks -----------------------------------------------------------


def stripe_signature(payload: bytes, *, secret: str = WEBHOOK_SECRET, at: int | None = None):
    """Stripe's scheme: `t=<unix ts>,v1=<hex HMAC-SHA256 of "<ts>.<payload>">`."""
    ts = int(time.time()) if at is None else at
    mac = hmac.new(secret.encode(), f"{ts}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={ts},v1={mac}"


def stripe_event(type_: str, obj: dict[str, Any], *, created: int | None = None, **extra):
    return {
        "id": extra.pop("id", None) or new_id("evt"),
        "object": "event",
        "api_version": "2026-10-28.endive",
        "created": created or int(time.time()),
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": type_,
        "data": {"object": obj},
        **extra,
    }


WEBHOOK_URL = "/api/v1/billing/stripe/webhook"


def deliver(event: dict[str, Any] | bytes, *, client: APIClient | None = None, **sign_kw):
    payload = event if isinstance(event, bytes) else json.dumps(event).encode()
    return (client or APIClient()).post(
        WEBHOOK_URL,
        data=payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=stripe_signature(payload, **sign_kw),
    )


@pytest.fixture
def webhook_secret(settings):
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    return WEBHOOK_SECRET


# --- a Stripe API on localhost ----------------------------------------------------------


def _parse_form(body: str) -> dict[str, Any]:
    """Stripe's form encoding (`a[b][0][c]=v`) back into nested dicts/lists."""
    out: dict[str, Any] = {}
    for key, value in urllib.parse.parse_qsl(body, keep_blank_values=True):
        parts = key.replace("]", "").split("[")
        node: Any = out
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return _lists(out)


def _lists(node: Any) -> Any:
    if isinstance(node, dict):
        if node and all(k.isdigit() for k in node):
            return [_lists(node[k]) for k in sorted(node, key=int)]
        return {k: _lists(v) for k, v in node.items()}
    return node


@dataclass
class FakeStripe:
    url: str
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)
    subscriptions: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[tuple[str, str, dict[str, Any], str]] = field(default_factory=list)

    def subscription(self, *, price: str, status: str = "active", workspace: str = "", **kw):
        sub_id = kw.pop("id", None) or new_id("sub")
        sub = {
            "id": sub_id,
            "object": "subscription",
            "status": status,
            "customer": kw.pop("customer", "cus_test_sub"),
            "cancel_at_period_end": False,
            "metadata": {"workspace": workspace} if workspace else {},
            "items": {
                "object": "list",
                "data": [
                    {
                        "id": new_id("si"),
                        "object": "subscription_item",
                        "price": {"id": price, "object": "price"},
                        "current_period_end": int(time.time()) + 30 * 86400,
                    }
                ],
            },
            **kw,
        }
        self.subscriptions[sub_id] = sub
        return sub


def _handler(state: FakeStripe) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _send(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Request-Id", new_id("req"))
            self.end_headers()
            self.wfile.write(data)

        def _missing(self, what: str) -> None:
            self._send(
                404,
                {
                    "error": {
                        "type": "invalid_request_error",
                        "code": "resource_missing",
                        "message": f"No such {what}",
                    }
                },
            )

        def _record(self) -> dict[str, Any]:
            length = int(self.headers.get("Content-Length") or 0)
            params = _parse_form(self.rfile.read(length).decode()) if length else {}
            state.requests.append(
                (self.command, self.path, params, self.headers.get("Authorization", ""))
            )
            return params

        def do_POST(self) -> None:
            params = self._record()
            if self.path == "/v1/checkout/sessions":
                sid = new_id("cs")
                amount = None
                item = (params.get("line_items") or [{}])[0]
                if "price_data" in item:
                    amount = int(item["price_data"]["unit_amount"])
                session = {
                    "id": sid,
                    "object": "checkout.session",
                    "url": f"https://checkout.stripe.test/c/pay/{sid}",
                    "mode": params.get("mode"),
                    "status": "open",
                    "payment_status": "unpaid",
                    "amount_total": amount,
                    "currency": item.get("price_data", {}).get("currency", "usd"),
                    "client_reference_id": params.get("client_reference_id"),
                    "customer": params.get("customer"),
                    "metadata": params.get("metadata", {}),
                    "payment_intent": None,
                    "subscription": None,
                }
                state.sessions[sid] = session
                return self._send(200, session)
            if self.path == "/v1/billing_portal/sessions":
                bps = new_id("bps")
                return self._send(
                    200,
                    {
                        "id": bps,
                        "object": "billing_portal.session",
                        "customer": params.get("customer"),
                        "url": f"https://billing.stripe.test/p/session/{bps}",
                    },
                )
            return self._missing("endpoint")

        def do_GET(self) -> None:
            self._record()
            kind, _, obj_id = self.path.split("?")[0].removeprefix("/v1/").rpartition("/")
            store = {"checkout/sessions": state.sessions, "subscriptions": state.subscriptions}
            if kind in store and obj_id in store[kind]:
                return self._send(200, store[kind][obj_id])
            return self._missing(kind)

    return Handler


@pytest.fixture
def fake_stripe(settings) -> Iterator[FakeStripe]:
    fake = FakeStripe(url="")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    settings.STRIPE_SECRET_KEY = "sk_test_reelsmith_billing"
    settings.STRIPE_API_BASE = fake.url
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def pack(db) -> CreditPack:
    return CreditPack.objects.create(name="Starter", credits=500, price_cents=1000, currency="usd")


@pytest.fixture
def plans(db):
    from apps.accounts.models import Tier
    from apps.billing.models import TierPlan

    return {
        name: TierPlan.objects.create(
            tier=Tier.objects.get(name=name), stripe_price_id=f"price_{name}", price_cents=cents
        )
        for name, cents in (("pro", 2900), ("enterprise", 19900))
    }

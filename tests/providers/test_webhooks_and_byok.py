"""Provider callbacks (signature checks, the poll-now signal) and workspaces' own keys."""

import base64
import json
import logging
import time

import pytest
from rest_framework.test import APIClient

from apps.accounts.models import Tier
from apps.providers.common import webhook_token
from apps.providers.models import ProviderCredential
from apps.providers.registry import provider_get
from apps.providers.signals import provider_task_updated
from apps.providers.webhooks import standard_sign
from tests.providers.specs import spec

SECRET = "whsec_" + base64.b64encode(b"sandbox-webhook-secret-0123456789").decode()


@pytest.fixture
def received():
    calls = []

    def receiver(sender, **kwargs):
        calls.append(kwargs)

    provider_task_updated.connect(receiver)
    yield calls
    provider_task_updated.disconnect(receiver)


def post_signed(provider, body: bytes, *, ts=None, tamper=False, secret=SECRET):
    ts = int(ts if ts is not None else time.time())
    signature = standard_sign(secret, "msg_1", ts, body)
    if tamper:
        body = body[:-2] + bytes([body[-2] ^ 1]) + body[-1:]
    return APIClient().post(
        f"/api/v1/providers/{provider}/webhook",
        data=body,
        content_type="application/json",
        HTTP_WEBHOOK_ID="msg_1",
        HTTP_WEBHOOK_TIMESTAMP=str(ts),
        HTTP_WEBHOOK_SIGNATURE=signature,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("provider", "payload"),
    [
        ("wavespeed", {"id": "pred_1", "status": "completed", "outputs": ["https://x/y.mp4"]}),
        ("replicate", {"id": "pred_1", "status": "succeeded", "output": "https://x/y.mp4"}),
        ("openai", {"type": "video.completed", "data": {"id": "pred_1"}}),
    ],
)
def test_standard_webhooks_signatures(settings, received, provider, payload):
    setattr(settings, f"{provider.upper()}_WEBHOOK_SECRET", SECRET)
    body = json.dumps(payload).encode()
    ok = post_signed(provider, body)
    assert ok.status_code == 200, ok.content
    assert received == [
        {"signal": provider_task_updated, "provider": provider, "task_id": "pred_1", "job_id": None}
    ]
    assert post_signed(provider, body, tamper=True).status_code == 400
    assert post_signed(provider, body, ts=time.time() - 3600).status_code == 400
    assert (
        post_signed(
            provider, body, secret="whsec_" + base64.b64encode(b"x" * 24).decode()
        ).status_code
        == 400
    )
    assert len(received) == 1  # nothing done for the bad ones


@pytest.mark.django_db
@pytest.mark.parametrize("provider", ["fal", "runware"])
def test_token_callbacks(received, provider):
    body = json.dumps(
        {"request_id": "req_1", "status": "OK"}
        if provider == "fal"
        else {"data": [{"taskUUID": "req_1", "status": "success"}]}
    )
    url = f"/api/v1/providers/{provider}/webhook"
    good = f"{url}?job=job_abc&token={webhook_token(provider, 'job_abc')}"
    assert APIClient().post(good, data=body, content_type="application/json").status_code == 200
    assert received[0]["task_id"] == "req_1" and received[0]["job_id"] == "job_abc"
    bad = f"{url}?job=job_other&token={webhook_token(provider, 'job_abc')}"
    assert APIClient().post(bad, data=body, content_type="application/json").status_code == 400
    assert len(received) == 1


@pytest.mark.django_db
def test_unknown_provider_webhook_is_400():
    assert (
        APIClient()
        .post("/api/v1/providers/runway/webhook", data="{}", content_type="application/json")
        .status_code
        == 400
    )


# --- bring your own key ----------------------------------------------------------------------


@pytest.fixture
def enterprise(alice):
    alice.workspace.tier = Tier.objects.get(name="enterprise")
    alice.workspace.save(update_fields=["tier"])
    return alice


@pytest.mark.isolation("api:provider-keys", "api:provider-key-detail")
def test_provider_keys_api_is_enterprise_only_masked_and_isolated(enterprise, charlie, bob):
    api = enterprise.api
    secret = "ws-live-SECRETVALUE-9876"
    created = api.post(
        "/api/v1/provider-keys",
        {"provider": "wavespeed", "secret": secret, "label": "ours"},
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["masked"] == "…9876"
    assert secret not in created.content.decode()
    listed = api.get("/api/v1/provider-keys")
    assert [k["id"] for k in listed.json()] == [created.json()["id"]]
    assert secret not in listed.content.decode()
    stored = ProviderCredential.objects.get()
    assert secret not in stored.secret_encrypted
    # a second key for the same provider
    assert (
        api.post(
            "/api/v1/provider-keys", {"provider": "wavespeed", "secret": secret}, format="json"
        ).status_code
        == 409
    )
    # charlie's (free) workspace: 403 with a clear message; alice's key is a 404 for him
    denied = charlie.api.get("/api/v1/provider-keys")
    assert denied.status_code == 403 and "Enterprise" in denied.json()["error"]["message"]
    key_id = created.json()["id"]
    # every operation says 403 to a non-Enterprise workspace, whatever the id
    for target in (key_id, "x"):
        refused = charlie.api.delete(f"/api/v1/provider-keys/{target}")
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "PERMISSION_DENIED"
    # on Enterprise too, alice's key is a 404 for charlie
    charlie.workspace.tier = Tier.objects.get(name="enterprise")
    charlie.workspace.save(update_fields=["tier"])
    assert charlie.api.delete(f"/api/v1/provider-keys/{key_id}").status_code == 404
    assert charlie.api.delete("/api/v1/provider-keys/x").status_code == 404
    # bob is a member, not an admin: 403 for every operation
    assert bob.api.get("/api/v1/provider-keys").status_code == 403
    assert bob.api.delete(f"/api/v1/provider-keys/{key_id}").status_code == 403
    assert bob.api.delete("/api/v1/provider-keys/x").status_code == 403
    assert (
        bob.api.post(
            "/api/v1/provider-keys", {"provider": "fal", "secret": "s"}, format="json"
        ).status_code
        == 403
    )
    assert api.delete(f"/api/v1/provider-keys/{key_id}").status_code == 204
    assert not ProviderCredential.objects.exists()


@pytest.mark.django_db
def test_an_enterprise_workspace_key_is_used_and_never_logged(enterprise, sandbox, caplog):
    secret = "ws-byok-key-ABCD1234"
    sandbox.add_key("wavespeed", secret)
    enterprise.api.post(
        "/api/v1/provider-keys", {"provider": "wavespeed", "secret": secret}, format="json"
    )
    adapter = provider_get(name="wavespeed")
    caplog.set_level(logging.DEBUG)
    task_id = adapter.submit(spec("wavespeed", workspace_id=enterprise.workspace.pk))
    assert sandbox.last("wavespeed", "POST").key == secret
    adapter.poll(task_id)
    assert sandbox.last("wavespeed", "GET").key == secret  # polls use the same account
    assert secret not in task_id
    assert secret not in caplog.text
    # without BYOK (another workspace, or none): the platform key
    adapter.submit(spec("wavespeed"))
    assert sandbox.last("wavespeed", "POST").key == "sk-sandbox-wavespeed"


@pytest.mark.django_db
def test_a_downgraded_workspace_falls_back_to_the_platform_key(enterprise, sandbox):
    enterprise.api.post(
        "/api/v1/provider-keys", {"provider": "fal", "secret": "fal-own-key-1"}, format="json"
    )
    enterprise.workspace.tier = Tier.objects.get(name="free")
    enterprise.workspace.save(update_fields=["tier"])
    provider_get(name="fal").submit(spec("fal", workspace_id=enterprise.workspace.pk))
    assert sandbox.last("fal", "POST").key == "sk-sandbox-fal"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    ['{"data":[1]}', '{"data":["x"]}', '{"data":[[]]}', "[1]", '"text"', '{"taskUUID": {}}'],
)
def test_a_tokened_runware_callback_with_a_malformed_body_is_a_400(received, body):
    url = "/api/v1/providers/runware/webhook"
    good = f"{url}?job=job_abc&token={webhook_token('runware', 'job_abc')}"
    response = APIClient().post(good, data=body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert received == []


@pytest.mark.django_db
@pytest.mark.parametrize("provider", ["wavespeed", "replicate", "openai", "fal"])
def test_other_callbacks_with_a_malformed_body_are_a_400(settings, received, provider):
    setattr(settings, f"{provider.upper()}_WEBHOOK_SECRET", SECRET)
    bodies = [b"[1]", b'{"id": []}', b'{"data": {"id": {}}}', b'{"request_id": [1]}']
    for body in bodies:
        if provider == "fal":
            url = "/api/v1/providers/fal/webhook"
            token = webhook_token("fal", "job_abc")
            response = APIClient().post(
                f"{url}?job=job_abc&token={token}", data=body, content_type="application/json"
            )
        else:
            response = post_signed(provider, body)
        assert response.status_code in (200, 400), (body, response.content)
    assert received == []


@pytest.mark.django_db
def test_a_non_ascii_token_or_signature_is_a_400_not_a_500(settings):
    url = "/api/v1/providers/runware/webhook?job=job_abc&token=%C3%A9t%C3%A9"
    assert APIClient().post(url, data="{}", content_type="application/json").status_code == 400
    settings.WAVESPEED_WEBHOOK_SECRET = SECRET
    response = APIClient().post(
        "/api/v1/providers/wavespeed/webhook",
        data=b"{}",
        content_type="application/json",
        HTTP_WEBHOOK_ID="msg_1",
        HTTP_WEBHOOK_TIMESTAMP=str(int(time.time())),
        HTTP_WEBHOOK_SIGNATURE="v1,\u00e9t\u00e9",
    )
    assert response.status_code == 400

from unittest.mock import ANY

import pytest
from rest_framework.test import APIClient

from apps.accounts.models import ApiKey

pytestmark = pytest.mark.django_db


def _client(**headers) -> APIClient:
    client = APIClient()
    client.credentials(**headers)
    return client


def test_bearer_key_authenticates(alice):
    response = _client(HTTP_AUTHORIZATION=f"Bearer {alice.key}").get("/api/v1/workspace")
    assert response.status_code == 200
    assert response.json()["id"] == alice.workspace.public_id


def test_x_api_key_header_authenticates(alice):
    response = _client(HTTP_X_API_KEY=alice.key).get("/api/v1/workspace")
    assert response.status_code == 200
    assert response.json()["id"] == alice.workspace.public_id


@pytest.mark.parametrize(
    "header",
    [
        "wrong",  # right shape, wrong secret
        "malformed",  # not a key at all
        "revoked",
        "empty",
    ],
)
def test_wrong_revoked_and_malformed_keys_get_the_same_401(alice, header):
    key = {
        "wrong": alice.key[:-4] + "AAAA",
        "malformed": "not-a-key",
        "revoked": alice.key,
        "empty": "",
    }[header]
    if header == "revoked":
        alice.api.delete(f"/api/v1/api-keys/{ApiKey.objects.get().public_id}")
    for client in (_client(HTTP_AUTHORIZATION=f"Bearer {key}"), _client(HTTP_X_API_KEY=key)):
        response = client.get("/api/v1/workspace")
        assert response.status_code == 401
        assert response.json() == {
            "error": {
                "code": "AUTHENTICATION_FAILED",
                "message": "Invalid API key.",
                "retryable": False,
                "details": {"request_id": ANY},
            }
        }


def test_no_credentials_is_401_with_the_envelope(anon_api):
    response = anon_api.get("/api/v1/workspace")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "AUTHENTICATION_FAILED"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_the_secret_is_shown_once_and_stored_only_hashed(alice_api):
    created = alice_api.post("/api/v1/api-keys", {"name": "ci"}, format="json")
    assert created.status_code == 201
    body = created.json()
    assert body["key"].startswith("rsk_")
    row = ApiKey.objects.get(public_id=body["id"])
    assert body["key"] not in (row.hashed_secret, row.prefix)
    listed = alice_api.get("/api/v1/api-keys").json()["results"]
    assert all("key" not in item for item in listed)
    assert body["prefix"] in {item["prefix"] for item in listed}
    assert _client(HTTP_X_API_KEY=body["key"]).get("/api/v1/workspace").status_code == 200


def test_a_revoked_key_stops_working_at_once(alice_api):
    body = alice_api.post("/api/v1/api-keys", {"name": "temp"}, format="json").json()
    client = _client(HTTP_AUTHORIZATION=f"Bearer {body['key']}")
    assert client.get("/api/v1/workspace").status_code == 200
    revoked = alice_api.delete(f"/api/v1/api-keys/{body['id']}")
    assert revoked.status_code == 200
    assert revoked.json()["revoked"] is True
    assert client.get("/api/v1/workspace").status_code == 401


def test_last_used_is_recorded(alice_api, alice):
    alice_api.get("/api/v1/workspace")
    assert ApiKey.objects.get(prefix=alice.key.split("_")[1]).last_used_at is not None


def test_a_member_cannot_revoke_someone_elses_key(alice, bob_api):
    alice_key = ApiKey.objects.get(created_by=alice.user)
    response = bob_api.delete(f"/api/v1/api-keys/{alice_key.public_id}")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "PERMISSION_DENIED"


def test_keys_never_appear_in_logs(alice, caplog):
    caplog.set_level("DEBUG")
    _client(HTTP_AUTHORIZATION=f"Bearer {alice.key}").get("/api/v1/workspace")
    _client(HTTP_AUTHORIZATION=f"Bearer {alice.key}x").get("/api/v1/workspace")
    assert alice.key not in caplog.text


@pytest.mark.isolation("api:api-keys", "api:api-key-detail")
def test_charlie_cannot_see_or_revoke_alices_keys(alice, charlie_api):
    alice_key = ApiKey.objects.get(created_by=alice.user)
    listed = charlie_api.get("/api/v1/api-keys").json()["results"]
    assert alice_key.public_id not in {k["id"] for k in listed}
    assert charlie_api.get(f"/api/v1/api-keys/{alice_key.public_id}").status_code == 404
    response = charlie_api.delete(f"/api/v1/api-keys/{alice_key.public_id}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOT_FOUND"
    alice_key.refresh_from_db()
    assert alice_key.revoked_at is None


def test_the_one_query_key_lookup_loads_exactly_what_the_orm_would(alice, bob):
    from apps.accounts.models import Membership
    from apps.accounts.selectors import api_key_for_prefix

    prefix = bob.key.split("_")[1]
    loaded = api_key_for_prefix(prefix=prefix)
    orm = ApiKey.objects.select_related("workspace__tier", "created_by").get(prefix=prefix)
    pairs = [
        (loaded, orm),
        (loaded.workspace, orm.workspace),
        (loaded.workspace.tier, orm.workspace.tier),
        (loaded.created_by, orm.created_by),
        (loaded.membership, Membership.objects.get(user=bob.user, workspace=alice.workspace)),
    ]
    for ours, theirs in pairs:
        for field in type(theirs)._meta.concrete_fields:
            assert getattr(ours, field.attname) == getattr(theirs, field.attname), field.name
    assert loaded.created_at.tzinfo is not None
    assert api_key_for_prefix(prefix="nosuchprefix") is None

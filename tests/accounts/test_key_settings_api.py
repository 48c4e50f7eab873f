"""Creating and changing keys' scopes, allowed models, monthly limit and expiry through
POST/PATCH /api/v1/api-keys: who may, what is checked, and the edges."""

import datetime as dt

import pytest
from django.utils import timezone

from apps.accounts.models import ApiKey

pytestmark = pytest.mark.django_db

FUTURE = "2999-01-01T00:00:00Z"


def _create(api, **body):
    return api.post("/api/v1/api-keys", {"name": "ci", **body}, format="json")


def test_create_takes_every_setting_and_get_shows_them(alice_api):
    created = _create(
        alice_api,
        scopes=["jobs", "read"],
        allowed_models=["local/", "local/text-to-video"],
        monthly_credit_limit=500,
        expires_at=FUTURE,
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["scopes"] == ["read", "jobs"]
    assert body["allowed_models"] == ["local/", "local/text-to-video"]
    assert body["monthly_credit_limit"] == 500
    assert body["expires_at"].startswith("2999-01-01")
    assert body["spent_this_month"] == 0
    assert body["expired"] is False
    shown = alice_api.get(f"/api/v1/api-keys/{body['id']}").json()
    assert {k: shown[k] for k in ("scopes", "allowed_models", "monthly_credit_limit")} == {
        "scopes": ["read", "jobs"],
        "allowed_models": ["local/", "local/text-to-video"],
        "monthly_credit_limit": 500,
    }
    listed = alice_api.get("/api/v1/api-keys").json()["results"]
    assert next(k for k in listed if k["id"] == body["id"])["spent_this_month"] == 0


def test_patch_changes_only_what_it_names(alice_api):
    key_id = _create(alice_api, monthly_credit_limit=10).json()["id"]
    response = alice_api.patch(
        f"/api/v1/api-keys/{key_id}", {"name": "renamed", "scopes": ["read"]}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["name"], response.json()["scopes"]) == ("renamed", ["read"])
    assert response.json()["monthly_credit_limit"] == 10
    cleared = alice_api.patch(
        f"/api/v1/api-keys/{key_id}",
        {"monthly_credit_limit": None, "expires_at": None, "allowed_models": []},
        format="json",
    )
    assert cleared.json()["monthly_credit_limit"] is None
    row = ApiKey.objects.get(public_id=key_id)
    assert (row.name, row.scopes, row.monthly_credit_limit) == ("renamed", ["read"], None)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"scopes": ["read", "superuser"]}, "scopes"),
        ({"scopes": []}, "scopes"),
        ({"scopes": "read"}, "scopes"),
        ({"scopes": [1]}, "scopes"),
        ({"allowed_models": ["no-such/model"]}, "allowed_models"),
        ({"allowed_models": ["nosuchprovider/"]}, "allowed_models"),
        ({"allowed_models": "local/"}, "allowed_models"),
        ({"allowed_models": [{"id": "local/"}]}, "allowed_models"),
        ({"monthly_credit_limit": -1}, "monthly_credit_limit"),
        ({"monthly_credit_limit": "lots"}, "monthly_credit_limit"),
        ({"monthly_credit_limit": 10**30}, "monthly_credit_limit"),
        ({"monthly_credit_limit": 1.5}, "monthly_credit_limit"),
        ({"expires_at": "2001-01-01T00:00:00Z"}, "expires_at"),
        ({"expires_at": "tomorrow"}, "expires_at"),
        ({"expires_at": 12}, "expires_at"),
        ({"name": ""}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": ["x"]}, "name"),
        ({"owner": "me"}, "owner"),
        ({"revoked_at": None}, "revoked_at"),
    ],
)
def test_bad_settings_are_400_naming_the_field(alice_api, body, field):
    key_id = _create(alice_api).json()["id"]
    for response in (
        alice_api.patch(f"/api/v1/api-keys/{key_id}", body, format="json"),
        _create(alice_api, **body) if "name" not in body else _create_named(alice_api, body),
    ):
        assert response.status_code == 400, response.json()
        error = response.json()["error"]
        assert error["code"] == "VALIDATION_ERROR"
        assert field in error["message"]
        assert field in str(error["details"])
    row = ApiKey.objects.get(public_id=key_id)
    assert row.name == "ci" and row.monthly_credit_limit is None


def _create_named(api, body):
    return api.post("/api/v1/api-keys", body, format="json")


@pytest.mark.parametrize("body", ["[]", '"a string"', "5", "null", '[{"name": "x"}]', "{"])
def test_a_body_that_is_not_an_object_is_400(alice_api, body):
    key_id = _create(alice_api).json()["id"]
    response = alice_api.patch(f"/api/v1/api-keys/{key_id}", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"


def test_huge_and_deeply_nested_bodies_are_refused_cleanly(alice_api):
    key_id = _create(alice_api).json()["id"]
    huge = {"allowed_models": ["local/"] * 100_000}
    response = alice_api.patch(f"/api/v1/api-keys/{key_id}", huge, format="json")
    assert response.status_code in (400, 413)
    nested: object = "local/"
    for _ in range(200):
        nested = [nested]
    response = alice_api.patch(
        f"/api/v1/api-keys/{key_id}", {"allowed_models": nested}, format="json"
    )
    assert response.status_code == 400
    long_name = alice_api.patch(f"/api/v1/api-keys/{key_id}", {"name": "x" * 10**6}, format="json")
    assert long_name.status_code in (400, 413)
    assert ApiKey.objects.get(public_id=key_id).allowed_models == []


def test_an_alias_is_stored_as_the_models_id(alice_api):
    from apps.catalog.registry import ALIASES

    alias, model_id = next(iter(ALIASES.items()))
    body = _create(alice_api, allowed_models=[alias]).json()
    assert body["allowed_models"] == [model_id]


def test_members_make_and_change_their_own_keys_but_not_anyone_elses(alice, bob, bob_api):
    made = _create(bob_api)
    assert made.status_code == 201
    mine = made.json()["id"]
    renamed = bob_api.patch(f"/api/v1/api-keys/{mine}", {"name": "mine"}, format="json")
    assert renamed.status_code == 200 and renamed.json()["name"] == "mine"
    alice_key = ApiKey.objects.get(created_by=alice.user)
    changed = bob_api.patch(f"/api/v1/api-keys/{alice_key.public_id}", {"name": "x"}, format="json")
    assert changed.status_code == 403
    assert changed.json()["error"]["code"] == "PERMISSION_DENIED"
    bob_key = ApiKey.objects.get(created_by=bob.user, name__endswith="test key")
    assert bob_api.delete(f"/api/v1/api-keys/{bob_key.public_id}").status_code == 200


def test_a_revoked_key_cannot_be_changed(alice_api):
    key_id = _create(alice_api).json()["id"]
    alice_api.delete(f"/api/v1/api-keys/{key_id}")
    response = alice_api.patch(f"/api/v1/api-keys/{key_id}", {"name": "back"}, format="json")
    assert response.status_code == 409


def test_patch_without_credentials_is_401(anon_api, alice):
    key = ApiKey.objects.get(created_by=alice.user)
    response = anon_api.patch(f"/api/v1/api-keys/{key.public_id}", {"name": "x"}, format="json")
    assert response.status_code == 401


@pytest.mark.isolation("api:api-key-detail")
def test_charlie_cannot_change_alices_key(alice, charlie_api):
    alice_key = ApiKey.objects.get(created_by=alice.user)
    response = charlie_api.patch(
        f"/api/v1/api-keys/{alice_key.public_id}", {"scopes": ["read"]}, format="json"
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOT_FOUND"
    alice_key.refresh_from_db()
    assert "admin" in alice_key.scopes


def test_expiry_in_a_minute_is_accepted_and_shown(alice_api):
    soon = timezone.now() + dt.timedelta(minutes=1)
    body = _create(alice_api, expires_at=soon.isoformat()).json()
    assert body["expired"] is False
    assert body["expires_at"] is not None

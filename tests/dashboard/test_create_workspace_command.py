import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from apps.accounts.models import ApiKey, User

pytestmark = pytest.mark.django_db


def provision(*args: str) -> dict:
    out = StringIO()
    call_command("create_workspace", *args, stdout=out)
    return json.loads(out.getvalue())


def client_for(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def test_prints_one_json_object_with_a_working_key():
    result = provision("--email", "ops@example.com", "--tier", "pro", "--name", "Ops")
    assert set(result) == {"workspace", "user", "api_key"}
    assert result["user"] == "ops@example.com"
    body = client_for(result["api_key"]).get("/api/v1/workspace").json()
    assert body["id"] == result["workspace"]
    assert body["name"] == "Ops"
    assert body["tier"]["name"] == "pro"


def test_password_and_staff_flags():
    provision("--email", "staff@example.com", "--password", "pw-123-secret", "--staff")
    user = User.objects.get(email="staff@example.com")
    assert user.check_password("pw-123-secret")
    assert user.is_staff


def test_an_unknown_tier_is_a_clear_error():
    with pytest.raises(CommandError, match="Unknown tier 'gold'"):
        provision("--email", "x@example.com", "--tier", "gold")
    assert not User.objects.filter(email="x@example.com").exists()


def test_two_tenants_keys_cannot_see_each_others_objects():
    one = provision("--email", "one@example.com")
    two = provision("--email", "two@example.com")
    assert one["workspace"] != two["workspace"]
    one_key_id = ApiKey.objects.get(workspace__public_id=one["workspace"]).public_id
    two_api = client_for(two["api_key"])
    assert two_api.get(f"/api/v1/api-keys/{one_key_id}").status_code == 404
    assert two_api.delete(f"/api/v1/api-keys/{one_key_id}").status_code == 404
    assert one_key_id not in {k["id"] for k in two_api.get("/api/v1/api-keys").json()["results"]}
    assert two_api.get("/api/v1/workspace").json()["id"] == two["workspace"]

import pytest

from apps.accounts.models import ApiKey, Membership, Role, Tier, User
from apps.accounts.services import user_signup
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


def test_tiers_are_seeded_with_the_products_limits():
    tiers = {t.name: t for t in Tier.objects.all()}
    assert (tiers["free"].max_upload_bytes, tiers["free"].storage_quota_bytes) == (
        100 * MB,
        500 * MB,
    )
    assert (tiers["free"].max_concurrent_jobs, tiers["free"].requests_per_minute) == (2, 60)
    assert (tiers["pro"].max_upload_bytes, tiers["pro"].storage_quota_bytes) == (
        500 * MB,
        5 * 1024 * MB,
    )
    assert (tiers["pro"].max_concurrent_jobs, tiers["pro"].requests_per_minute) == (5, 300)
    assert tiers["enterprise"].max_upload_bytes == 2 * 1024 * MB
    assert tiers["enterprise"].storage_quota_bytes is None
    assert (tiers["enterprise"].max_concurrent_jobs, tiers["enterprise"].requests_per_minute) == (
        20,
        1200,
    )


def test_signing_up_creates_a_personal_free_workspace_owned_by_the_user():
    user = user_signup(email="New@Example.com", password="a-long-password-1")
    assert user.email == "new@example.com"
    membership = Membership.objects.get(user=user)
    assert membership.role == Role.OWNER
    assert membership.workspace.tier.name == "free"
    assert membership.workspace.is_personal
    assert user.active_workspace == membership.workspace


@pytest.mark.isolation("api:workspace")
def test_workspace_endpoint_reports_tier_limits_and_usage(alice_api, alice, charlie_api):
    body = alice_api.get("/api/v1/workspace").json()
    assert body["id"] == alice.workspace.public_id
    assert body["tier"] == {
        "name": "free",
        "display_name": "Free",
        "max_upload_bytes": 100 * MB,
        "storage_quota_bytes": 500 * MB,
        "max_concurrent_jobs": 2,
        "requests_per_minute": 60,
        "monthly_credits": 100,
        "credit_discount_percent": 0,
        "max_webhook_endpoints": 5,
    }
    assert body["usage"] == {"storage_bytes": 0}
    assert charlie_api.get("/api/v1/workspace").json()["id"] != alice.workspace.public_id


def test_owner_adds_a_member_by_email_and_changes_their_role(alice_api):
    UserFactory(email="dana@example.com")
    added = alice_api.post("/api/v1/members", {"email": "DANA@example.com"}, format="json")
    assert added.status_code == 201
    assert added.json()["role"] == "member"
    changed = alice_api.patch(
        f"/api/v1/members/{added.json()['id']}", {"role": "admin"}, format="json"
    )
    assert changed.status_code == 200
    assert changed.json()["role"] == "admin"


def test_adding_an_unknown_email_says_so(alice_api):
    response = alice_api.post("/api/v1/members", {"email": "ghost@example.com"}, format="json")
    assert response.status_code == 400
    assert "ghost@example.com" in response.json()["error"]["message"]


def test_adding_an_existing_member_is_a_conflict(alice_api, bob):
    response = alice_api.post("/api/v1/members", {"email": bob.user.email}, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "CONFLICT"


def test_a_plain_member_cannot_add_members_or_change_roles(bob_api, alice):
    UserFactory(email="erin@example.com")
    response = bob_api.post("/api/v1/members", {"email": "erin@example.com"}, format="json")
    assert response.status_code == 403
    owner = Membership.objects.get(user=alice.user, workspace=alice.workspace)
    response = bob_api.patch(
        f"/api/v1/members/{owner.public_id}", {"role": "member"}, format="json"
    )
    assert response.status_code == 403


def test_an_admin_cannot_touch_an_owner(alice, bob, bob_api):
    bob.membership.role = Role.ADMIN
    bob.membership.save()
    owner = Membership.objects.get(user=alice.user, workspace=alice.workspace)
    assert (
        bob_api.patch(
            f"/api/v1/members/{owner.public_id}", {"role": "member"}, format="json"
        ).status_code
        == 403
    )
    assert bob_api.delete(f"/api/v1/members/{owner.public_id}").status_code == 403


def test_the_last_owner_cannot_step_down_or_leave(alice_api, alice):
    owner = Membership.objects.get(user=alice.user, workspace=alice.workspace)
    response = alice_api.patch(
        f"/api/v1/members/{owner.public_id}", {"role": "admin"}, format="json"
    )
    assert response.status_code == 409
    assert alice_api.delete(f"/api/v1/members/{owner.public_id}").status_code == 409
    owner.refresh_from_db()
    assert owner.role == Role.OWNER


def test_removing_a_member_revokes_their_keys_for_that_workspace(alice_api, bob, bob_api):
    assert alice_api.delete(f"/api/v1/members/{bob.membership.public_id}").status_code == 204
    assert not Membership.objects.filter(pk=bob.membership.pk).exists()
    assert ApiKey.objects.get(created_by=bob.user, workspace=bob.workspace).revoked_at
    assert bob_api.get("/api/v1/workspace").status_code == 401


def test_a_member_can_leave(bob_api, bob):
    assert bob_api.delete(f"/api/v1/members/{bob.membership.public_id}").status_code == 204


def test_a_user_can_belong_to_several_workspaces_and_switch(alice, bob, client):
    from apps.accounts.services import workspace_switch

    own = Membership.objects.get(user=bob.user, workspace__created_by=bob.user).workspace
    assert set(bob.user.workspaces.all()) == {own, alice.workspace}
    workspace_switch(user=bob.user, workspace_public_id=alice.workspace.public_id)
    bob.user.refresh_from_db()
    assert bob.user.active_workspace == alice.workspace


def test_switching_to_a_foreign_workspace_is_not_found(alice, charlie):
    from apps.accounts.services import workspace_switch
    from apps.core.errors import NotFound

    with pytest.raises(NotFound):
        workspace_switch(user=charlie.user, workspace_public_id=alice.workspace.public_id)
    assert User.objects.get(pk=charlie.user.pk).active_workspace == charlie.workspace


@pytest.mark.isolation("api:members", "api:member-detail")
def test_charlie_cannot_see_or_change_alices_members(alice, bob, charlie_api):
    listed = charlie_api.get("/api/v1/members").json()["results"]
    assert {m["email"] for m in listed} == {"charlie@example.com"}
    target = bob.membership.public_id
    for response in (
        charlie_api.get(f"/api/v1/members/{target}"),
        charlie_api.patch(f"/api/v1/members/{target}", {"role": "admin"}, format="json"),
        charlie_api.delete(f"/api/v1/members/{target}"),
    ):
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "NOT_FOUND"
    bob.membership.refresh_from_db()
    assert bob.membership.role == Role.MEMBER

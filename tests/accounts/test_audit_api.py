"""GET /api/v1/audit-events, the Audit log page and the admin list: owners and admins
only, one workspace's events only, filters and cursors that answer 400 (never 500) to
nonsense; and the log is append-only down to the database."""

import base64
import datetime as dt

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.utils import timezone

from apps.accounts import audit, services
from apps.accounts.models import AuditAction, AuditEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/audit-events"


def events(who, **params) -> list[dict]:
    response = who.api.get(URL, params)
    assert response.status_code == 200, response.json()
    return response.json()["results"]


def at_time(actor, when, action=AuditAction.MEMBER_ADDED, **kw) -> AuditEvent:
    return AuditEvent.objects.create(
        action=action,
        workspace=actor.workspace,
        actor_user=actor.user,
        actor_label=actor.user.email,
        at=when,
        **kw,
    )


@pytest.mark.isolation("api:audit-events")
def test_owners_see_their_workspace_only_and_another_tenant_never_does(alice, charlie):
    target = alice.api.post("/api/v1/api-keys", {"name": "CI"}, format="json").json()["id"]
    mine = events(alice, action="api_key.created")
    assert target in [e["target_id"] for e in mine]
    theirs = events(charlie)
    assert target not in [e["target_id"] for e in theirs]
    assert {e["actor_label"].split(" ")[0] for e in theirs} <= {"charlie@example.com", "system"}
    # Filtering by alice's key or target gives charlie nothing either.
    assert events(charlie, target=target) == []
    assert events(charlie, actor=alice.user.public_id) == []


def test_members_get_403_admins_200_and_anonymous_401(alice, bob, anon_api):
    response = bob.api.get(URL)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "PERMISSION_DENIED"
    services.membership_change_role(actor=alice.membership, membership=bob.membership, role="admin")
    assert bob.api.get(URL).status_code == 200
    assert anon_api.get(URL).status_code == 401


def test_an_event_reads_back_with_every_field(alice):
    alice.api.post("/api/v1/api-keys", {"name": "CI"}, format="json", HTTP_USER_AGENT="curl/8")
    (event,) = events(alice, action="api_key.created", actor=alice.user.email)[:1]
    assert event["id"].startswith("aud_")
    assert event["actor_user"] == alice.user.public_id
    assert event["actor_api_key"].startswith("key_")
    assert event["target_type"] == "api_key"
    assert event["ip"] == "127.0.0.1" and event["user_agent"] == "curl/8"
    assert event["details"]["name"] == "CI"


def test_filters_by_action_family_actor_target_and_time(alice, bob):
    now = timezone.now()
    old = at_time(alice, now - dt.timedelta(days=3), target_id="mem_old")
    new = at_time(alice, now - dt.timedelta(hours=1), AuditAction.MEMBER_REMOVED, target_id="x1")
    ids = lambda rows: [r["id"] for r in rows]  # noqa: E731
    assert ids(events(alice, action="member.removed")) == [new.public_id]
    assert set(ids(events(alice, action="member"))) == {old.public_id, new.public_id}
    assert ids(events(alice, target="mem_old")) == [old.public_id]
    since = (now - dt.timedelta(days=1)).isoformat()
    assert old.public_id not in ids(events(alice, **{"from": since}))
    assert new.public_id in ids(events(alice, **{"from": since}))
    assert ids(events(alice, to=since, action="member")) == [old.public_id]
    # bob's own key (made by the fixture, outside any request) and one he makes with it.
    made = bob.api.post("/api/v1/api-keys", {"name": "bob 2"}, format="json").json()["id"]
    with_key = AuditEvent.objects.get(target_id=made)
    by_bob = AuditEvent.objects.filter(actor_user=bob.user).order_by("-at", "-id")
    assert with_key.actor_api_key.created_by == bob.user and by_bob.count() == 2
    assert ids(events(alice, actor=with_key.actor_api_key.public_id)) == [with_key.public_id]
    for actor in (bob.user.public_id, "BOB@example.com"):
        assert ids(events(alice, actor=actor)) == [e.public_id for e in by_bob]
    assert events(alice, actor="stripe") == []


@pytest.mark.parametrize(
    "params",
    [
        {"action": "api_key.exploded"},
        {"action": "x" * 65},
        {"from": "yesterday"},
        {"to": "2026-13-45"},
        {"from": "99999-01-01T00:00:00"},
        {"from": "2026-02-01T00:00:00Z", "to": "2026-01-01T00:00:00Z"},
        {"actor": "a" * 300},
        {"limit": "0"},
        {"limit": "ten"},
        {"cursor": "garbage"},
        {"cursor": base64.b64encode(b"o=0&r=0&p=not-a-date").decode()},
        {"cursor": base64.b64encode(b"o=-5").decode()},
        {"cursor": base64.b64encode(b"o=0&x=1").decode()},
    ],
)
def test_bad_filters_and_crafted_cursors_are_a_400(alice, params):
    response = alice.api.get(URL, params)
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"


def test_a_filter_given_twice_is_a_400(alice):
    response = alice.api.get(f"{URL}?action=member&action=credits")
    assert response.status_code == 400


def test_the_cursor_pages_newest_first_without_gaps_or_repeats(alice):
    base = timezone.now() - dt.timedelta(hours=1)
    # Pairs share a timestamp: the id breaks the tie.
    made = [at_time(alice, base + dt.timedelta(seconds=i // 2)) for i in range(7)]
    seen, url = [], f"{URL}?action=member.added&limit=3"
    while url:
        body = alice.api.get(url).json()
        seen += [e["id"] for e in body["results"]]
        url = body["next"]
    expected = sorted(made, key=lambda e: (e.at, e.pk), reverse=True)
    assert seen == [e.public_id for e in expected]


def test_the_model_refuses_updates_and_deletes(alice):
    event = AuditEvent.objects.filter(workspace=alice.workspace).first()
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        AuditEvent.objects.filter(pk=event.pk).update(action="admin.action")
    with pytest.raises(TypeError):
        AuditEvent.objects.filter(pk=event.pk).delete()


@pytest.mark.postgres
def test_the_database_refuses_to_change_or_delete_an_event_but_lets_retention_purge(alice):
    event = AuditEvent.objects.filter(workspace=alice.workspace).first()
    table = AuditEvent._meta.db_table
    for sql in (
        f"UPDATE {table} SET action = 'admin.action' WHERE id = %s",
        f"UPDATE {table} SET details = '{{}}'::jsonb WHERE id = %s",
        f"DELETE FROM {table} WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [event.pk])
    # Deleting the actor nulls the actor columns (the one change allowed); the label stays.
    user = UserFactory(email="gone@example.com")
    gone = audit.record(action=AuditAction.SIGN_IN, workspace=alice.workspace, actor_user=user)
    user.delete()
    gone = AuditEvent.objects.get(pk=gone.pk)
    assert (gone.actor_user_id, gone.actor_label) == (None, "gone@example.com")


def test_staff_read_the_admin_list_but_cannot_add_change_or_delete(alice):
    staff = UserFactory(email="root@example.com")
    staff.is_staff = staff.is_superuser = True
    staff.save()
    client = Client()
    client.force_login(staff)
    event = AuditEvent.objects.filter(workspace=alice.workspace).first()
    assert client.get("/admin/accounts/auditevent/").status_code == 200
    assert client.get("/admin/accounts/auditevent/?action=api_key.created").status_code == 200
    assert client.get("/admin/accounts/auditevent/add/").status_code == 403
    page = client.get(f"/admin/accounts/auditevent/{event.pk}/change/")
    assert page.status_code == 200 and b'name="_save"' not in page.content
    assert client.post(f"/admin/accounts/auditevent/{event.pk}/delete/").status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def _page(actor) -> Client:
    client = Client()
    client.force_login(actor.user)
    return client


def test_the_audit_log_page_shows_owners_the_events_with_filters(alice, bob):
    alice.api.post("/api/v1/api-keys", {"name": "Deploy bot"}, format="json")
    page = _page(alice).get("/audit/")
    assert page.status_code == 200
    assert "api_key.created" in page.content.decode()
    filtered = _page(alice).get("/audit/", {"action": "member", "actor": "x@example.com"})
    assert "No events match." in filtered.content.decode()
    assert "Deploy bot" in _page(alice).get("/audit/", {"action": "api_key"}).content.decode()
    bob.user.active_workspace = alice.workspace
    bob.user.save(update_fields=["active_workspace"])
    assert _page(bob).get("/audit/").status_code == 403


@pytest.mark.parametrize(
    "params",
    [
        {"action": "nope"},
        {"start": "yesterday"},
        {"start": "2026-02-01", "end": "2026-01-01"},
        {"page": "-1"},
        {"page": "99999"},
    ],
)
def test_the_page_answers_bad_filters_with_a_message_never_a_500(alice, params):
    page = _page(alice).get("/audit/", params)
    assert page.status_code == 200

"""Workspace closure through the API: access stops at once (keys revoked, members
refused, jobs in flight cancelled with their holds released), the owner can reopen within
the grace, and after it the erase task removes media and personal data while the ledger
stays (and still verifies) against the anonymised workspace."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from apps.accounts.models import (
    ApiKey,
    AuditAction,
    AuditEvent,
    Membership,
    Role,
    User,
    Workspace,
)
from apps.billing.models import CreditAccount, CreditHold, LedgerEntry
from apps.gallery.models import Asset
from apps.jobs.closure import workspaces_erase_due
from apps.jobs.models import Job, JobStatus
from apps.jobs.retention import retention_apply
from apps.providers.models import ProviderCredential
from apps.webhooks.models import WebhookEndpoint
from tests.factories import UserFactory, add_member
from tests.jobs.conftest import TEXT_JOB, fund

pytestmark = pytest.mark.django_db(transaction=True)


def _session(actor) -> APIClient:
    """A dashboard session in the actor's workspace (not their personal one)."""
    User.objects.filter(pk=actor.user.pk).update(active_workspace=actor.workspace)
    actor.user.refresh_from_db()
    client = APIClient()
    client.force_login(actor.user)
    return client


def _close(api, name: str):
    return api.post("/api/v1/workspace/close", {"confirm": name}, format="json")


def test_closing_revokes_every_key_at_once_and_refuses_members(alice, alice_api, bob, bob_api):
    response = _close(alice_api, alice.workspace.name)
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["keys_revoked"] == 2
    closed_at = dt.datetime.fromisoformat(body["closed_at"])
    erase_after = dt.datetime.fromisoformat(body["erase_after"])
    assert erase_after - closed_at == dt.timedelta(days=30)
    assert not ApiKey.objects.filter(workspace=alice.workspace, revoked_at__isnull=True).exists()
    # The very next request with either key is refused.
    for api in (alice_api, bob_api):
        refused = api.get("/api/v1/tasks")
        assert refused.status_code == 401
        assert refused.json()["error"]["code"] == "AUTHENTICATION_FAILED"
    # A member signed in to the dashboard (session) is refused with a clear message.
    refused = _session(bob).get("/api/v1/tasks")
    assert refused.status_code == 403
    assert "closed" in refused.json()["error"]["message"]
    page = Client()
    page.force_login(bob.user)  # bob's active workspace is alice's (see _session)
    assert page.get("/studio/").status_code == 403
    event = AuditEvent.objects.get(action=AuditAction.WORKSPACE_CLOSED)
    assert (event.target_id, event.actor_user_id) == (alice.workspace.public_id, alice.user.pk)


def test_closing_cancels_jobs_in_flight_and_releases_their_holds(
    alice, alice_api, not_eager, priced
):
    fund(alice.workspace, 100)
    response = alice_api.post("/api/v1/generate", TEXT_JOB, format="json")
    assert response.status_code == 202
    job = Job.objects.get(public_id=response.json()["id"])
    assert job.status == JobStatus.QUEUED
    assert _close(alice_api, alice.workspace.name).json()["jobs_cancelled"] == 1
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED
    assert job.hold.state == CreditHold.State.RELEASED
    account = CreditAccount.objects.get(workspace=alice.workspace)
    assert (account.balance, account.held) == (100, 0)


def test_only_owners_close_and_the_confirmation_must_be_the_exact_name(
    alice, alice_api, bob_api, anon_api
):
    admin = UserFactory(email="adam@example.com")
    add_member(alice.workspace, admin, Role.ADMIN)
    from tests.conftest import _actor

    adam = _actor(admin, alice.workspace)
    for api in (bob_api, adam.api):
        assert _close(api, alice.workspace.name).status_code == 403
    cases = [
        {},
        {"confirm": "wrong name"},
        {"confirm": alice.workspace.name.upper()},
        {"confirm": 42},
        {"confirm": alice.workspace.name, "force": True},
        {"confirm": ["x"]},
    ]
    for body in cases:
        response = alice_api.post("/api/v1/workspace/close", body, format="json")
        assert response.status_code == 400, (body, response.json())
        assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    deep: dict = {}
    for _ in range(200):
        deep = {"a": deep}
    assert alice_api.post("/api/v1/workspace/close", deep, format="json").status_code == 400
    assert alice_api.post("/api/v1/workspace/close", "x" * 10, format="json").status_code == 400
    assert _close(anon_api, alice.workspace.name).status_code == 401
    assert Workspace.objects.get(pk=alice.workspace.pk).closed_at is None


def test_closing_twice_is_a_conflict_and_reopening_keeps_keys_revoked(alice, alice_api, bob):
    owner = _session(alice)
    assert _close(owner, alice.workspace.name).status_code == 200
    again = _close(owner, alice.workspace.name)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "CONFLICT"
    reopened = owner.post("/api/v1/workspace/reopen", format="json")
    assert reopened.status_code == 200, reopened.json()
    assert reopened.json()["closed_at"] is None
    assert owner.post("/api/v1/workspace/reopen", format="json").status_code == 409
    # Members are back; the keys revoked at closure are not.
    assert _session(bob).get("/api/v1/tasks").status_code == 200
    assert alice_api.get("/api/v1/tasks").status_code == 401
    assert AuditEvent.objects.filter(action=AuditAction.WORKSPACE_REOPENED).count() == 1
    # Nothing is erased once reopened, whatever the clock says.
    assert workspaces_erase_due(now=dt.datetime.now(dt.UTC) + dt.timedelta(days=60)) == 0


@pytest.mark.isolation("api:workspace-close", "api:workspace-reopen")
def test_bob_cannot_reopen_and_charlie_cannot_touch_alices_workspace(
    alice, alice_api, bob, charlie, charlie_api
):
    assert _close(alice_api, alice.workspace.name).status_code == 200
    assert _session(bob).post("/api/v1/workspace/reopen").status_code == 403
    # charlie acts on his own workspace only: alice's name closes nothing of his.
    assert _close(charlie_api, alice.workspace.name).status_code == 400
    assert charlie_api.post("/api/v1/workspace/reopen").status_code == 409
    assert Workspace.objects.get(pk=charlie.workspace.pk).closed_at is None


def test_after_the_grace_media_and_personal_data_go_and_the_ledger_stays(
    alice, alice_api, bob, charlie, charlie_api, job_storage, priced
):
    fund(alice.workspace, 100)
    job = alice_api.post("/api/v1/generate", TEXT_JOB, format="json").json()
    asset = Asset.objects.get(source_job_id=job["id"])
    media_file = job_storage / asset.storage_key
    assert media_file.exists()
    fund(charlie.workspace, 50)
    charlie_job = charlie_api.post("/api/v1/generate", TEXT_JOB, format="json").json()
    WebhookEndpoint.objects.create(
        workspace=alice.workspace, url="https://hooks.example.com/x", secret="whsec_x"
    )
    ledger_before = list(
        LedgerEntry.objects.filter(workspace=alice.workspace).values_list("pk", "credits")
    )
    closed = _close(alice_api, alice.workspace.name).json()
    erase_after = dt.datetime.fromisoformat(closed["erase_after"])
    # Within the grace nothing is erased.
    assert workspaces_erase_due(now=erase_after - dt.timedelta(seconds=1)) == 0
    assert media_file.exists()
    assert workspaces_erase_due(now=erase_after + dt.timedelta(seconds=1)) == 1
    assert not media_file.exists()
    assert not Asset.objects.filter(workspace=alice.workspace).exists()
    workspace = Workspace.objects.get(pk=alice.workspace.pk)
    assert workspace.name == f"Closed workspace {workspace.public_id}"
    assert workspace.erased_at is not None and workspace.storage_used_bytes == 0
    assert not Membership.objects.filter(workspace=workspace).exists()
    assert not WebhookEndpoint.objects.filter(workspace=workspace).exists()
    assert not ProviderCredential.objects.filter(workspace=workspace).exists()
    erased_job = Job.objects.get(public_id=job["id"])
    assert (erased_job.prompt, erased_job.params, erased_job.inputs) == ("", {}, {})
    assert erased_job.credits_charged == 7  # accounting columns stay
    ledger_after = list(
        LedgerEntry.objects.filter(workspace=workspace).values_list("pk", "credits")
    )
    assert ledger_after == ledger_before
    assert AuditEvent.objects.filter(
        workspace=workspace, action=AuditAction.WORKSPACE_CLOSED
    ).exists()
    out = io.StringIO()
    call_command("billing_verify", stdout=out, stderr=out)
    assert "OK" in out.getvalue()
    # The other tenant is untouched; a second run erases nothing more.
    assert Job.objects.get(public_id=charlie_job["id"]).prompt == TEXT_JOB["prompt"]
    assert Asset.objects.filter(workspace=charlie.workspace).count() == 1
    assert workspaces_erase_due(now=erase_after + dt.timedelta(days=1)) == 0
    # The erased workspace cannot be reopened: its owner is no longer a member of it.
    _session(alice).post("/api/v1/workspace/reopen")
    assert Workspace.objects.get(pk=workspace.pk).closed_at is not None


def test_the_hourly_retention_run_erases_closed_workspaces_past_a_configured_grace(
    alice, alice_api, settings, job_storage
):
    settings.WORKSPACE_CLOSURE_GRACE_DAYS = 1
    job = alice_api.post("/api/v1/generate", TEXT_JOB, format="json").json()
    asset = Asset.objects.get(source_job_id=job["id"])
    Asset.objects.filter(pk=asset.pk).update(saved=True)  # not the unsaved-results kind
    closed = _close(alice_api, alice.workspace.name).json()
    erase_after = dt.datetime.fromisoformat(closed["erase_after"])
    assert erase_after - dt.datetime.fromisoformat(closed["closed_at"]) == dt.timedelta(days=1)
    assert retention_apply(now=erase_after)["closed_workspaces_erased"] == 1
    assert not (job_storage / asset.storage_key).exists()
    assert not Asset.objects.filter(pk=asset.pk).exists()


def test_a_closed_workspaces_public_assets_leave_the_public_gallery(alice, alice_api):
    from apps.gallery.models import ModerationState, Visibility
    from apps.gallery.selectors import assets_public

    job = alice_api.post("/api/v1/generate", TEXT_JOB, format="json").json()
    Asset.objects.filter(source_job_id=job["id"]).update(
        saved=True, visibility=Visibility.PUBLIC, moderation_state=ModerationState.APPROVED
    )
    assert assets_public().filter(workspace=alice.workspace).count() == 1
    assert _close(alice_api, alice.workspace.name).status_code == 200
    assert not assets_public().filter(workspace=alice.workspace).exists()


def test_a_submit_that_passed_its_permission_check_before_the_close_is_refused(
    alice, alice_api, priced
):
    # The request was let in while the workspace was open; the close committed before the
    # submit took the workspace lock: the submit sees it there and holds nothing.
    from apps.core.errors import PermissionDenied
    from apps.jobs.services import job_submit

    fund(alice.workspace, 100)
    assert _close(alice_api, alice.workspace.name).status_code == 200
    stale = Workspace.objects.get(pk=alice.workspace.pk)
    stale.closed_at = None  # what the request saw before the close
    with pytest.raises(PermissionDenied, match="closed"):
        job_submit(workspace=stale, user=alice.user, data=dict(TEXT_JOB))
    assert not Job.objects.exists()
    account = CreditAccount.objects.get(workspace=alice.workspace)
    assert (account.balance, account.held) == (100, 0)

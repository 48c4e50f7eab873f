"""Workspace export through the API: a real job's asset and records land in the zip the
signed link serves; owners only; another tenant's export is a 404."""

import datetime as dt
import io
import json
import zipfile

import pytest
from django.test import Client
from django.utils import timezone

from apps.accounts.models import AuditAction, AuditEvent, Role
from apps.gallery.models import Asset
from apps.jobs.export import exports_purge_expired
from apps.jobs.models import ExportStatus, WorkspaceExport
from tests.factories import UserFactory, add_member
from tests.jobs.conftest import TEXT_JOB, fund

pytestmark = pytest.mark.django_db(transaction=True)


def _download(url: str) -> bytes:
    response = Client().get(url.removeprefix("http://testserver"))
    assert response.status_code == 200, response
    return b"".join(response.streaming_content)


def _export(api) -> dict:
    response = api.post("/api/v1/workspace/export", {}, format="json")
    assert response.status_code == 202, response.json()
    return response.json()


def test_an_owner_exports_jobs_assets_ledger_audit_members_and_media(
    alice, alice_api, bob, job_storage, priced
):
    fund(alice.workspace, 100)
    job = alice_api.post("/api/v1/generate", TEXT_JOB, format="json").json()
    asset = Asset.objects.get(source_job_id=job["id"])
    started = _export(alice_api)
    assert started["status"] == "queued" and started["id"].startswith("exp_")
    # Eager tasks ran the build when the request's transaction committed.
    body = alice_api.get(f"/api/v1/workspace/exports/{started['id']}").json()
    assert body["status"] == "completed" and body["progress"] == 100
    assert body["download_url"].startswith("http://testserver/")
    archive = zipfile.ZipFile(io.BytesIO(_download(body["download_url"])))
    assert archive.testzip() is None
    jobs = json.loads(archive.read("jobs.json"))
    assert [(j["id"], j["prompt"], j["credits_charged"]) for j in jobs] == [
        (job["id"], TEXT_JOB["prompt"], 7)
    ]
    assets = json.loads(archive.read("assets.json"))
    assert [a["id"] for a in assets] == [asset.public_id]
    media = archive.getinfo(assets[0]["file"])
    assert media.compress_type == zipfile.ZIP_STORED  # video is stored, not deflated
    assert archive.read(media) == (job_storage / asset.storage_key).read_bytes()
    ledger = json.loads(archive.read("ledger.json"))
    assert sorted(e["credits"] for e in ledger) == [-7, 100]
    members = json.loads(archive.read("members.json"))
    assert {(m["email"], m["role"]) for m in members} == {
        ("alice@example.com", "owner"),
        (bob.user.email, "member"),
    }
    keys = json.loads(archive.read("api_keys.json"))
    assert len(keys) == 2
    assert all("hashed_secret" not in k and "key" not in k for k in keys)
    assert alice.key not in archive.read("api_keys.json").decode()
    audit = json.loads(archive.read("audit_events.json"))
    assert AuditAction.WORKSPACE_EXPORTED in {e["action"] for e in audit}
    event = AuditEvent.objects.get(action=AuditAction.WORKSPACE_EXPORTED)
    assert (event.target_id, event.actor_user_id) == (started["id"], alice.user.pk)


def test_admins_and_members_cannot_export_or_read_exports(alice, alice_api, bob, bob_api):
    exported = _export(alice_api)
    admin = UserFactory(email="adam@example.com")
    add_member(alice.workspace, admin, Role.ADMIN)
    from tests.conftest import _actor

    adam = _actor(admin, alice.workspace)
    for api in (bob_api, adam.api):
        response = api.post("/api/v1/workspace/export", {}, format="json")
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "PERMISSION_DENIED"
        assert api.get(f"/api/v1/workspace/exports/{exported['id']}").status_code == 403
    assert WorkspaceExport.objects.count() == 1


@pytest.mark.isolation("api:workspace-export", "api:workspace-export-detail")
def test_another_tenants_export_is_not_found(alice_api, charlie, charlie_api):
    exported = _export(alice_api)
    # charlie's own export covers his workspace only and never lists alice's.
    own = _export(charlie_api)
    assert WorkspaceExport.objects.get(public_id=own["id"]).workspace == charlie.workspace
    response = charlie_api.get(f"/api/v1/workspace/exports/{exported['id']}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOT_FOUND"
    assert charlie_api.get("/api/v1/workspace/exports/exp_nope").status_code == 404


def test_unknown_fields_and_non_objects_are_refused(alice_api, anon_api):
    response = alice_api.post("/api/v1/workspace/export", {"format": "tar"}, format="json")
    assert response.status_code == 400
    assert "format" in response.json()["error"]["details"]["fields"]
    assert alice_api.post("/api/v1/workspace/export", [1], format="json").status_code == 400
    assert anon_api.post("/api/v1/workspace/export", {}, format="json").status_code == 401
    assert WorkspaceExport.objects.count() == 0


def test_an_expired_export_loses_its_link_and_retention_deletes_its_zip(
    alice, alice_api, job_storage
):
    exported = _export(alice_api)
    export = WorkspaceExport.objects.get(public_id=exported["id"])
    assert export.status == ExportStatus.COMPLETED
    zip_path = job_storage / export.storage_key
    assert zip_path.exists()
    assert exports_purge_expired(now=timezone.now()) == 0
    later = export.expires_at + dt.timedelta(seconds=1)
    assert exports_purge_expired(now=later) == 1
    assert not zip_path.exists()
    assert alice_api.get(f"/api/v1/workspace/exports/{exported['id']}").status_code == 404


def test_a_json_null_body_is_refused_and_no_body_is_fine(alice_api):
    response = alice_api.post(
        "/api/v1/workspace/export", data="null", content_type="application/json"
    )
    assert response.status_code == 400
    assert alice_api.post("/api/v1/workspace/export").status_code == 202

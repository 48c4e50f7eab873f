"""The Workspace page: the owner exports (status and link shown), closes with the name
as confirmation, sees the closed page everywhere, and reopens; others get 403."""

import pytest
from django.test import Client

from apps.accounts.models import User, Workspace
from apps.jobs.models import WorkspaceExport

pytestmark = pytest.mark.django_db(transaction=True)


def _page(actor) -> Client:
    User.objects.filter(pk=actor.user.pk).update(active_workspace=actor.workspace)
    client = Client()
    client.force_login(actor.user)
    return client


def test_the_owner_exports_and_gets_the_link_on_the_page(alice, media_storage):
    page = _page(alice)
    assert page.get("/workspace/").status_code == 200
    assert page.post("/workspace/export/").status_code == 302
    export = WorkspaceExport.objects.get(workspace=alice.workspace)
    body = page.get("/workspace/").content.decode()
    assert export.public_id in body and "Completed" in body
    assert "Download zip" in body and "/media-signed/" in body


def test_members_cannot_open_the_workspace_page(alice, bob):
    page = _page(bob)
    assert page.get("/workspace/").status_code == 403
    assert page.post("/workspace/export/").status_code == 302
    assert not WorkspaceExport.objects.exists()


def test_closing_from_the_page_needs_the_name_and_shows_the_closed_page_until_reopened(alice, bob):
    page = _page(alice)
    page.post("/workspace/close/", {"confirm": "not the name"})
    assert Workspace.objects.get(pk=alice.workspace.pk).closed_at is None
    page.post("/workspace/close/", {"confirm": alice.workspace.name})
    assert Workspace.objects.get(pk=alice.workspace.pk).closed_at is not None
    closed = page.get("/studio/")
    assert closed.status_code == 403
    assert "Reopen the workspace" in closed.content.decode()
    members_view = _page(bob).get("/")
    assert members_view.status_code == 403
    assert "Reopen the workspace" not in members_view.content.decode()
    assert _page(bob).post("/workspace/reopen/").status_code == 302
    assert Workspace.objects.get(pk=alice.workspace.pk).closed_at is not None
    assert page.post("/workspace/reopen/").status_code == 302
    assert Workspace.objects.get(pk=alice.workspace.pk).closed_at is None
    assert page.get("/studio/").status_code == 200

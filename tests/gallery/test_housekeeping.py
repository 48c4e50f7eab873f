from datetime import timedelta

from django.utils import timezone

from apps.accounts.models import Tier, Workspace
from apps.gallery import direct_uploads, services, tasks
from apps.gallery.models import Asset, AssetStatus
from tests.gallery.conftest import stored_files


def make(actor, path, *, saved=False, age_days=0):
    asset = services.asset_create_from_file(
        workspace=actor.workspace, owner=actor.user, path=path, saved=saved
    )
    Asset.objects.filter(pk=asset.pk).update(created_at=timezone.now() - timedelta(days=age_days))
    return asset


def test_retention_deletes_old_unsaved_assets_only(
    alice, charlie, png, settings, local_storage, django_capture_on_commit_callbacks
):
    settings.GALLERY_RETENTION_DAYS = {"free": 7, "pro": 30}
    old_unsaved = make(alice, png, age_days=8)
    old_saved = make(alice, png, saved=True, age_days=400)
    recent = make(alice, png, age_days=6)
    Workspace.objects.filter(pk=charlie.workspace.pk).update(tier=Tier.objects.get(name="pro"))
    pro_old = make(charlie, png, age_days=20)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.apply_retention() == 1
    remaining = set(Asset.objects.values_list("public_id", flat=True))
    assert remaining == {old_saved.public_id, recent.public_id, pro_old.public_id}
    assert not any(old_unsaved.public_id in f for f in stored_files(local_storage))
    alice.workspace.refresh_from_db()
    assert alice.workspace.storage_used_bytes == old_saved.size_bytes + recent.size_bytes


def test_a_tier_without_retention_keeps_everything(alice, png, settings):
    settings.GALLERY_RETENTION_DAYS = {}
    make(alice, png, age_days=1000)
    assert services.assets_apply_retention() == 0


def test_the_recount_fixes_drift(alice, png):
    asset = make(alice, png)
    Workspace.objects.filter(pk=alice.workspace.pk).update(storage_used_bytes=12345678)
    result = tasks.storage_recount()
    assert result["workspaces_fixed"] >= 1
    alice.workspace.refresh_from_db()
    assert alice.workspace.storage_used_bytes == asset.size_bytes


def test_stale_uploads_are_abandoned_and_their_space_returned(alice, settings, local_storage):
    settings.GALLERY_STALE_UPLOAD_S = 60
    upload = direct_uploads.upload_direct_start(
        workspace=alice.workspace, owner=alice.user, filename="x.mp4", size_bytes=1000
    )
    Asset.objects.filter(pk=upload.asset.pk).update(
        created_at=timezone.now() - timedelta(hours=3),
        upload_expires_at=timezone.now() - timedelta(hours=2),
    )
    fresh = direct_uploads.upload_direct_start(
        workspace=alice.workspace, owner=alice.user, filename="y.mp4", size_bytes=10
    )
    assert tasks.storage_recount()["abandoned_uploads"] == 1
    assert list(Asset.objects.values_list("pk", flat=True)) == [fresh.asset.pk]
    assert Asset.objects.get().status == AssetStatus.UPLOADING
    alice.workspace.refresh_from_db()
    assert alice.workspace.storage_used_bytes == 10


def test_job_results_go_through_the_same_reservation(alice, mp4, settings):
    """The job pipeline's entry point: unsaved, with prompt/model/job id, quota-checked."""
    Tier.objects.filter(name="free").update(storage_quota_bytes=mp4.stat().st_size)
    asset = services.asset_create_from_file(
        workspace=alice.workspace,
        path=mp4,
        kind="video",
        saved=False,
        prompt="a cat surfing",
        model="local/text-to-video",
        source_job_id="job_abc",
        enforce_file_limit=False,
    )
    assert (asset.status, asset.prompt, asset.source_job_id) == (
        "ready",
        "a cat surfing",
        "job_abc",
    )
    assert mp4.exists()  # not moved unless asked
    import pytest

    from apps.core.errors import ApplicationError

    with pytest.raises(ApplicationError) as exc:
        services.asset_create_from_file(workspace=alice.workspace, path=mp4)
    assert exc.value.code == "STORAGE_FULL"
    with pytest.raises(ApplicationError) as exc:
        services.asset_create_from_file(workspace=alice.workspace, path=mp4, kind="image")
    assert exc.value.code == "UNSUPPORTED_FORMAT"

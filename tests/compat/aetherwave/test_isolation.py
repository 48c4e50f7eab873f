"""Another tenant's task ids and media URLs are AetherWave's 404 (our envelope, the same
answer as for a missing one); nothing of theirs is read, listed, saved or fetched."""

import pytest

from apps.catalog.services import model_override_set
from apps.gallery import storage
from apps.gallery.models import Asset
from apps.gallery.services import asset_create_from_file
from apps.jobs.models import Job
from tests.compat.aetherwave.conftest import BASE, fund

pytestmark = pytest.mark.django_db

LOCAL_T2V = {"prompt": "A lighthouse", "model": "local/text-to-video", "duration": 1}


@pytest.fixture
def alices_task(aw, alice, not_eager) -> str:
    model_override_set(model_id="local/text-to-video", price_credits=3)
    fund(alice.workspace, 50)
    response = aw.post(f"{BASE}/api/generate-video", LOCAL_T2V, format="json")
    assert response.status_code == 202, response.json()
    return response.json()["taskId"]


@pytest.fixture
def alices_video(alice, media_storage, mp4) -> Asset:
    return asset_create_from_file(workspace=alice.workspace, owner=alice.user, path=mp4)


@pytest.fixture
def alices_image(alice, media_storage, png) -> Asset:
    return asset_create_from_file(workspace=alice.workspace, owner=alice.user, path=png)


def assert_not_found(response, missing) -> None:
    assert response.status_code == missing.status_code == 404
    assert response.json()["error"]["code"] == missing.json()["error"]["code"] == "NOT_FOUND"
    assert response.json()["error"]["message"] == missing.json()["error"]["message"]


@pytest.mark.isolation("aetherwave-generate-video-status")
def test_another_tenants_task_status_is_404(aw, aw_charlie, alices_task):
    assert aw.get(f"{BASE}/api/generate-video/status/{alices_task}").status_code == 200
    assert_not_found(
        aw_charlie.get(f"{BASE}/api/generate-video/status/{alices_task}"),
        aw_charlie.get(f"{BASE}/api/generate-video/status/job_missing0000"),
    )


@pytest.mark.isolation("aetherwave-video-progress")
def test_another_tenants_job_progress_is_404(aw, aw_charlie, alices_task):
    mine = aw.get(f"{BASE}/api/video/progress/{alices_task}")
    assert mine.status_code == 200 and mine.json()["jobId"] == alices_task
    assert_not_found(
        aw_charlie.get(f"{BASE}/api/video/progress/{alices_task}"),
        aw_charlie.get(f"{BASE}/api/video/progress/job_missing0000"),
    )


@pytest.mark.isolation("aetherwave-save-to-gallery")
def test_another_tenants_media_url_cannot_be_saved_to_a_gallery(aw, aw_charlie, alices_video):
    url = storage.asset_url(alices_video)
    response = aw_charlie.post(f"{BASE}/api/save-to-gallery", {"mediaUrl": url}, format="json")
    assert response.status_code == 404, response.json()
    assert response.json()["error"]["code"] == "NOT_FOUND"
    assert Asset.objects.filter(saved=True).count() == 0
    # The owner saves the same link: it names their asset, which is kept (not copied).
    mine = aw.post(
        f"{BASE}/api/save-to-gallery",
        {"mediaUrl": url, "title": "Mine", "visibility": "unlisted"},
        format="json",
    )
    assert mine.status_code == 201, mine.json()
    assert mine.json()["id"] == alices_video.public_id
    alices_video.refresh_from_db()
    assert (alices_video.saved, alices_video.title, alices_video.visibility) == (
        True,
        "Mine",
        "unlisted",
    )
    assert Asset.objects.count() == 1
    # Saving it again without a visibility keeps the one it has.
    again = aw.post(f"{BASE}/api/save-to-gallery", {"mediaUrl": url}, format="json")
    assert again.status_code == 201 and again.json()["visibility"] == "unlisted"
    assert again.json()["title"] == "Mine"


@pytest.mark.isolation("aetherwave-generate-video")
def test_another_tenants_media_url_as_image_url_is_404_and_nothing_is_created(
    aw_charlie, charlie, alices_image
):
    body = {
        "prompt": "Animate",
        "model": "local/image-to-video",
        "imageUrl": storage.asset_url(alices_image),
    }
    response = aw_charlie.post(f"{BASE}/api/generate-video", body, format="json")
    assert response.status_code == 404, response.json()
    assert not Job.objects.filter(workspace=charlie.workspace).exists()


@pytest.mark.isolation("aetherwave-remove-background")
def test_another_tenants_video_url_for_background_removal_is_404(aw_charlie, charlie, alices_video):
    body = {"videoUrl": storage.asset_url(alices_video)}
    response = aw_charlie.post(f"{BASE}/api/video/remove-background", body, format="json")
    assert response.status_code == 404, response.json()
    assert not Job.objects.filter(workspace=charlie.workspace).exists()


@pytest.mark.isolation("aetherwave-video-pricing")
def test_pricing_is_the_same_for_every_tenant_and_shows_none_of_their_data(
    aw, aw_charlie, alices_task
):
    alices = aw.get(f"{BASE}/api/video/pricing")
    charlies = aw_charlie.get(f"{BASE}/api/video/pricing")
    assert alices.status_code == charlies.status_code == 200
    assert alices.json() == charlies.json()
    assert alices_task not in alices.content.decode()

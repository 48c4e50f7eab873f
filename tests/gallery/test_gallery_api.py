from pathlib import Path

import pytest

from apps.gallery.models import Asset, AssetReport, ModerationState
from tests.gallery.conftest import MB, stored_files
from tests.httpserver import serve

GALLERY = "/api/v1/gallery"


def uploaded(api, path: Path, **extra) -> dict:
    with path.open("rb") as fh:
        response = api.post("/api/v1/uploads", {"file": fh, **extra}, format="multipart")
    assert response.status_code == 201, response.json()
    return response.json()


@pytest.fixture
def alice_assets(alice, mp4, png, wav):
    video = uploaded(alice.api, mp4, title="Sunset drive")
    image = uploaded(alice.api, png, title="Poster")
    audio = uploaded(alice.api, wav)
    return video, image, audio


@pytest.mark.isolation("api:gallery")
def test_the_list_shows_the_workspace_assets_newest_first_and_filters(
    alice, bob_api, charlie_api, alice_assets
):
    video, image, audio = alice_assets
    ids = [a["id"] for a in bob_api.get(GALLERY).json()["results"]]
    assert ids == [audio["id"], image["id"], video["id"]]
    assert [a["id"] for a in bob_api.get(GALLERY, {"kind": "image"}).json()["results"]] == [
        image["id"]
    ]
    assert [a["id"] for a in bob_api.get(GALLERY, {"q": "sunset"}).json()["results"]] == [
        video["id"]
    ]
    alice.api.patch(
        f"{GALLERY}/{image['id']}", {"favorite": True, "visibility": "unlisted"}, format="json"
    )
    assert [a["id"] for a in bob_api.get(GALLERY, {"favorite": "true"}).json()["results"]] == [
        image["id"]
    ]
    assert [
        a["id"] for a in bob_api.get(GALLERY, {"visibility": "unlisted"}).json()["results"]
    ] == [image["id"]]
    assert bob_api.get(GALLERY, {"kind": "gif"}).status_code == 400
    # Cursor pagination.
    first = bob_api.get(GALLERY, {"limit": 2}).json()
    assert len(first["results"]) == 2 and first["next"]
    rest = bob_api.get(first["next"]).json()
    assert [a["id"] for a in rest["results"]] == [video["id"]]
    # Another tenant sees none of it.
    assert charlie_api.get(GALLERY).json()["results"] == []
    assert charlie_api.get(GALLERY, {"q": "sunset"}).json()["results"] == []


@pytest.mark.isolation("api:gallery-detail")
def test_detail_patch_and_delete_are_404_for_another_tenant(alice, charlie_api, alice_assets):
    video = alice_assets[0]
    url = f"{GALLERY}/{video['id']}"
    assert alice.api.get(url).json()["id"] == video["id"]
    for response in (
        charlie_api.get(url),
        charlie_api.patch(url, {"title": "mine"}, format="json"),
        charlie_api.delete(url),
        charlie_api.get(f"{GALLERY}/ast_doesnotexist000000"),
    ):
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "NOT_FOUND"
    assert Asset.objects.get(public_id=video["id"]).title == "Sunset drive"


def test_patch_changes_title_visibility_tags_and_favorite(alice_api, alice_assets):
    video = alice_assets[0]
    assert alice_api.post(GALLERY, {"asset": video["id"]}, format="json").status_code == 201
    response = alice_api.patch(
        f"{GALLERY}/{video['id']}",
        {
            "title": "New",
            "visibility": "public",
            "tags": [" Cats ", "cats", "Dogs"],
            "favorite": True,
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["title"], body["visibility"], body["tags"], body["favorite"]) == (
        "New",
        "public",
        ["cats", "dogs"],
        True,
    )
    bad = alice_api.patch(f"{GALLERY}/{video['id']}", {"visibility": "everyone"}, format="json")
    assert bad.status_code == 400


@pytest.mark.parametrize(
    "body",
    [
        {"titel": "typo"},
        {"title": "New", "colour": "red", "kind": "image"},
        {"id": "ast_other", "favorite": True},
    ],
)
def test_patch_refuses_unknown_fields_by_name_and_keeps_nothing(alice_api, alice_assets, body):
    video = alice_assets[0]
    response = alice_api.patch(f"{GALLERY}/{video['id']}", body, format="json")
    assert response.status_code == 400, response.json()
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    unknown = sorted(k for k in body if k not in ("title", "favorite"))
    assert sorted(error["details"]["fields"]) == unknown
    for name in unknown:
        assert name in error["message"]
    assert "favorite" in error["message"]  # the allowed fields are listed
    after = Asset.objects.get(public_id=video["id"])
    assert (after.title, after.favorite) == ("Sunset drive", False)


def test_delete_removes_the_files_and_gives_the_space_back(
    alice, alice_assets, local_storage, django_capture_on_commit_callbacks
):
    video = alice_assets[0]
    alice.workspace.refresh_from_db()
    before = alice.workspace.storage_used_bytes
    with django_capture_on_commit_callbacks(execute=True):
        assert alice.api.delete(f"{GALLERY}/{video['id']}").status_code == 204
    alice.workspace.refresh_from_db()
    assert alice.workspace.storage_used_bytes == before - video["size_bytes"]
    assert not any(video["id"] in f for f in stored_files(local_storage))
    assert alice.api.get(f"{GALLERY}/{video['id']}").status_code == 404


def test_saving_an_upload_marks_it_saved(alice_api, alice_assets):
    video = alice_assets[0]
    assert video["saved"] is False and video["expires_at"]
    response = alice_api.post(GALLERY, {"asset": video["id"], "tags": ["keep"]}, format="json")
    assert response.status_code == 201
    assert response.json()["saved"] is True
    assert response.json()["expires_at"] is None
    assert response.json()["tags"] == ["keep"]


def test_saving_another_tenants_upload_is_404(charlie_api, alice_assets):
    response = charlie_api.post(GALLERY, {"asset": alice_assets[0]["id"]}, format="json")
    assert response.status_code == 404
    assert Asset.objects.get(public_id=alice_assets[0]["id"]).saved is False


def test_save_needs_exactly_one_source(alice_api):
    assert alice_api.post(GALLERY, {}, format="json").status_code == 400
    both = alice_api.post(GALLERY, {"asset": "ast_x", "url": "http://x.test/a"}, format="json")
    assert both.status_code == 400


def _media_route(data: bytes, content_type: str = "video/mp4"):
    def handler(req):
        req.send_response(200)
        req.send_header("Content-Type", content_type)
        req.send_header("Content-Length", str(len(data)))
        req.end_headers()
        req.wfile.write(data)

    return handler


def test_saving_a_media_url_fetches_probes_and_keeps_it(alice, settings, mp4, local_storage):
    with serve({"GET /clips/My%20Clip.mp4": _media_route(mp4.read_bytes())}) as base:
        settings.OUTBOUND_ALLOWED_NETLOCS = [base.removeprefix("http://")]
        response = alice.api.post(
            GALLERY, {"url": f"{base}/clips/My%20Clip.mp4", "title": "From URL"}, format="json"
        )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["kind"], body["saved"], body["title"], body["original_name"]) == (
        "video",
        True,
        "From URL",
        "My Clip.mp4",  # the name keeps its spelling (the storage key is ASCII)
    )
    alice.workspace.refresh_from_db()
    assert alice.workspace.storage_used_bytes == mp4.stat().st_size


def test_a_media_url_over_the_tier_limit_is_refused(alice, settings, local_storage):
    from apps.accounts.models import Tier

    Tier.objects.filter(name="free").update(max_upload_bytes=MB)
    with serve({"GET /big.mp4": _media_route(b"\0" * (2 * MB))}) as base:
        settings.OUTBOUND_ALLOWED_NETLOCS = [base.removeprefix("http://")]
        response = alice.api.post(GALLERY, {"url": f"{base}/big.mp4"}, format="json")
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "FILE_TOO_LARGE"
    assert stored_files(local_storage) == []


def test_a_private_network_url_is_refused(alice_api):
    response = alice_api.post(GALLERY, {"url": "http://127.0.0.1:9/x.mp4"}, format="json")
    assert response.status_code == 400


@pytest.mark.isolation("api:gallery-public")
def test_the_public_feed_shows_only_public_moderated_assets(alice, charlie, anon_api, mp4, png):
    shown = uploaded(alice.api, mp4)
    pending = uploaded(alice.api, png)
    unlisted = uploaded(alice.api, png)
    private = uploaded(alice.api, png)
    rejected = uploaded(charlie.api, png)
    for asset, visibility, state in (
        (shown, "public", ModerationState.APPROVED),
        (pending, "public", ModerationState.PENDING),
        (unlisted, "unlisted", ModerationState.APPROVED),
        (private, "private", ModerationState.APPROVED),
        (rejected, "public", ModerationState.REJECTED),
    ):
        Asset.objects.filter(public_id=asset["id"]).update(
            visibility=visibility, moderation_state=state, saved=True
        )
    newer = uploaded(charlie.api, png)
    Asset.objects.filter(public_id=newer["id"]).update(
        visibility="public", moderation_state=ModerationState.APPROVED, saved=True
    )
    # Published around the service before the public-once-saved rule: never in the feed.
    unsaved = uploaded(charlie.api, png)
    Asset.objects.filter(public_id=unsaved["id"]).update(
        visibility="public", moderation_state=ModerationState.APPROVED
    )
    for client in (anon_api, charlie.api, alice.api):
        response = client.get(f"{GALLERY}/public")
        assert response.status_code == 200
        items = response.json()["results"]
        assert [i["id"] for i in items] == [newer["id"], shown["id"]]
        assert "prompt" not in items[0] and "workspace" not in items[0]
        assert items[1]["url"].startswith("http://testserver/media-signed/")


@pytest.mark.isolation("api:gallery-report")
def test_reports_reach_public_and_unlisted_assets_but_never_private_ones(alice, charlie, png):
    public = uploaded(alice.api, png)
    unlisted = uploaded(alice.api, png)
    private = uploaded(alice.api, png)
    Asset.objects.filter(public_id=public["id"]).update(visibility="public")
    Asset.objects.filter(public_id=unlisted["id"]).update(visibility="unlisted")
    for asset in (public, unlisted):
        response = charlie.api.post(
            f"{GALLERY}/{asset['id']}/report", {"reason": "not ok"}, format="json"
        )
        assert response.status_code == 201, response.json()
        assert response.json()["id"].startswith("rpt_")
    response = charlie.api.post(
        f"{GALLERY}/{private['id']}/report", {"reason": "peek"}, format="json"
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOT_FOUND"
    # A repeat is the same report; an empty reason is invalid.
    again = charlie.api.post(f"{GALLERY}/{public['id']}/report", {"reason": "x"}, format="json")
    assert again.status_code == 201
    assert AssetReport.objects.filter(reporter=charlie.user).count() == 2
    assert (
        charlie.api.post(f"{GALLERY}/{public['id']}/report", {"reason": ""}, format="json")
    ).status_code == 400
    report = AssetReport.objects.get(asset__public_id=unlisted["id"])
    assert (report.workspace, report.reason, report.state) == (charlie.workspace, "not ok", "open")

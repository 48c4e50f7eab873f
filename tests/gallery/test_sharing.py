"""Public once saved, the public feed page and the share page (anonymous, Open Graph, the
workspace name only once screened), reports from the share page, and the gallery views."""

import re
from html import unescape

import pytest
from django.test import Client

from apps.accounts.models import Workspace
from apps.core.errors import ValidationError
from apps.gallery import hooks, services
from apps.gallery.models import Asset, AssetReport, ModerationState
from apps.gallery.selectors import GalleryView, assets_list, assets_public

GALLERY = "/api/v1/gallery"


def logged_in(actor) -> Client:
    client = Client()
    client.force_login(actor.user)
    return client


def og(html: str) -> dict[str, str]:
    return {
        k: unescape(v)
        for k, v in re.findall(r'<meta property="(og:[a-z:_]+)" content="([^"]*)"', html)
    }


def make(actor, path, **kwargs) -> Asset:
    return services.asset_create_from_file(
        workspace=actor.workspace, owner=actor.user, path=path, **kwargs
    )


def published(actor, path, title="Harbour at dawn", **kwargs) -> Asset:
    """A saved public asset that screening approved (a clean title)."""
    asset = make(actor, path, title=title, saved=True, **kwargs)
    services.asset_update(asset=asset, visibility="public")
    asset.refresh_from_db()
    assert asset.moderation_state == ModerationState.APPROVED
    return asset


# --- an asset can only go public once saved ---------------------------------------------


def test_an_unsaved_asset_cannot_go_public_through_the_api(alice, png):
    asset = make(alice, png)
    url = f"{GALLERY}/{asset.public_id}"
    refused = alice.api.patch(url, {"visibility": "public", "title": "x"}, format="json")
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert error["message"].startswith("Save this asset to the gallery before making it public")
    assert error["details"]["fields"]["visibility"] == [error["message"]]
    asset.refresh_from_db()
    assert (asset.visibility, asset.title) == ("private", "")  # nothing of the edit is kept
    # Unlisted stays possible (a private link, not the feed); saved, it may go public.
    assert alice.api.patch(url, {"visibility": "unlisted"}, format="json").status_code == 200
    saved = alice.api.post(
        GALLERY, {"asset": asset.public_id, "visibility": "public"}, format="json"
    )
    assert saved.status_code == 201, saved.json()
    assert (saved.json()["visibility"], saved.json()["saved"]) == ("public", True)


def test_an_unsaved_asset_cannot_be_created_public(alice, png, local_storage):
    with pytest.raises(ValidationError) as refused:
        make(alice, png, visibility="public")
    assert "Save this asset" in refused.value.message
    alice.workspace.refresh_from_db()
    assert not Asset.objects.exists() and alice.workspace.storage_used_bytes == 0
    assert make(alice, png, visibility="public", saved=True).visibility == "public"


def test_the_page_says_why_an_unsaved_asset_cannot_go_public(alice, png):
    asset = make(alice, png)
    page = logged_in(alice).post(
        f"/gallery/{asset.public_id}/visibility/",
        {"visibility": "public", "next": f"/gallery/{asset.public_id}/"},
        follow=True,
    )
    assert page.status_code == 200
    assert "Save this asset to the gallery before making it public" in page.content.decode()
    asset.refresh_from_db()
    assert asset.visibility == "private"


def test_an_asset_published_around_the_rule_stays_out_of_the_feed(alice, png):
    asset = make(alice, png)
    Asset.objects.filter(pk=asset.pk).update(visibility="public", moderation_state="approved")
    assert not assets_public().exists()
    assert Client().get(f"/gallery/public/{asset.public_id}/").status_code == 404


# --- saving and titles from the pages ---------------------------------------------------


def test_save_and_title_from_the_asset_page(alice, png):
    asset = make(alice, png)
    client = logged_in(alice)
    detail = client.get(f"/gallery/{asset.public_id}/").content.decode()
    assert "Save to gallery" in detail and "Save title" in detail
    client.post(f"/gallery/{asset.public_id}/save/", {"next": f"/gallery/{asset.public_id}/"})
    client.post(f"/gallery/{asset.public_id}/title/", {"title": "  A   much better\ttitle "})
    asset.refresh_from_db()
    assert (asset.saved, asset.title) == (True, "A much better title")
    assert "Save to gallery" not in client.get(f"/gallery/{asset.public_id}/").content.decode()


def test_a_retitled_public_asset_is_screened_again(alice, png):
    asset = published(alice, png)
    logged_in(alice).post(f"/gallery/{asset.public_id}/title/", {"title": "g0re scene"})
    asset.refresh_from_db()
    assert (asset.title, asset.moderation_state) == ("g0re scene", "pending")
    assert Client().get(f"/gallery/public/{asset.public_id}/").status_code == 404


def test_charlie_gets_404_on_the_new_asset_actions(alice, charlie, png):
    asset = make(alice, png)
    client = logged_in(charlie)
    for action in ("title/", "save/"):
        assert (
            client.post(f"/gallery/{asset.public_id}/{action}", {"title": "mine"}).status_code
            == 404
        )
    asset.refresh_from_db()
    assert (asset.saved, asset.title) == (False, "")


# --- the gallery's views ----------------------------------------------------------------


@pytest.fixture
def kinds_of_assets(alice, png, mp4):
    """A job's result, a job's input, an upload and a saved upload."""
    return {
        "result": make(alice, mp4, title="Clip result", source_job_id="job_1", model="local/t2v"),
        "input": make(alice, png, title="Clip input of job_1", source_job_id="job_1"),
        "upload": make(alice, png, title="Clip upload"),
        "saved": make(alice, png, title="Clip kept", saved=True),
    }


def test_the_views_separate_results_uploads_and_saved(alice, kinds_of_assets):
    a = kinds_of_assets

    def titles(view):
        return {x.title for x in assets_list(workspace=alice.workspace, view=view)}

    assert titles(GalleryView.RESULTS) == {"Clip result"}  # inputs no longer crowd results
    assert titles(GalleryView.UPLOADS) == {"Clip upload", "Clip kept"}
    assert titles(GalleryView.SAVED) == {"Clip kept"}
    assert titles(GalleryView.ALL) == {x.title for x in a.values()}
    client = logged_in(alice)
    default = client.get("/gallery/").content.decode()
    assert 'aria-current="page">Results</a>' in default
    assert "Clip result" in default
    assert "Clip upload" not in default and "Clip input" not in default
    every = client.get("/gallery/?view=all").content.decode()
    assert all(x.title in every for x in a.values())
    unknown = client.get("/gallery/?view=nonsense").content.decode()
    assert "Clip result" in unknown and "Clip upload" not in unknown  # unknown view: Results


def test_reuse_prompt_and_remix_open_the_studio_prefilled(alice, png, mp4):
    result = make(alice, mp4, prompt="A fox runs & jumps", model="local/t2v", source_job_id="job_1")
    still = make(alice, png)
    html = unescape(logged_in(alice).get(f"/gallery/{result.public_id}/").content.decode())
    assert "/studio/?prompt=A+fox+runs+%26+jumps&model=local%2Ft2v" in html
    assert f"/studio/?tab=extend-video&source={result.public_id}&prompt=A+fox" in html
    html = unescape(logged_in(alice).get(f"/gallery/{still.public_id}/").content.decode())
    assert f"/studio/?tab=image-to-video&source={still.public_id}" in html
    assert "Reuse prompt" not in html  # an upload has no prompt to reuse


# --- the public feed page and the share page ---------------------------------------------


def test_the_public_feed_is_a_page_anyone_can_open(alice, charlie, png):
    shown = published(alice, png, title="Harbour at dawn")
    hidden = make(alice, png, title="Private sketch", saved=True)
    page = Client().get("/gallery/public/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Harbour at dawn" in html and f"/gallery/public/{shown.public_id}/" in html
    assert "Private sketch" not in html and hidden.public_id not in html
    assert alice.workspace.name not in html  # the feed shows no workspace names


def test_the_share_page_opens_for_anonymous_visitors_with_open_graph_tags(alice, mp4, settings):
    asset = published(alice, mp4, title='Harbour "at" dawn')
    page = Client().get(f"/gallery/public/{asset.public_id}/")
    assert page.status_code == 200
    html = page.content.decode()
    tags = og(html)
    share_url = f"{settings.PUBLIC_BASE_URL}/gallery/public/{asset.public_id}/"
    assert tags["og:title"] == 'Harbour "at" dawn'
    assert tags["og:type"] == "video.other"
    assert tags["og:url"] == share_url
    assert tags["og:video"].startswith(settings.PUBLIC_BASE_URL + "/media-signed/")
    assert tags["og:video:type"] == "video/mp4"
    assert tags["og:image"].startswith(settings.PUBLIC_BASE_URL + "/media-signed/")
    assert 'data-testid="player"' in html and "<video" in html
    assert f"by <strong>{alice.workspace.name}</strong>" in unescape(html)
    assert ">Report</a>" in html and "/login/?next=" in html
    # Link-preview bots may ask with HEAD first.
    assert Client().head(f"/gallery/public/{asset.public_id}/").status_code == 200
    # The signed media URLs work for an anonymous visitor.
    assert Client().get(tags["og:video"].removeprefix(settings.PUBLIC_BASE_URL)).status_code == 200


@pytest.mark.parametrize(
    "change",
    [
        {"visibility": "private"},
        {"visibility": "unlisted"},
        {"moderation_state": "pending"},
        {"moderation_state": "rejected"},
        {"saved": False},
    ],
)
def test_the_share_page_is_404_unless_public_approved_and_saved(alice, png, change):
    asset = published(alice, png)
    Asset.objects.filter(pk=asset.pk).update(**change)
    for client in (Client(), logged_in(alice)):
        response = client.get(f"/gallery/public/{asset.public_id}/")
        assert response.status_code == 404
        assert "Harbour at dawn" not in response.content.decode()
    assert Client().get("/gallery/public/ast_doesnotexist000000/").status_code == 404


def test_the_workspace_name_is_shown_only_once_it_passes_screening(alice, png):
    asset = published(alice, png)
    Workspace.objects.filter(pk=alice.workspace.pk).update(name="g0re studio")
    html = Client().get(f"/gallery/public/{asset.public_id}/").content.decode()
    assert "g0re studio" not in html and "by a Reelsmith creator" in html
    Workspace.objects.filter(pk=alice.workspace.pk).update(name="Harbour Films")
    html = Client().get(f"/gallery/public/{asset.public_id}/").content.decode()
    assert "by <strong>Harbour Films</strong>" in html


def test_without_a_screener_no_workspace_name_is_public(alice, png):
    asset = published(alice, png)
    hooks.name_screener_register(None)
    try:
        html = Client().get(f"/gallery/public/{asset.public_id}/").content.decode()
    finally:
        from apps.moderation.receivers import public_name_is_clean

        hooks.name_screener_register(public_name_is_clean)
    assert alice.workspace.name not in html and "by a Reelsmith creator" in html


def test_reporting_from_the_share_page(alice, charlie, png):
    asset = published(alice, png)
    url = f"/gallery/public/{asset.public_id}/report/"
    anonymous = Client().post(url, {"reason": "spam"})
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/login/?next=")
    assert not AssetReport.objects.exists()
    client = logged_in(charlie)
    page = client.post(url, {"reason": "This is spam"}, follow=True)
    assert "The moderators will look at it" in page.content.decode()
    report = AssetReport.objects.get()
    assert (report.workspace, report.reporter, report.reason) == (
        charlie.workspace,
        charlie.user,
        "This is spam",
    )
    empty = client.post(url, {"reason": "  "}, follow=True)
    assert "Say why you are reporting" in empty.content.decode()
    private = make(alice, png, saved=True)
    assert (
        client.post(f"/gallery/public/{private.public_id}/report/", {"reason": "x"}).status_code
        == 404
    )

"""The gallery's views, title editing and saving, the public feed page and the share page
(opened by an anonymous browser, with its Open Graph tags) in headless Chromium, at 1366
and 390 px wide, with screenshots in var/screenshots/."""

import pytest
from playwright.sync_api import expect

from apps.gallery import services
from apps.gallery.models import Asset
from tests.gallery.screens import DESKTOP, MOBILE, no_horizontal_overflow, shoot
from tests.gallery.test_pages_in_browser import log_in

pytestmark = pytest.mark.django_db(transaction=True)

LONG_TITLE = "A-very-long-title-without-any-spaces-" * 4 + " and then some words after it"


@pytest.fixture
def served(live_server, settings):
    settings.PUBLIC_BASE_URL = live_server.url
    return live_server.url


def make(actor, path, **kwargs) -> Asset:
    return services.asset_create_from_file(
        workspace=actor.workspace, owner=actor.user, path=path, **kwargs
    )


@pytest.fixture
def gallery(alice, mp4, png):
    result = make(
        alice,
        mp4,
        title="Fox in the snow",
        prompt="A red fox runs through fresh snow at dawn",
        model="local/text-to-video",
        source_job_id="job_demo000000000000",
    )
    make(alice, png, title="Input (source) of job_demo", source_job_id="job_demo000000000000")
    upload = make(alice, png, title=LONG_TITLE)
    return {"result": result, "upload": upload}


def meta(page, prop: str) -> str | None:
    return page.locator(f'meta[property="{prop}"]').get_attribute("content")


def test_the_gallery_views_title_edit_and_save(served, page, alice, gallery):
    log_in(page, served, alice.user.email)
    page.get_by_role("link", name="Gallery").click()
    views = page.get_by_role("navigation", name="Gallery views")
    expect(views.get_by_role("link", name="Results")).to_have_attribute("aria-current", "page")
    expect(page.locator("article.asset")).to_have_count(1)  # the job's input is not a result
    expect(page.locator("article.asset")).to_contain_text("Fox in the snow")

    views.get_by_role("link", name="Uploads").click()
    expect(page.locator("article.asset")).to_have_count(1)
    views.get_by_role("link", name="All").click()
    expect(page.locator("article.asset")).to_have_count(3)
    views.get_by_role("link", name="Saved").click()
    expect(page.locator("article.asset")).to_have_count(0)

    # Save from the gallery card, then it is listed under Saved.
    views.get_by_role("link", name="Uploads").click()
    page.get_by_role("button", name=f"Save {LONG_TITLE}").click()
    expect(page.get_by_text("Saved to the gallery.")).to_be_visible()
    views.get_by_role("link", name="Saved").click()
    expect(page.locator("article.asset")).to_have_count(1)
    # A long title wraps inside its card.
    card = page.locator("article.asset").first
    assert card.evaluate("el => el.scrollWidth <= el.clientWidth")
    assert no_horizontal_overflow(page)

    # Title editing on the asset page.
    page.get_by_role("navigation", name="Gallery views").get_by_role("link", name="Results").click()
    page.locator("article.asset a.asset-title").first.click()
    page.get_by_label("Title").fill("Fox at first light")
    page.get_by_role("button", name="Save title").click()
    expect(page.get_by_text("Title saved.")).to_be_visible()
    expect(page.get_by_role("heading", name="Fox at first light")).to_be_visible()
    gallery["result"].refresh_from_db()
    assert gallery["result"].title == "Fox at first light"
    # "Reuse prompt" opens the Studio with the prompt and model in the query.
    reuse = page.get_by_role("link", name="Reuse prompt").get_attribute("href")
    assert reuse.startswith("/studio/?prompt=A+red+fox") and "model=local%2Ftext-to-video" in reuse


def test_the_gallery_at_1366_and_390_px(served, browser, alice, gallery):
    for viewport in (DESKTOP, MOBILE):
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
        page.set_default_timeout(15_000)
        try:
            log_in(page, served, alice.user.email)
            page.goto(f"{served}/gallery/?view=all")
            expect(page.locator("article.asset")).to_have_count(3)
            expect(page.locator("article.asset img").first).to_be_visible()
            assert no_horizontal_overflow(page), viewport
            for card in page.locator("article.asset").all():
                assert card.evaluate("el => el.scrollWidth <= el.clientWidth"), viewport
            shoot(page, "gallery")
        finally:
            context.close()


def test_an_unsaved_asset_says_why_it_cannot_go_public(served, page, alice, gallery):
    log_in(page, served, alice.user.email)
    page.goto(f"{served}/gallery/{gallery['upload'].public_id}/")
    page.get_by_label("Visibility").select_option("public")
    page.get_by_role("button", name="Save visibility").click()
    expect(
        page.get_by_text("Save this asset to the gallery before making it public")
    ).to_be_visible()
    page.get_by_role("button", name="Save to gallery").click()
    page.get_by_label("Visibility").select_option("public")
    page.get_by_role("button", name="Save visibility").click()
    expect(page.get_by_text("Visibility changed.")).to_be_visible()
    expect(page.get_by_test_id("share-link")).to_be_visible()


def test_an_anonymous_browser_opens_the_feed_and_the_share_page(served, browser, alice, gallery):
    asset = gallery["result"]
    services.asset_save(asset=asset)
    services.asset_update(asset=asset, visibility="public")
    asset.refresh_from_db()
    assert asset.moderation_state == "approved"
    share = f"{served}/gallery/public/{asset.public_id}/"

    for viewport in (DESKTOP, MOBILE):
        context = browser.new_context(viewport=viewport)  # no session: anonymous
        page = context.new_page()
        page.set_default_timeout(15_000)
        try:
            page.goto(f"{served}/gallery/public/")
            expect(page.get_by_role("heading", name="Public gallery")).to_be_visible()
            expect(page.locator("article.asset")).to_have_count(1)
            page.locator("article.asset a.asset-title").click()
            expect(page).to_have_url(share)
            expect(page.get_by_role("heading", name="Fox in the snow")).to_be_visible()
            expect(page.get_by_test_id("player")).to_be_visible()
            expect(page.get_by_test_id("author")).to_contain_text(alice.workspace.name)
            expect(page.get_by_role("link", name="Report")).to_be_visible()
            assert meta(page, "og:title") == "Fox in the snow"
            assert meta(page, "og:type") == "video.other"
            assert meta(page, "og:url") == share
            for prop in ("og:video", "og:image"):
                url = meta(page, prop)
                assert url.startswith(served + "/media-signed/"), prop
                fetched = page.request.get(url)
                assert fetched.status == 200, prop
            assert page.request.get(meta(page, "og:video")).headers["content-type"] == "video/mp4"
            assert no_horizontal_overflow(page), viewport
            shoot(page, "share")
            # Reporting asks an anonymous visitor to log in, then comes back.
            page.get_by_role("link", name="Report").click()
            expect(page).to_have_url(
                f"{served}/login/?next=/gallery/public/{asset.public_id}/%23report"
            )
        finally:
            context.close()


def test_a_private_asset_has_no_share_page(served, browser, gallery):
    context = browser.new_context()
    page = context.new_page()
    try:
        response = page.goto(f"{served}/gallery/public/{gallery['upload'].public_id}/")
        assert response.status == 404
        expect(page.get_by_role("heading", name="This page is not here")).to_be_visible()
    finally:
        context.close()

"""The upload widget in headless Chromium."""

import pytest
from playwright.sync_api import expect

from apps.accounts.models import Tier
from apps.gallery.models import Asset

pytestmark = pytest.mark.django_db(transaction=True)


def log_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("pw-for-tests-1")
    page.get_by_role("button", name="Log in").click()


def test_the_upload_widget_shows_progress_and_saves_to_the_gallery(
    live_server, page, alice, mp4, settings
):
    settings.PUBLIC_BASE_URL = live_server.url
    external: list[str] = []
    page.on(
        "request",
        lambda r: external.append(r.url) if not r.url.startswith(live_server.url) else None,
    )
    log_in(page, live_server.url, alice.user.email)
    page.get_by_role("link", name="Gallery").click()
    expect(page.locator("#upload-limit")).to_contain_text("100.0")
    page.locator("#upload-file").set_input_files(str(mp4))
    page.get_by_role("button", name="Upload").click()
    expect(page.locator("article.asset")).to_have_count(1)
    expect(page.locator("article.asset img")).to_be_visible()
    asset = Asset.objects.get()
    assert asset.saved and asset.kind == "video"
    assert external == []


def test_the_widget_refuses_a_file_over_the_limit_before_sending_it(live_server, page, alice, png):
    Tier.objects.filter(name="free").update(max_upload_bytes=100)
    posts: list[str] = []
    log_in(page, live_server.url, alice.user.email)
    page.goto(f"{live_server.url}/gallery/")
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    page.locator("#upload-file").set_input_files(str(png))
    expect(page.locator("#upload-status")).to_contain_text("larger than the limit")
    expect(page.get_by_role("button", name="Upload")).to_be_disabled()
    assert posts == []
    assert not Asset.objects.exists()

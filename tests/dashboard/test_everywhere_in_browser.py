"""In headless Chromium: the navigation at 390 px, confirm dialogs (dismiss sends nothing,
accept does it), creating an API key survives a reload (PRG), the 404 and 500 pages, the
favicon, and the storage bar's empty state."""

import pytest
from playwright.sync_api import expect

from apps.accounts.models import ApiKey, Membership
from tests.gallery.screens import DESKTOP, MOBILE, no_horizontal_overflow, shoot
from tests.gallery.test_pages_in_browser import log_in

pytestmark = pytest.mark.django_db(transaction=True)

NAV = [
    "Workspace", "Studio", "Gallery", "API keys", "Webhooks", "Members", "Models", "Billing",
    "API docs",
]  # fmt: skip


@pytest.fixture
def mobile(browser):
    context = browser.new_context(viewport=MOBILE)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_every_nav_link_is_reachable_and_visible_at_390_px(live_server, mobile, alice):
    page = mobile
    log_in(page, live_server.url, alice.user.email)
    nav = page.get_by_role("navigation", name="Main")
    menu = page.get_by_role("button", name="Menu")
    expect(menu).to_be_visible()
    expect(nav).to_be_hidden()  # folded behind the button until asked for
    assert no_horizontal_overflow(page)
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    for name in NAV:
        link = nav.get_by_role("link", name=name, exact=True)
        expect(link).to_be_visible()
        box = link.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390, (name, box)
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    assert no_horizontal_overflow(page)
    shoot(page, "nav-open")
    nav.get_by_role("link", name="Billing", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/billing/")
    menu = page.get_by_role("button", name="Menu")
    menu.click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="API docs").click()
    expect(page).to_have_url(f"{live_server.url}/api/docs/")


def test_at_1366_px_the_nav_is_one_row_without_a_menu_button(live_server, browser, alice):
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    try:
        log_in(page, live_server.url, alice.user.email)
        expect(page.get_by_role("button", name="Menu")).to_be_hidden()
        tops = {
            round(
                page.get_by_role("navigation", name="Main")
                .get_by_role("link", name=n, exact=True)
                .bounding_box()["y"]
            )
            for n in NAV
        }
        assert len(tops) == 1, tops
    finally:
        context.close()


def test_revoking_a_key_asks_first(live_server, page, alice):
    key = ApiKey.objects.get(workspace=alice.workspace)
    log_in(page, live_server.url, alice.user.email)
    page.goto(f"{live_server.url}/api-keys/")
    asked: list[str] = []

    def dismiss(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.get_by_role("button", name="Revoke").click()
    page.wait_for_timeout(300)
    assert asked and asked[0].startswith("Revoke the key")
    key.refresh_from_db()
    assert key.revoked_at is None
    expect(page.get_by_role("button", name="Revoke")).to_be_visible()

    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="Revoke").click()
    expect(page.get_by_text("Key revoked.")).to_be_visible()
    key.refresh_from_db()
    assert key.revoked_at is not None


def test_removing_a_member_asks_first(live_server, page, alice, bob):
    log_in(page, live_server.url, alice.user.email)
    page.goto(f"{live_server.url}/members/")
    row = page.get_by_role("row").filter(has_text=bob.user.email)
    asked: list[str] = []

    def dismiss(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    row.get_by_role("button", name="Remove").click()
    page.wait_for_timeout(300)
    assert asked == [f"Remove {bob.user.email} from this workspace?"]
    assert Membership.objects.filter(workspace=alice.workspace, user=bob.user).exists()

    page.once("dialog", lambda d: d.accept())
    row.get_by_role("button", name="Remove").click()
    expect(page.get_by_text("Member removed.")).to_be_visible()
    assert not Membership.objects.filter(workspace=alice.workspace, user=bob.user).exists()


def test_a_reload_after_creating_a_key_creates_no_second_key(live_server, page, alice):
    log_in(page, live_server.url, alice.user.email)
    page.goto(f"{live_server.url}/api-keys/")
    before = ApiKey.objects.filter(workspace=alice.workspace).count()
    page.get_by_label("Name").fill("laptop")
    page.get_by_role("button", name="Create key").click()
    secret = page.get_by_test_id("new-secret").inner_text().strip()
    assert secret.startswith("rsk_")
    expect(page).to_have_url(f"{live_server.url}/api-keys/")  # redirected: no secret in it
    page.reload()
    expect(page.get_by_role("heading", name="API keys")).to_be_visible()
    expect(page.get_by_test_id("new-secret")).to_have_count(0)  # shown once
    assert ApiKey.objects.filter(workspace=alice.workspace).count() == before + 1
    assert secret not in page.content()


def test_the_404_and_500_pages(live_server, page, alice, settings):
    response = page.goto(f"{live_server.url}/nothing/here/")
    assert response.status == 404
    expect(page.get_by_role("heading", name="This page is not here")).to_be_visible()
    expect(page.get_by_role("link", name="Log in")).to_have_count(2)
    log_in(page, live_server.url, alice.user.email)
    response = page.goto(f"{live_server.url}/gallery/ast_missing/")
    assert response.status == 404
    expect(page.get_by_role("link", name="Back to the dashboard")).to_be_visible()
    shoot(page, "404")

    settings.ROOT_URLCONF = "tests.dashboard.test_everywhere"  # adds /boom/, which raises
    response = page.goto(f"{live_server.url}/boom/")
    assert response.status == 500
    expect(page.get_by_role("heading", name="Something went wrong")).to_be_visible()
    assert "RuntimeError" not in page.content()
    shoot(page, "500")


def test_the_favicon_is_served(live_server, page):
    page.goto(f"{live_server.url}/login/")
    href = page.locator('link[rel="icon"]').get_attribute("href")
    icon = page.request.get(live_server.url + href)
    assert icon.status == 200
    assert icon.headers["content-type"].startswith("image/svg+xml")
    assert b"<svg" in icon.body()


def test_the_storage_bar_is_empty_at_zero_percent(live_server, page, alice):
    log_in(page, live_server.url, alice.user.email)
    bar = page.get_by_test_id("storage-bar")
    expect(bar).to_have_attribute("aria-valuenow", "0")
    fill = bar.locator("span").bounding_box()
    assert fill is None or fill["width"] == 0
    expect(page.get_by_test_id("credits")).to_contain_text("credits available")

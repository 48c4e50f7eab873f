"""The Studio in headless Chromium shows camera_motion, motion_strength and fps only for a
model that takes them, says how each reaches the model (its own field, its own prompt
syntax, or prompt guidance), and Seedance 1.5 Pro extend's audio toggle starts ticked at
the doubled price and drops to the lower one when unticked."""

import pytest
from playwright.sync_api import expect

from tests.dashboard.test_studio_form_in_browser import login, open_studio

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("studio_storage")]


@pytest.fixture
def studio(live_server, page, alice, settings):
    settings.PUBLIC_BASE_URL = live_server.url
    login(page, live_server.url, alice)
    open_studio(page, live_server.url)
    return page


def test_controls_follow_the_model_and_say_how_they_reach_it(studio):
    page = studio
    camera = page.locator('[data-field="camera_motion"]')
    # The local animatic: a frame rate, no camera.
    expect(page.locator("#f-fps")).to_be_visible()
    expect(camera).to_have_count(0)

    page.get_by_label("Model").select_option("veo3.1-fast")
    expect(camera).to_have_attribute("data-via", "prompt")
    expect(camera.locator(".hint")).to_contain_text("Prompt guidance")
    expect(page.locator("#f-fps")).to_have_count(0)
    expect(page.locator("#model-info")).to_contain_text("camera motion (prompt guidance)")

    page.get_by_label("Model").select_option("seedance-pro-t2v")
    expect(camera).to_have_attribute("data-via", "native+prompt")
    expect(camera.locator(".hint")).to_contain_text("camera_fixed")

    page.get_by_label("Model").select_option("lightricks/ltx-2-fast/text-to-video")
    fps = page.locator('[data-field="fps"]')
    expect(fps).to_have_attribute("data-via", "native")
    assert page.locator("#f-fps option").all_inner_texts() == ["Default", "25", "50"]

    page.get_by_label("Model").select_option("grok-imagine-t2v")
    expect(camera).to_have_count(0)
    expect(page.locator("#f-fps")).to_have_count(0)

    page.get_by_role("tab", name="Image to video").click()
    page.get_by_label("Model").select_option("hailuo-2.0-standard")
    expect(camera).to_have_attribute("data-via", "native")
    expect(camera.locator(".hint")).to_contain_text("prompt syntax")
    page.get_by_label("Model").select_option("local/image-to-video")
    expect(page.locator('[data-field="motion_strength"]')).to_have_attribute("data-via", "native")
    assert "pan_left" in page.locator("#f-camera_motion option").all_inner_texts()


def test_seedance_extend_audio_starts_on_and_unticking_it_halves_the_price(studio):
    page = studio
    page.get_by_role("tab", name="Extend video").click()
    page.get_by_label("Model").select_option("bytedance/seedance-v1.5-pro/video-extend")
    audio = page.locator("#f-with_audio")
    expect(audio).to_be_checked()
    expect(page.locator('[data-field="with_audio"] .hint')).to_contain_text("\u00d72 price")
    # 720p x 5 s at $0.026/s = 13 credits; with audio (the default) 26.
    expect(page.locator("#estimate-credits")).to_have_text("26")
    audio.uncheck()
    expect(page.locator("#estimate-credits")).to_have_text("13")
    audio.check()
    expect(page.locator("#estimate-credits")).to_have_text("26")

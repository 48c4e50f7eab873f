"""The Studio's form in headless Chromium: previews and drag-and-drop, the file kept when the
model changes, a wrong file kind named, fields that follow the model, the prompt counter,
estimates that follow the settings; screenshots at 1366 and 390 px to var/screenshots/."""

import base64
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from playwright.sync_api import expect

from apps.jobs.models import Job, JobStatus

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("studio_storage")]

SCREENSHOTS = Path(django_settings.BASE_DIR) / "var" / "screenshots"


def login(page, base: str, actor) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("Email").fill(actor.user.email)
    page.get_by_label("Password").fill("pw-for-tests-1")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/login/" not in url)


def open_studio(page, base: str, tab: str = "") -> None:
    page.goto(f"{base}/studio/" + (f"?tab={tab}" if tab else ""))
    expect(page.locator("#studio-form")).to_have_attribute("data-ready", "1")


@pytest.fixture
def studio(live_server, page, alice, settings):
    settings.PUBLIC_BASE_URL = live_server.url
    login(page, live_server.url, alice)
    open_studio(page, live_server.url)
    return page


def drop(page, role: str, path: Path, mime: str) -> None:
    """Drops a file on the role's drop zone, as a person dragging it from their desktop."""
    page.evaluate(
        """([role, name, mime, b64]) => {
            const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
            const dt = new DataTransfer();
            dt.items.add(new File([bytes], name, {type: mime}));
            const zone = document.querySelector(`[data-dropzone="${role}"]`);
            for (const type of ["dragenter", "dragover", "drop"]) {
                const init = {dataTransfer: dt, bubbles: true, cancelable: true};
                zone.dispatchEvent(new DragEvent(type, init));
            }
        }""",
        [role, path.name, mime, base64.b64encode(path.read_bytes()).decode()],
    )


def test_previews_of_the_chosen_image_video_and_audio_before_submit(studio, png, mp4, wav):
    page = studio
    page.get_by_role("tab", name="Image to video").click()
    page.locator("#f-image").set_input_files(str(png))
    image = page.get_by_test_id("preview-image").locator("img")
    expect(image).to_be_visible()
    page.wait_for_function("() => document.querySelector('.preview img').naturalWidth === 640")

    page.get_by_role("tab", name="Extend video").click()
    page.locator("#f-video").set_input_files(str(mp4))
    page.wait_for_function(
        "() => { const v = document.querySelector('[data-testid=preview-video] video');"
        " return v && v.readyState > 0 && Math.abs(v.duration - 2) < 0.2; }"
    )

    page.get_by_role("tab", name="Lip sync / avatar").click()
    # The still chosen on the image tab is already here: lip-sync takes an image too.
    expect(page.get_by_test_id("preview-image")).to_contain_text("still.png")
    page.locator("#f-audio").set_input_files(str(wav))
    page.wait_for_function(
        "() => { const a = document.querySelector('[data-testid=preview-audio] audio');"
        " return a && a.readyState > 0 && a.duration > 1; }"
    )
    assert not Job.objects.exists()  # all of it before anything was sent


def test_a_file_dropped_on_the_input_is_previewed_and_priced_and_sent(studio, png, alice):
    page = studio
    page.get_by_role("tab", name="Image to video").click()
    drop(page, "image", png, "image/png")
    expect(page.get_by_test_id("preview-image")).to_contain_text("still.png")
    expect(page.locator("#estimate-credits")).to_have_text("0")
    page.get_by_label("Duration (seconds)").fill("1")
    page.get_by_label("Resolution").select_option("480p")
    page.get_by_role("button", name="Generate").click()
    expect(page.locator("#job-status")).to_have_text("completed", timeout=30_000)
    job = Job.objects.get()
    assert "image" in job.inputs and job.status == JobStatus.COMPLETED


def test_the_file_is_kept_when_the_model_changes(studio, png, alice):
    page = studio
    page.get_by_role("tab", name="Image to video").click()
    page.locator("#f-image").set_input_files(str(png))
    expect(page.get_by_test_id("preview-image")).to_be_visible()
    page.get_by_label("Model").select_option("midjourney-i2v")
    expect(page.locator("#model-info")).to_contain_text("Midjourney")
    expect(page.get_by_test_id("preview-image")).to_contain_text("still.png")
    page.get_by_label("Model").select_option("local/image-to-video")
    expect(page.get_by_test_id("preview-image")).to_contain_text("still.png")
    page.get_by_label("Duration (seconds)").fill("1")
    page.get_by_label("Resolution").select_option("480p")
    page.get_by_role("button", name="Generate").click()
    expect(page.locator("#job-status")).to_have_text("completed", timeout=30_000)
    expect(page.locator('[data-error-for="image"]')).to_have_text("")
    job = Job.objects.get()
    assert job.status == JobStatus.COMPLETED and "image" in job.inputs


def test_a_file_of_the_wrong_kind_says_what_was_received_and_what_is_accepted(studio, mp4):
    page = studio
    page.get_by_role("tab", name="Image to video").click()
    drop(page, "image", mp4, "video/mp4")
    expect(page.locator('[data-error-for="image"]')).to_have_text(
        "Received MP4 video (clip.mp4). The image field takes JPEG, PNG or WebP images."
    )
    expect(page.get_by_test_id("preview-image")).to_have_count(0)


def test_fields_follow_the_model_from_the_catalogue(studio):
    page = studio
    # The local animatic: a free duration, a frame rate, no sound switch.
    expect(page.locator("#f-fps")).to_be_visible()
    expect(page.locator("#f-with_audio")).to_have_count(0)
    expect(page.locator("#f-seed")).to_have_count(0)
    # Veo 3 Fast: 8 s only, no frame rate, always with sound, a seed and a negative prompt.
    page.get_by_label("Model").select_option("veo3-fast")
    expect(page.locator("#f-fps")).to_have_count(0)
    expect(page.locator("#f-duration")).to_be_disabled()
    expect(page.locator("#f-duration")).to_have_value("8")
    expect(page.locator("#f-with_audio")).to_be_checked()
    expect(page.locator("#f-with_audio")).to_be_disabled()
    expect(page.locator("#f-seed")).to_be_visible()
    expect(page.locator("#f-negative_prompt")).to_be_visible()
    options = page.locator("#f-resolution option").all_inner_texts()
    assert options == ["720p", "1080p"]


def test_an_out_of_range_value_is_refused_before_anything_is_sent(studio):
    page = studio
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if "/generate" in r.url else None)
    page.get_by_label("Prompt").fill("A lighthouse in a storm")
    page.get_by_label("Duration (seconds)").fill("90")
    error = page.locator('[data-error-for="duration"]')
    expect(error).to_have_text("Duration (seconds) must be 1\u201360 for this model, not 90.")
    page.get_by_role("button", name="Generate").click()
    expect(page.locator("#form-error")).to_contain_text("nothing was sent")
    assert posts == [] and not Job.objects.exists()


def test_the_prompt_counter_shows_the_limit(studio):
    page = studio
    counter = page.locator("#prompt-counter")
    expect(counter).to_have_text("0 / 2000")
    page.get_by_label("Prompt").fill("A red fox at dawn")
    expect(counter).to_have_text("17 / 2000")
    page.get_by_label("Prompt").fill("x" * 2001)
    expect(counter).to_have_text("2001 / 2000")
    expect(counter).to_have_class("counter small muted over")
    expect(page.locator('[data-error-for="prompt"]')).to_contain_text("limit is 2000")
    # The prompt outlives a change of model too.
    page.get_by_label("Model").select_option("veo3-fast")
    expect(page.locator("#prompt-counter")).to_have_text("2001 / 2000")


def estimate_seconds(page) -> int:
    page.wait_for_timeout(50)
    expect(page.locator("#estimate")).not_to_have_class("estimate busy")
    return int(page.locator("#estimate-time").get_attribute("data-seconds"))


def test_the_time_estimate_follows_the_settings(studio):
    page = studio
    page.get_by_label("Duration (seconds)").fill("5")
    page.get_by_label("Resolution").select_option("480p")
    page.get_by_label("Frames per second").fill("30")
    expect(page.locator("#estimate")).to_contain_text("about")
    page.wait_for_timeout(600)
    small = estimate_seconds(page)
    page.get_by_label("Duration (seconds)").fill("60")
    page.get_by_label("Resolution").select_option("1080p")
    page.get_by_label("Frames per second").fill("60")
    expect(page.locator("#estimate-time")).not_to_have_attribute("data-seconds", str(small))
    page.wait_for_timeout(600)
    big = estimate_seconds(page)
    assert big > 30 * small, (small, big)  # not 16 s for both
    # A provider model's time moves inside its catalogue range as well.
    page.get_by_label("Model").select_option("seedance-lite-t2v")
    page.get_by_label("Duration (seconds)").fill("2")
    page.get_by_label("Resolution").select_option("480p")
    expect(page.locator("#estimate-time")).to_have_attribute("data-seconds", "30")
    page.get_by_label("Duration (seconds)").fill("12")
    page.get_by_label("Resolution").select_option("1080p")
    expect(page.locator("#estimate-time")).to_have_attribute("data-seconds", "180")


@pytest.mark.parametrize("width,height", [(1366, 900), (390, 844)])
def test_studio_screenshots_with_a_job_in_the_rail(
    live_server, browser, alice, settings, png, width, height
):
    settings.PUBLIC_BASE_URL = live_server.url
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        login(page, live_server.url, alice)
        open_studio(page, live_server.url, "image-to-video")
        page.locator("#f-image").set_input_files(str(png))
        page.get_by_label("Duration (seconds)").fill("1")
        page.get_by_label("Resolution").select_option("480p")
        page.get_by_label("Prompt (optional)").fill("A slow push-in on a sunset, 一只狐狸, שועל")
        page.get_by_role("button", name="Generate").click()
        expect(page.locator("#job-status")).to_have_text("completed", timeout=30_000)
        expect(page.locator("#jobs-rail .rail-item")).to_have_count(1)
        # Nothing in the Studio is wider than the screen (clipped text may be).
        box = page.evaluate(
            "() => { const l = document.querySelector('.studio-layout');"
            " return [l.getBoundingClientRect().right, l.scrollWidth, l.clientWidth]; }"
        )
        assert box[0] <= width and box[1] <= box[2], box
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(SCREENSHOTS / f"studio-{width}.png"), full_page=True)
    finally:
        context.close()

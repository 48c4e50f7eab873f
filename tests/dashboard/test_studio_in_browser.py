"""The Studio in headless Chromium against a live server, on the local engine."""

import sys
import threading
import time

import pytest
from django.db import connection
from playwright.sync_api import expect

from apps.jobs import pipeline
from apps.jobs.models import Job, JobStatus
from tests.media.test_matte import person_clip

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("studio_storage")]


@pytest.fixture
def studio(live_server, page, alice, settings):
    """alice logged in, on the Studio page; signed media URLs point at the live server."""
    settings.PUBLIC_BASE_URL = live_server.url
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Email").fill(alice.user.email)
    page.get_by_label("Password").fill("pw-for-tests-1")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Studio", exact=True).click()
    expect(page.get_by_role("heading", name="Studio")).to_be_visible()
    expect(page.locator("#studio-form")).to_have_attribute("data-ready", "1")
    return page


def video_loads(page) -> None:
    page.wait_for_function(
        "() => { const v = document.querySelector('#job-video');"
        " return v && v.src && v.readyState > 0 && v.duration > 0; }",
        timeout=15_000,
    )


def test_animate_an_image_from_upload_to_a_playable_video(studio, png, alice):
    page = studio
    page.get_by_role("tab", name="Image to video").click()
    expect(page.get_by_label("Model")).to_have_value("local/image-to-video")
    expect(page.locator("#model-info")).to_contain_text("Local Ken Burns")
    expect(page.locator("#model-info")).to_contain_text("available")
    expect(page.locator("#upload-note")).to_contain_text("100.0 MB")
    # Only the fields this model takes: no storyboard, no native-audio switch.
    expect(page.locator("#f-storyboard")).to_have_count(0)
    expect(page.locator("#f-with_audio")).to_have_count(0)
    expect(page.locator("#f-camera_motion")).to_be_visible()

    page.locator("#f-image").set_input_files(str(png))
    page.get_by_label("Duration (seconds)").fill("2")
    page.get_by_label("Resolution").select_option("480p")
    expect(page.locator("#estimate-credits")).to_have_text("0")
    # Not full_page here: after a full-page capture of a scrolled page headless Chromium
    # can report the button where it no longer is, and the click lands on the form.
    page.screenshot(path="/tmp/studio-form.png")

    page.get_by_role("button", name="Generate").click()
    expect(page.locator("#job-status")).to_have_text("completed", timeout=30_000)
    expect(page.locator("#job-progress")).to_have_attribute("value", "100")
    video_loads(page)
    job = Job.objects.get(workspace=alice.workspace)
    assert job.status == JobStatus.COMPLETED and job.method == "image-to-video"
    assert job.params["duration"] == 2 and "image" in job.inputs
    expect(page.locator("#jobs-rail")).to_contain_text(job.public_id)
    page.screenshot(path="/tmp/studio.png", full_page=True)

    page.get_by_role("button", name="Save to gallery").click()
    expect(page.locator("#job-save-status")).to_contain_text("Saved")
    job.result_asset.refresh_from_db()
    assert job.result_asset.saved

    page.get_by_role("link", name=job.public_id).first.click()
    expect(page.get_by_test_id("job-status")).to_have_text("Completed")
    expect(page.get_by_test_id("job-events")).to_contain_text("Accepted")
    page.wait_for_function(
        "() => { const v = document.querySelector('video'); return v && v.readyState > 0; }"
    )
    page.screenshot(path="/tmp/job-detail.png", full_page=True)


def test_a_validation_error_is_shown_next_to_its_field(studio, alice):
    page = studio
    page.get_by_label("Prompt").fill("A lighthouse in a storm")
    page.get_by_label("Duration (seconds)").fill("600")
    page.get_by_role("button", name="Generate").click()
    error = page.locator('[data-error-for="duration"]')
    expect(error).to_be_visible()
    expect(error).to_contain_text("600")
    expect(page.locator("#form-error")).to_be_visible()
    page.screenshot(path="/tmp/studio-error.png", full_page=True)
    assert not Job.objects.exists()


def test_a_file_over_the_tier_limit_is_refused_before_sending(studio, png, alice):
    alice.workspace.tier.__class__.objects.filter(pk=alice.workspace.tier_id).update(
        max_upload_bytes=100
    )
    page = studio
    page.reload()
    expect(page.locator("#studio-form")).to_have_attribute("data-ready", "1")
    page.get_by_role("tab", name="Image to video").click()
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if "/generate" in r.url else None)
    page.locator("#f-image").set_input_files(str(png))
    expect(page.locator('[data-error-for="image"]')).to_contain_text("larger than the limit")
    page.get_by_role("button", name="Generate").click()
    expect(page.locator('[data-error-for="image"]')).to_have_text("Local Ken Burns needs an image.")
    # Said once, next to its field; the banner only points at it.
    expect(page.locator("#form-error")).to_have_text("Please fix the marked field.")
    assert posts and not Job.objects.exists()  # the request went without the file


def test_cancel_from_the_studio(studio, alice, not_eager):
    page = studio
    page.get_by_label("Prompt").fill("A slow sunrise")
    page.get_by_role("button", name="Generate").click()
    expect(page.locator("#job-status")).to_have_text("queued")
    asked: list[str] = []

    def dismiss(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.get_by_role("button", name="Cancel").click()
    page.wait_for_timeout(300)
    assert asked == ["Cancel this job? Its held credits are released."]
    assert Job.objects.get().status == JobStatus.QUEUED  # dismissed: nothing sent
    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="Cancel").click()
    expect(page.locator("#job-status")).to_have_text("cancelled")
    expect(page.locator("#job-stage")).to_contain_text("Cancelled")
    assert Job.objects.get().status == JobStatus.CANCELLED
    expect(page.locator("#jobs-rail")).to_contain_text("Cancelled")


def test_the_progress_bar_moves_while_a_long_job_runs(studio, alice, not_eager):
    page = studio
    page.get_by_label("Prompt").fill("Twenty seconds of title cards")
    page.get_by_label("Duration (seconds)").fill("20")
    page.get_by_label("Resolution").select_option("720p")
    page.get_by_role("button", name="Generate").click()
    expect(page.locator("#job-status")).to_have_text("queued")
    job = Job.objects.get()

    def work() -> None:
        try:
            pipeline.job_start(job_id=job.pk)
        finally:
            connection.close()

    worker = threading.Thread(target=work)
    worker.start()
    seen: list[int] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        seen.append(int(page.locator("#job-progress").get_attribute("value") or 0))
        if page.locator("#job-status").inner_text() == "completed":
            break
        page.wait_for_timeout(250)
    worker.join(timeout=60)
    assert not worker.is_alive()
    moving = sorted({v for v in seen if 0 < v < 100})
    assert len(moving) >= 2, seen  # at least two distinct values on the way up
    assert seen == sorted(seen)  # never backwards
    expect(page.locator("#job-stage")).to_have_text("Completed")
    expect(page.locator("#job-progress")).to_have_attribute("value", "100")
    video_loads(page)


def test_the_process_tab_optimizes_an_uploaded_video(studio, mp4, alice):
    page = studio
    page.get_by_role("tab", name="Process").click()
    page.get_by_label("Operation").select_option("optimize")
    expect(page.get_by_label("Model")).to_have_value("local/optimize")
    expect(page.locator("#f-prompt")).to_have_count(0)  # optimize takes no prompt
    page.locator("#f-video").set_input_files(str(mp4))
    page.get_by_label("Compression").select_option("high")
    page.get_by_role("button", name="Process").click()
    expect(page.locator("#job-status")).to_have_text("completed", timeout=30_000)
    video_loads(page)
    job = Job.objects.get()
    assert (job.method, job.params["optimize_level"]) == ("optimize", "high")


@pytest.mark.skipif(sys.version_info >= (3, 13), reason="no mediapipe wheel")
@pytest.mark.parametrize("colour", ["", "#00ff00"])
def test_the_process_tab_removes_the_background(studio, alice, tmp_path, colour):
    """Empty colour: a WebM with alpha, which Chromium plays; a colour: an MP4 on it."""
    page = studio
    clip = person_clip(tmp_path / "person.mp4")
    page.get_by_role("tab", name="Process").click()
    page.get_by_label("Operation").select_option("remove-background")
    expect(page.get_by_label("Model")).to_have_value("local/remove-background")
    page.locator("#f-video").set_input_files(str(clip))
    page.get_by_label("Background colour").fill(colour)
    page.get_by_role("button", name="Process").click()
    expect(page.locator("#job-status")).to_have_text("completed", timeout=90_000)
    video_loads(page)
    job = Job.objects.get()
    assert job.method == "remove-background"
    assert job.params.get("background_color") == (colour or None)
    assert job.result_asset.container == ("mp4" if colour else "webm")

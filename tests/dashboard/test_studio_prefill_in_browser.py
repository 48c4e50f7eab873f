"""The gallery's "Reuse prompt" and "Remix" opening the Studio pre-filled, in headless
Chromium: the prompt (and its counter) and the model on their tab; a video result as the
input of Extend with its preview, sent by id (the job's inputs name that asset), replaceable
by a chosen file; another workspace's asset id ignored with a notice."""

import pytest
from playwright.sync_api import expect

from apps.gallery import services
from apps.gallery.models import Asset
from apps.jobs.models import Job, JobStatus
from tests.dashboard.test_studio_form_in_browser import login

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("studio_storage")]

PROMPT = 'A red fox runs through fresh snow at dawn <script>alert("x")</script>'


def make(actor, path, **kwargs) -> Asset:
    return services.asset_create_from_file(
        workspace=actor.workspace, owner=actor.user, path=path, **kwargs
    )


@pytest.fixture
def served(live_server, page, alice, settings):
    settings.PUBLIC_BASE_URL = live_server.url  # signed media links point at this server
    login(page, live_server.url, alice)
    return live_server.url


@pytest.fixture
def result(alice, mp4) -> Asset:
    """A video result of an earlier job, as the gallery shows it."""
    return make(
        alice,
        mp4,
        title="Fox in the snow",
        prompt=PROMPT,
        model="local/text-to-video",
        source_job_id="job_demo000000000000",
    )


def expect_tab(page, name: str) -> None:
    expect(page.get_by_role("tab", name=name)).to_have_attribute("aria-selected", "true")


def wait_ready(page) -> None:
    expect(page.locator("#studio-form")).to_have_attribute("data-ready", "1")


def test_reuse_prompt_opens_the_studio_with_the_prompt_and_model(served, page, result):
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(f"{served}/gallery/{result.public_id}/")
    page.get_by_role("link", name="Reuse prompt").click()
    page.wait_for_url("**/studio/**")
    wait_ready(page)
    expect_tab(page, "Text to video")
    expect(page.get_by_label("Model")).to_have_value("local/text-to-video")
    expect(page.locator("#f-prompt")).to_have_value(PROMPT)  # the markup stays text
    expect(page.locator("#prompt-counter")).to_have_text(f"{len(PROMPT)} / 2000")
    assert not dialogs and page.locator("#fields script").count() == 0
    expect(page.get_by_test_id("prefill-notice")).to_have_count(0)


def test_reuse_prompt_with_a_model_of_another_tab_selects_that_tab(served, page, alice, png):
    still = make(alice, png, prompt="Slow zoom on a harbour", model="local/image-to-video")
    page.goto(f"{served}/gallery/{still.public_id}/")
    page.get_by_role("link", name="Reuse prompt").click()
    wait_ready(page)
    expect_tab(page, "Image to video")
    expect(page.get_by_label("Model")).to_have_value("local/image-to-video")
    expect(page.locator("#f-prompt")).to_have_value("Slow zoom on a harbour")


def test_an_unknown_model_keeps_the_default(served, page):
    page.goto(f"{served}/studio/?prompt=Hello&model=nobody%2Fnothing")
    wait_ready(page)
    expect_tab(page, "Text to video")
    default = page.locator("#f-model option").first.get_attribute("value")
    expect(page.get_by_label("Model")).to_have_value(default)
    expect(page.locator("#f-prompt")).to_have_value("Hello")


def test_remix_a_video_extends_it_and_the_job_uses_that_asset(served, page, result):
    page.goto(f"{served}/gallery/{result.public_id}/")
    page.get_by_role("link", name="Remix").click()
    wait_ready(page)
    expect_tab(page, "Extend video")
    page.get_by_label("Model").select_option("local/extend-video")
    preview = page.get_by_test_id("preview-video")
    expect(preview).to_have_attribute("data-asset", result.public_id)
    expect(preview).to_contain_text("Fox in the snow · from your gallery")
    # The signed link plays: the browser reads the clip's length from the server.
    page.wait_for_function(
        "() => { const v = document.querySelector('[data-testid=preview-video] video');"
        " return v && v.readyState > 0 && Math.abs(v.duration - 2) < 0.2; }"
    )
    expect(page.locator("#f-prompt")).to_have_value(PROMPT)
    # Priced like a chosen file: the estimate answers (no "Can't price this yet").
    expect(page.locator("#estimate-credits")).to_have_text("0")
    expect(page.get_by_test_id("estimate-error")).to_have_count(0)

    page.get_by_label("Duration (seconds)").fill("1")
    page.get_by_role("button", name="Generate").click()
    expect(page.locator("#job-status")).to_have_text("completed", timeout=30_000)
    job = Job.objects.get()
    assert job.status == JobStatus.COMPLETED and job.method == "extend-video"
    assert job.inputs == {"video": result.public_id}  # sent by id: no new upload
    assert Asset.objects.filter(source_job_id=job.public_id, model="").count() == 0


def test_a_chosen_file_replaces_the_remixed_asset(served, page, result, mp4, png):
    page.goto(f"{served}/studio/?tab=extend-video&source={result.public_id}")
    wait_ready(page)
    page.get_by_label("Model").select_option("local/extend-video")
    expect(page.get_by_test_id("preview-video")).to_have_attribute("data-asset", result.public_id)
    page.locator("#f-video").set_input_files(str(mp4))
    preview = page.get_by_test_id("preview-video")
    expect(preview).to_contain_text("clip.mp4")
    expect(preview).not_to_have_attribute("data-asset", result.public_id)
    page.get_by_label("Duration (seconds)").fill("1")
    page.get_by_role("button", name="Generate").click()
    expect(page.locator("#job-status")).to_have_text("completed", timeout=30_000)
    job = Job.objects.get()
    assert job.inputs["video"] != result.public_id  # the uploaded file, stored anew


def test_another_workspaces_asset_is_ignored_with_a_notice(served, page, charlie, mp4):
    theirs = make(charlie, mp4, title="Charlie's secret cut")
    page.goto(f"{served}/studio/?tab=extend-video&source={theirs.public_id}")
    wait_ready(page)
    expect(page.get_by_test_id("prefill-notice")).to_contain_text("not in this workspace")
    expect(page.get_by_test_id("preview-video")).to_have_count(0)
    expect(page.locator("body")).not_to_contain_text("Charlie's secret cut")
    page.get_by_label("Model").select_option("local/extend-video")
    page.get_by_role("button", name="Generate").click()
    expect(page.locator('[data-error-for="video"]')).not_to_have_text("")
    assert not Job.objects.exists()

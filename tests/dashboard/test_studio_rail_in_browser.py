"""The jobs rail and the job pages in headless Chromium on the live stack (a live server and
a real Celery worker): a job is never lost by navigating away, going back or reloading; a
cancelled job says "Cancelled"; a held job says why it waits; switching workspace on a job
page lands on the Studio."""

import re

import pytest
from playwright.sync_api import expect

from apps.accounts.services import workspace_create
from apps.jobs.models import Job, JobStatus
from tests.dashboard.test_studio_form_in_browser import login, open_studio

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

# Long enough to still be rendering while the test walks around (about 10-30 s here).
LONG = {"prompt": "Twelve seconds of title cards", "duration": "12", "resolution": "720p"}
REVIEW_PROMPT = "A knight's g0ry duel in the rain"  # screening holds it (tests/moderation)


def submit(page, fields: dict) -> Job:
    page.get_by_label("Prompt").fill(fields["prompt"])
    page.get_by_label("Duration (seconds)").fill(fields["duration"])
    page.get_by_label("Resolution").select_option(fields["resolution"])
    link = page.locator("#job-link")
    before = link.inner_text() if page.locator("#job-live").is_visible() else ""
    page.get_by_role("button", name="Generate").click()
    expect(page.locator("#job-live")).to_be_visible()
    # The panel shows the new job once the submit has answered: until then it still
    # shows the previous one (reading it at once raced a slow submit).
    if before:
        expect(link).not_to_have_text(before, timeout=30_000)
    job_id = link.inner_text()
    return Job.objects.get(public_id=job_id)


def panel_shows(page, job: Job) -> None:
    expect(page.locator("#job-link")).to_have_text(job.public_id)
    rail_item = page.locator(f'.rail-item[data-job="{job.public_id}"]')
    expect(rail_item).to_be_visible()
    expect(rail_item).to_contain_text(job.prompt)
    expect(rail_item).to_contain_text("Local animatic")


def test_the_rail_survives_navigation_back_and_reload(live_stack, page, alice, browser):
    login(page, live_stack.url, alice)
    open_studio(page, live_stack.url)
    job = submit(page, LONG)
    expect(page.locator("#job-status")).to_have_text("running", timeout=30_000)
    expect(page.locator(f'.rail-item[data-job="{job.public_id}"] progress')).to_be_visible()

    # Away to the gallery mid-job, then back: the panel follows the same job again.
    page.get_by_role("link", name="Gallery", exact=True).click()
    expect(page).to_have_url(f"{live_stack.url}/gallery/")
    job.refresh_from_db()
    assert job.status not in (JobStatus.COMPLETED, JobStatus.FAILED)  # really mid-job
    page.go_back()
    panel_shows(page, job)

    # A reload, and a fresh visit to /studio/ without ?job=: the same.
    page.reload()
    panel_shows(page, job)
    open_studio(page, live_stack.url)
    panel_shows(page, job)
    expect(page.locator(f'.rail-item[data-job="{job.public_id}"] .rail-elapsed')).not_to_be_empty()

    # Another browser (no localStorage at all): the rail comes from the server.
    other = browser.new_context()
    try:
        fresh = other.new_page()
        fresh.set_default_timeout(15_000)
        login(fresh, live_stack.url, alice)
        open_studio(fresh, live_stack.url)
        expect(fresh.locator(f'.rail-item[data-job="{job.public_id}"]')).to_be_visible()
    finally:
        other.close()

    # The job ends while we watch; the rail and the panel both say so.
    expect(page.locator("#job-status")).to_have_text("completed", timeout=120_000)
    expect(page.locator(f'.rail-item[data-job="{job.public_id}"]')).to_contain_text(
        "Completed", timeout=15_000
    )
    page.wait_for_function(
        "() => { const v = document.querySelector('#job-video');"
        " return v && v.src && v.readyState > 0 && v.duration > 11; }",
        timeout=30_000,
    )


def test_clicking_a_rail_job_attaches_it_to_the_result_panel(live_stack, page, alice):
    login(page, live_stack.url, alice)
    open_studio(page, live_stack.url)
    first = submit(page, {"prompt": "A short first one", "duration": "1", "resolution": "480p"})
    expect(page.locator("#job-status")).to_have_text("completed", timeout=60_000)
    second = submit(page, {"prompt": "A short second one", "duration": "1", "resolution": "480p"})
    expect(page.locator("#job-status")).to_have_text("completed", timeout=60_000)
    expect(page.locator("#job-link")).to_have_text(second.public_id)
    page.locator(f'.rail-item[data-job="{first.public_id}"] a').click()
    expect(page.locator("#job-link")).to_have_text(first.public_id)
    expect(page).to_have_url(f"{live_stack.url}/studio/?tab=text-to-video&job={first.public_id}")
    expect(page.locator(f'.rail-item[data-job="{first.public_id}"]')).to_have_class(
        "rail-item status-completed selected"
    )


def test_a_job_cancelled_mid_render_says_cancelled_on_its_page(live_stack, page, alice):
    login(page, live_stack.url, alice)
    open_studio(page, live_stack.url)
    job = submit(page, LONG)
    expect(page.locator("#job-status")).to_have_text("running", timeout=30_000)
    page.locator("#job-link").click()
    expect(page.get_by_test_id("job-status")).to_have_text("Running")
    # The facts box and the bar say the same thing while it runs.
    page.wait_for_function(
        "() => document.querySelector('#job-progress').value > 0"
        " && document.querySelector('#job-stage').textContent"
        " === document.querySelector('#job-facts-status').textContent",
        timeout=30_000,
    )
    page.once("dialog", lambda d: d.accept())  # "Cancel this job? …"
    page.get_by_role("button", name="Cancel").click()
    expect(page.get_by_test_id("job-status")).to_have_text("Cancelled")
    expect(page.get_by_test_id("job-facts-status")).to_have_text("Cancelled")
    # Everything but the event log (which keeps the service's own words, with times).
    body = page.evaluate(
        "() => { const m = document.querySelector('main').cloneNode(true);"
        " m.querySelector('[data-testid=job-events]').remove(); return m.innerText; }"
    )
    assert "Cancelled at the owner's request" not in body
    assert "Rendering" not in body and "%)" not in body
    assert ": Cancelled" not in body
    expect(page.get_by_test_id("job-error")).to_have_count(0)
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED


def test_a_held_job_says_why_it_waits_in_the_panel(live_stack, page, alice):
    login(page, live_stack.url, alice)
    open_studio(page, live_stack.url)
    submit(page, {"prompt": REVIEW_PROMPT, "duration": "1", "resolution": "480p"})
    expect(page.locator("#job-status")).to_have_text("review")
    expect(page.locator("#job-stage")).to_have_text("Held for review")
    note = page.get_by_test_id("panel-review-note")
    expect(note).to_contain_text("screening asked a person to check the prompt")
    expect(note).to_contain_text("Approved, it runs with the credits already held")


def test_switching_workspace_on_a_job_page_goes_to_the_studio(live_stack, page, alice):
    other = workspace_create(owner=alice.user, name="Second studio")
    login(page, live_stack.url, alice)
    open_studio(page, live_stack.url)
    job = submit(page, {"prompt": "A short one", "duration": "1", "resolution": "480p"})
    page.goto(f"{live_stack.url}/jobs/{job.public_id}/")
    expect(page.get_by_test_id("job-status")).to_be_visible()
    page.locator("#ws-switch").select_option(other.public_id)
    expect(page).to_have_url(re.compile(re.escape(f"{live_stack.url}/studio/") + r"(\?.*)?$"))
    expect(page.get_by_role("heading", name="Studio")).to_be_visible()
    # The new workspace's rail: nothing of the other one's.
    expect(page.locator(f'.rail-item[data-job="{job.public_id}"]')).to_have_count(0)

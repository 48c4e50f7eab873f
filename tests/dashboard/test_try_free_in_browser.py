""" "Try it without an account": a visitor on the models page and on the login page
animates a picture with the free perk (PROVIDER_SANDBOX on, as under `make run`), with no
account and no credits, and watches the result play."""

import pytest
from playwright.sync_api import expect

from apps.billing.models import LedgerEntry
from apps.jobs.models import AnonymousJob, Job, JobStatus
from tests.gallery.mediafiles import make_png

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("studio_storage")]


@pytest.fixture
def visitor_page(live_server, page, settings, tmp_path):
    settings.PROVIDER_SANDBOX = True
    settings.PROVIDER_SANDBOX_POLLS = 2
    settings.PUBLIC_BASE_URL = live_server.url
    settings.PROVIDER_WEBHOOK_BASE_URL = ""
    settings.FAL_KEY = ""  # nothing configured: only the sandbox makes it run
    return page, make_png(tmp_path / "still.png", width=640, height=360)


@pytest.mark.parametrize("path", ["/models/", "/login/"])
def test_a_visitor_animates_a_picture_free_from_a_public_page(visitor_page, live_server, path):
    page, png = visitor_page
    page.goto(f"{live_server.url}{path}")
    section = page.locator("#try-free")
    expect(section.get_by_role("heading", name="Try it without an account")).to_be_visible()
    section.get_by_label("Image").set_input_files(str(png))
    section.get_by_label("Prompt").fill("The lighthouse beam sweeps across the waves")
    section.get_by_role("button", name="Animate it free").click()
    expect(section.locator(".try-free-status")).to_contain_text("Done", timeout=60_000)
    expect(section.locator("video")).to_be_visible()

    job = Job.objects.get()
    assert (job.status, job.model, job.credits_charged) == (
        JobStatus.COMPLETED,
        "seedance-lite-i2v",
        0,
    )
    assert AnonymousJob.objects.filter(job=job).exists()
    assert not LedgerEntry.objects.exists()


def test_the_form_is_not_offered_when_no_free_perk_model_is_available(live_server, page, settings):
    settings.PROVIDER_SANDBOX = False
    settings.FAL_KEY = ""
    page.goto(f"{live_server.url}/models/")
    expect(page.get_by_role("heading", name="Models & pricing")).to_be_visible()
    expect(page.locator("#try-free")).to_have_count(0)

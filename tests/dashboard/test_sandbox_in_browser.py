"""Sandbox models run and charge: with PROVIDER_SANDBOX on (as `make run` has it), a
provider's model picked in the Studio runs on the in-app sandbox, completes, is marked
with the sandbox badge on its job and asset pages, and the workspace's credits go down by
the model's real price. Screenshots go to var/screenshots/ (kept by CI)."""

import re

import pytest
from django.conf import settings as django_settings
from playwright.sync_api import expect

from apps.billing.models import CreditAccount
from apps.billing.services import credits_grant
from apps.catalog.pricing import price_quote
from apps.catalog.registry import spec_for
from apps.jobs.models import Job, JobStatus

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("studio_storage")]

SCREENSHOTS = django_settings.BASE_DIR / "var" / "screenshots"
MODEL = "pika-1.0"  # Runware's Pika 1.0: a provider model, priced in dollars
FUNDS = 5000


@pytest.fixture
def sandbox_studio(live_server, page, alice, settings):
    settings.PROVIDER_SANDBOX = True
    settings.PROVIDER_SANDBOX_POLLS = 2
    settings.PUBLIC_BASE_URL = live_server.url
    settings.PROVIDER_WEBHOOK_BASE_URL = ""
    for name in ("RUNWARE_API_KEY", "WAVESPEED_API_KEY", "FAL_KEY"):
        setattr(settings, name, "")  # nothing configured: only the sandbox makes them run
    credits_grant(workspace=alice.workspace, credits=FUNDS, idempotency_key="fund")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Email").fill(alice.user.email)
    page.get_by_label("Password").fill("pw-for-tests-1")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Studio", exact=True).click()
    expect(page.get_by_role("heading", name="Studio")).to_be_visible()
    return page


def test_a_sandbox_model_runs_and_charges_its_real_price(sandbox_studio, alice, live_server):
    page = sandbox_studio
    expect(page.locator("#balance")).to_have_text(str(FUNDS))
    page.get_by_label("Model").select_option(MODEL)
    expect(page.locator("#model-info")).to_contain_text("available")
    page.get_by_label("Prompt").fill("Kill the lights and fade to black")
    estimate = page.locator("#estimate-credits")
    expect(estimate).to_have_text(re.compile(r"^[1-9]\d*$"))
    shown = int(estimate.inner_text())
    page.screenshot(path=str(SCREENSHOTS / "sandbox-studio-form.png"), full_page=True)

    page.get_by_role("button", name="Generate").click()
    expect(page.locator("#job-status")).to_have_text("completed", timeout=60_000)
    page.screenshot(path=str(SCREENSHOTS / "sandbox-studio-done.png"), full_page=True)

    job = Job.objects.get(workspace=alice.workspace)
    assert (job.status, job.model, job.sandbox) == (JobStatus.COMPLETED, MODEL, True)
    real_price = price_quote(
        spec=spec_for(MODEL),
        seconds=job.params["duration"],
        resolution=job.params.get("resolution"),
        with_audio=bool(job.params.get("with_audio")),
        discount_percent=alice.workspace.tier.credit_discount_percent,
    ).credits
    assert shown == job.credits_charged == real_price > 0
    account = CreditAccount.objects.get(workspace=alice.workspace)
    assert (account.balance, account.held) == (FUNDS - real_price, 0)

    # The job page: completed, the sandbox badge, the charge.
    page.goto(f"{live_server.url}/jobs/{job.public_id}/")
    expect(page.get_by_test_id("job-status")).to_have_text("Completed")
    expect(page.get_by_test_id("sandbox-badge")).to_be_visible()
    expect(page.get_by_test_id("job-credits")).to_contain_text(str(real_price))
    page.wait_for_function(
        "() => { const v = document.querySelector('video'); return v && v.readyState > 0; }"
    )
    page.screenshot(path=str(SCREENSHOTS / "sandbox-job.png"), full_page=True)

    # The asset page carries the badge too.
    page.goto(f"{live_server.url}/gallery/{job.result_asset.public_id}/")
    expect(page.get_by_test_id("sandbox-badge")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "sandbox-asset.png"), full_page=True)

    # Back in the Studio the balance is lower by exactly the price.
    page.goto(f"{live_server.url}/studio/")
    expect(page.locator("#balance")).to_have_text(str(FUNDS - real_price))


def test_a_local_job_has_no_sandbox_badge(sandbox_studio, alice, live_server):
    page = sandbox_studio
    page.get_by_label("Model").select_option("local/text-to-video")
    page.get_by_label("Prompt").fill("A red fox at dawn")
    page.get_by_label("Duration (seconds)").fill("1")
    page.get_by_role("button", name="Generate").click()
    expect(page.locator("#job-status")).to_have_text("completed", timeout=60_000)
    job = Job.objects.get(workspace=alice.workspace)
    page.goto(f"{live_server.url}/jobs/{job.public_id}/")
    expect(page.get_by_test_id("job-status")).to_have_text("Completed")
    expect(page.get_by_test_id("sandbox-badge")).to_have_count(0)


def test_a_retake_from_the_process_tab_sends_the_prompt_and_its_settings(
    sandbox_studio, alice, tmp_path
):
    """Process → retake: only the AI edit models, the prompt and the model's own
    settings (start, stretch, what to replace); it runs on the sandbox and charges."""
    from tests.gallery.mediafiles import make_mp4

    page = sandbox_studio
    expect(page.locator("#studio-form")).to_have_attribute("data-ready", "1")
    page.get_by_role("tab", name="Process").click()
    expect(page.get_by_label("Operation")).to_be_visible()
    page.get_by_label("Operation").select_option("retake")
    expect(page.get_by_label("Model")).to_have_value("lightricks/ltx-2-retake")
    expect(page.locator("#f-model option")).to_have_count(1)
    expect(page.locator("#f-speed")).to_have_count(0)  # the local edit's settings are gone
    page.locator("#f-video").set_input_files(str(make_mp4(tmp_path / "take.mp4", seconds=6)))
    page.get_by_label("Prompt").fill("The actor laughs instead")
    page.get_by_label("Retake from (s)").fill("1.5")
    page.get_by_label("Duration (seconds)").fill("3")
    page.get_by_label("Resolution").select_option("720p")
    page.get_by_label("Replace", exact=True).select_option("replace_video")
    # The estimate follows the fields: 3 s of the stretch at 720p, the catalogue's price.
    price = price_quote(spec=spec_for("lightricks/ltx-2-retake"), seconds=3, resolution="720p")
    assert price.credits > 0
    expect(page.locator("#estimate-credits")).to_have_text(str(price.credits))
    page.get_by_role("button", name="Process").click()
    expect(page.locator("#job-status")).to_have_text("completed", timeout=60_000)

    job = Job.objects.get(workspace=alice.workspace)
    assert (job.method, job.model, job.prompt) == (
        "edit",
        "lightricks/ltx-2-retake",
        "The actor laughs instead",
    )
    params = job.params
    assert (params["start_time"], params["duration"], params["retake_mode"]) == (
        1.5,
        3,
        "replace_video",
    )
    assert job.credits_charged == price.credits == job.credits_estimated
    assert CreditAccount.objects.get(workspace=alice.workspace).balance == FUNDS - price.credits

"""The Studio's issue-17 controls in headless Chromium against a live server (tasks
eager): the HLS output format (offered to the tiers in HLS_TIERS, disabled with the tiers
named for others) playing in the result panel; extend with "continue with an
image-to-video model" and a crossfade; fallback models, whose hold the estimate shows as
the highest candidate price, delivered by the fallback during the primary's outage with
every attempt on the panel, the rail and the job page."""

import re

import pytest
from playwright.sync_api import expect

from apps.accounts.models import Tier
from apps.billing.models import CreditAccount
from apps.billing.services import credits_grant
from apps.catalog.preflight import job_preflight
from apps.catalog.services import job_quote
from apps.jobs.models import Job
from tests.dashboard.test_studio_form_in_browser import drop, login, open_studio
from tests.providers.conftest import sandbox, sandbox_server  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("studio_storage")]

PRIMARY = "wavespeed-ai/hunyuan-video-1.5/text-to-video"  # on wavespeed
FALLBACK = "seedance-lite-t2v"  # on fal
FALLBACK_2 = "seedance-pro-t2v"  # on fal


@pytest.fixture
def studio_for(live_server, page, settings):
    settings.PUBLIC_BASE_URL = live_server.url

    def open_as(actor, tier: str | None = None):
        if tier:
            actor.workspace.tier = Tier.objects.get(name=tier)
            actor.workspace.save(update_fields=["tier"])
        credits_grant(workspace=actor.workspace, credits=10_000, idempotency_key="fund")
        login(page, live_server.url, actor)
        open_studio(page, live_server.url)
        return page

    return open_as


def completed(page, timeout=60_000) -> Job:
    expect(page.locator("#job-status")).to_have_text("completed", timeout=timeout)
    job_id = page.locator("#job-link").inner_text()
    return Job.objects.get(public_id=job_id)


def test_hls_is_disabled_with_the_tiers_named_outside_hls_tiers(studio_for, alice):
    page = studio_for(alice)  # the Free tier
    hls = page.locator('#f-output-format option[value="hls"]')
    expect(hls).to_be_disabled()
    expect(page.get_by_test_id("hint-output_format")).to_contain_text("enterprise tier only")
    # The Process tab's transform offers it the same way.
    page.get_by_role("tab", name="Process").click()
    page.locator("#f-operation").select_option("transform")
    expect(page.locator('#f-output_format option[value="hls"]')).to_be_disabled()
    expect(page.get_by_test_id("hint-transform-hls")).to_contain_text("enterprise")


def test_an_enterprise_workspace_generates_hls_and_it_plays_in_the_studio(
    studio_for, alice, settings
):
    page = studio_for(alice, tier="enterprise")
    page.get_by_label("Model").select_option("local/text-to-video")
    page.get_by_label("Prompt", exact=True).fill("Waves rolling onto a beach at dusk")
    page.get_by_label("Duration (seconds)").fill("3")
    expect(page.locator('#f-output-format option[value="hls"]')).to_be_enabled()
    expect(page.get_by_test_id("hint-output_format")).to_contain_text("adaptive master playlist")
    page.get_by_label("Output format").select_option("hls")
    expect(page.locator("#estimate-credits")).to_have_text(re.compile(r"^\d+$"))
    page.get_by_role("button", name="Generate").click()
    job = completed(page)
    assert job.params.get("output_format") == "hls"
    assert job.result_asset.hls_key
    video = page.locator("#job-video")
    expect(video).to_have_attribute("data-source", re.compile(r"/master\.m3u8"))
    expect(video).to_have_attribute("data-player", re.compile(r"^(native|hls\.js)$"))
    page.wait_for_function(
        "() => { const v = document.querySelector('#job-video');"
        " return v.readyState > 0 && Math.abs(v.duration - 3) < 0.3; }",
        timeout=20_000,
    )


def test_extend_continues_a_video_with_an_image_to_video_model_and_a_crossfade(
    studio_for, alice, mp4
):
    page = studio_for(alice)
    page.get_by_role("tab", name="Extend").click()
    page.get_by_label("Continue it with image-to-video").check()
    model = page.get_by_label("Model")
    expect(model.locator('option[value="local/image-to-video"]')).to_have_count(1)
    model.select_option("local/image-to-video")
    expect(page.get_by_test_id("continuation-note")).to_be_visible()
    # The model takes the source video where it took its start image.
    expect(page.locator("#f-image")).to_have_count(0)
    drop(page, "video", mp4, "video/mp4")
    expect(page.get_by_test_id("preview-video")).to_be_visible()
    page.get_by_label("Duration (seconds)").fill("1")
    page.get_by_label("Crossfade (seconds)").fill("0.25")
    expect(page.locator("#estimate-credits")).to_have_text(re.compile(r"^\d+$"))
    page.get_by_role("button", name="Generate").click()
    job = completed(page)
    assert (job.method, job.model) == ("extend-video", "local/image-to-video")
    assert job.params["continuation"] == {"crossfade": 0.25}
    # The 2 s source, then the 1 s continuation, less the 0.25 s dissolve.
    assert abs(job.result_asset.duration - 2.75) < 0.15, job.result_asset.duration


def test_a_bad_crossfade_is_marked_and_nothing_is_sent(studio_for, alice, mp4):
    page = studio_for(alice)
    page.get_by_role("tab", name="Extend").click()
    page.get_by_label("Continue it with image-to-video").check()
    page.get_by_label("Model").select_option("local/image-to-video")
    drop(page, "video", mp4, "video/mp4")
    page.get_by_label("Crossfade (seconds)").fill("3")
    page.get_by_role("button", name="Generate").click()
    expect(page.locator('[data-error-for="crossfade"]')).to_contain_text("must be 0")
    assert not Job.objects.filter(workspace=alice.workspace).exists()


def price(workspace, model: str) -> int:
    fields = {
        "method": "text-to-video",
        "model": model,
        "prompt": "x",
        "duration": 5,
        "resolution": "480p",
    }
    return job_quote(preflight=job_preflight(fields=fields), workspace=workspace).credits


def test_fallback_models_hold_the_highest_price_and_deliver_during_an_outage(
    studio_for,
    alice,
    sandbox,  # noqa: F811
):
    page = studio_for(alice)
    page.get_by_label("Model").select_option(PRIMARY)
    page.get_by_label("Prompt", exact=True).fill("A red fox at dawn")
    page.get_by_label("Duration (seconds)").fill("5")
    page.get_by_label("Resolution").select_option("480p")
    page.get_by_label("Fallbacks (optional)").select_option([FALLBACK, FALLBACK_2])
    prices = [price(alice.workspace, m) for m in (PRIMARY, FALLBACK, FALLBACK_2)]
    expect(page.locator("#estimate-credits")).to_have_text(str(prices[0]))
    expect(page.locator("#estimate-hold-credits")).to_have_text(str(max(prices)))
    expect(page.get_by_test_id("estimate-hold")).to_contain_text("highest of the 3 models")

    with sandbox.outage("wavespeed"):
        page.get_by_role("button", name="Generate").click()
        job = completed(page)
    assert (job.model, job.fallback_models) == (FALLBACK, [FALLBACK, FALLBACK_2])
    assert job.credits_held == max(prices) and job.credits_charged == prices[1]
    account = CreditAccount.objects.get(workspace=alice.workspace)
    assert account.held == 0

    attempts = page.get_by_test_id("panel-attempts")
    expect(attempts).to_be_visible()
    expect(attempts).to_contain_text("Tried 2 models")
    expect(attempts.get_by_test_id("attempt")).to_have_count(2)
    expect(attempts.get_by_test_id("attempt").first).to_contain_text(f"{PRIMARY} on wavespeed")
    expect(attempts.get_by_test_id("attempt").last).to_contain_text("delivered")
    expect(page.get_by_test_id("rail-attempts").first).to_contain_text("Tried 2 models")

    page.locator("#job-link").click()
    table = page.get_by_test_id("job-attempts")
    expect(table.get_by_test_id("attempt")).to_have_count(2)
    expect(table.get_by_test_id("attempt").first).to_contain_text("wavespeed")
    expect(table.get_by_test_id("attempt").last).to_contain_text("delivered")


def test_a_job_on_its_first_model_shows_no_attempts(studio_for, alice):
    page = studio_for(alice)
    page.get_by_label("Model").select_option("local/text-to-video")
    page.get_by_label("Prompt", exact=True).fill("A lighthouse")
    page.get_by_label("Duration (seconds)").fill("1")
    page.get_by_role("button", name="Generate").click()
    job = completed(page)
    assert len(job.attempt_log) <= 1
    expect(page.get_by_test_id("panel-attempts")).to_be_hidden()
    page.locator("#job-link").click()
    expect(page.get_by_test_id("job-attempts")).to_have_count(0)

"""The Usage page in headless Chromium: the four charts render (a canvas of non-zero size
with the series drawn in its colour) from jobs that really ran, the range picker
reloads them, and the CSV link downloads."""

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from playwright.sync_api import expect

from apps.billing.services import credits_grant
from apps.catalog.services import model_override_set
from apps.jobs.models import Job, JobStatus
from tests.dashboard.test_studio_form_in_browser import login
from tests.jobs.usagedata import at, make_job

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("studio_storage")]

SCREENSHOTS = Path(django_settings.BASE_DIR) / "var" / "screenshots"
TODAY = dt.datetime.now(dt.UTC).date()
TEXT_JOB = {
    "method": "text-to-video",
    "model": "local/text-to-video",
    "prompt": "A red fox at dawn",
    "duration": 1,
    "resolution": "480p",
    "fps": 24,
}

# Pixels of a chart's canvas in the series colour (static/js/usage.js), counted in page.
COUNT_COLOUR = """([id, rgb]) => {
  const canvas = document.querySelector('#' + id + ' canvas');
  const ctx = canvas.getContext('2d');
  const img = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
  let n = 0;
  for (let i = 0; i < img.length; i += 4) {
    if (Math.abs(img[i] - rgb[0]) < 24 && Math.abs(img[i + 1] - rgb[1]) < 24
        && Math.abs(img[i + 2] - rgb[2]) < 24 && img[i + 3] > 100) n++;
  }
  return n;
}"""
CHARTS = {
    "chart-spend": (0x4F, 0x8C, 0xFF),
    "chart-status": (0x3F, 0xBF, 0x7F),
    "chart-models": (0xB0, 0x7C, 0xFF),
    "chart-success": (0x3F, 0xBF, 0x7F),
}


@pytest.fixture
def ran_jobs(alice):
    """Two jobs run for real on the local engine (7 credits each, charged on delivery),
    and older rows of other models and outcomes."""
    model_override_set(model_id="local/text-to-video", price_credits=7)
    credits_grant(workspace=alice.workspace, credits=500, idempotency_key="fund")
    for _ in range(2):
        assert alice.api.post("/api/v1/generate", TEXT_JOB, format="json").status_code == 202
    assert Job.objects.filter(status=JobStatus.COMPLETED, credits_charged=7).count() == 2
    ws = alice.workspace
    make_job(ws, created=at(TODAY - dt.timedelta(days=3)), charged=40, model="fal/kling", took_s=60)
    make_job(ws, created=at(TODAY - dt.timedelta(days=3)), status="failed", took_s=5)
    make_job(ws, created=at(TODAY - dt.timedelta(days=12)), charged=25, model="veo/fast", took_s=90)
    return ws


def test_the_usage_charts_render_real_jobs(live_server, page, alice, ran_jobs):
    page.set_viewport_size({"width": 1366, "height": 900})
    login(page, live_server.url, alice)
    page.get_by_role("link", name="Usage").click()
    expect(page.locator("body")).to_have_attribute("data-usage-ready", "1")
    expect(page.get_by_test_id("usage-totals")).to_contain_text("79")  # 7 + 7 + 40 + 25
    for chart, rgb in CHARTS.items():
        canvas = page.locator(f"#{chart} canvas")
        expect(canvas).to_have_count(1)
        box = canvas.bounding_box()
        assert box["width"] > 200 and box["height"] > 100, (chart, box)
        assert page.evaluate(COUNT_COLOUR, [chart, list(rgb)]) > 20, chart
    spend = page.evaluate("() => window.usageCharts.spend.data[1]")
    assert spend[-1] == 14 and spend[-4] == 40 and spend[-13] == 25 and sum(spend) == 79
    models = page.evaluate("() => window.usageCharts.models.data[1]")
    assert models == [40, 25, 14]
    success = page.evaluate("() => window.usageCharts.success.data[1]")
    assert success[-1] == 1 and success[-4] == 0.5
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "usage-1366.png"), full_page=True)

    # A narrower range through the date inputs redraws with fewer days.
    page.get_by_label("From").fill((TODAY - dt.timedelta(days=6)).isoformat())
    page.get_by_role("button", name="Show").click()
    expect(page.locator("body")).to_have_attribute("data-usage-ready", "1")
    assert len(page.evaluate("() => window.usageCharts.spend.data[0]")) == 7
    assert page.evaluate("() => window.usageCharts.models.data[1]") == [40, 14]

    with page.expect_download() as download:
        page.get_by_test_id("csv-download").click()
    lines = Path(download.value.path()).read_text().splitlines()
    assert lines[0].startswith("day,label,jobs_total,")
    assert len(lines) == 8 and lines[-1].startswith(f"{TODAY},{TODAY},2,")

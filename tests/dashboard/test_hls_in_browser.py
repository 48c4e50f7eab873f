"""An HLS result plays to its end in headless Chromium, in the Studio's result panel and
on the public share page, on the live stack (a live server and a real Celery worker).

Chromium 14x+ plays HLS natively (canPlayType says "maybe"), so the Studio uses that;
the share page is opened in a browser context where canPlayType denies HLS — as in
older Chromium and Firefox — so the vendored hls.js (Media Source Extensions) plays it."""

import time

import pytest
from playwright.sync_api import expect

from apps.accounts.models import Tier
from apps.gallery import services
from apps.gallery.models import Asset
from apps.jobs.models import Job, JobStatus
from tests.dashboard.test_studio_form_in_browser import login, open_studio
from tests.jobs.test_hls import HLS_JOB

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

PLAYS_TO_THE_END = """(sel) => new Promise((resolve, reject) => {
  const v = document.querySelector(sel);
  const timer = setTimeout(() => reject(new Error("not ended: t=" + v.currentTime)), 60000);
  v.addEventListener("ended", () => { clearTimeout(timer); resolve({
    player: v.dataset.player, duration: v.duration, time: v.currentTime,
    src: v.currentSrc, width: v.videoWidth }); });
  v.addEventListener("hlserror", (e) => { clearTimeout(timer); reject(new Error(e.detail)); });
  v.muted = true;
  v.playbackRate = 4;
  v.play().catch(reject);
})"""


def finished_hls_job(actor) -> Job:
    response = actor.api.post("/api/v1/generate", HLS_JOB, format="json")
    assert response.status_code == 202, response.json()
    job = Job.objects.get(public_id=response.json()["id"])
    deadline = time.monotonic() + 180
    while job.status not in (JobStatus.COMPLETED, JobStatus.FAILED) and time.monotonic() < deadline:
        time.sleep(0.5)
        job.refresh_from_db()
    assert job.status == JobStatus.COMPLETED, (job.status, job.error_message)
    assert job.result_asset.hls_key
    return job


def segment_requests(page) -> list[str]:
    seen: list[str] = []
    page.on(
        "request",
        lambda r: seen.append(r.url) if "/media-signed/hls/" in r.url else None,
    )
    return seen


NO_NATIVE_HLS = """(() => {
  const can = HTMLMediaElement.prototype.canPlayType;
  HTMLMediaElement.prototype.canPlayType = function (type) {
    return /mpegurl/i.test(type) ? "" : can.call(this, type);
  };
})();"""


# The set as a player sees it: the master playlist's renditions and each one's segments
# (fetched in the page with the signed link, so exactly what the player was given).
HLS_SET = """async (master) => {
  const text = async (u) => (await fetch(u)).text();
  const body = await text(master);
  const lines = body.split("\\n");
  const out = [];
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i].startsWith("#EXT-X-STREAM-INF")) continue;
    const res = (lines[i].match(/RESOLUTION=(\\d+x\\d+)/) || [])[1];
    const bw = Number((lines[i].match(/BANDWIDTH=(\\d+)/) || [])[1]);
    const variant = new URL(lines[i + 1].trim(), master).href;
    const v = await text(variant);
    const durations = [...v.matchAll(/#EXTINF:([\\d.]+)/g)].map((m) => Number(m[1]));
    out.push({ resolution: res, bandwidth: bw, segments: durations });
  }
  return out;
}"""


def hls_figures(page, master: str) -> list[dict]:
    renditions = page.evaluate(HLS_SET, master)
    # The shape: 2 to 3 renditions, ~4 s segments, each rendition the whole video.
    assert 2 <= len(renditions) <= 3, renditions
    for r in renditions:
        assert r["segments"] and max(r["segments"]) <= 4.5, r
        assert abs(sum(r["segments"]) - 9.0) < 0.3, r
    return renditions


def report(where: str, ended: dict, requested: list[str], renditions: list[dict]) -> None:
    fetched = [u.rsplit("/", 1)[-1] for u in requested if u.endswith(".ts")]
    print(
        f"\nHLS in Chromium ({where}): player={ended['player']} played "
        f"{ended['time']:.2f} of {ended['duration']:.2f} s to 'ended'; "
        f"{len(renditions)} renditions "
        + ", ".join(
            f"{r['resolution']} @ {r['bandwidth'] // 1000} kb/s: {len(r['segments'])} segments "
            f"({'+'.join(f'{d:g}' for d in r['segments'])} s)"
            for r in renditions
        )
        + f"; {len(fetched)} segments fetched ({', '.join(sorted(set(fetched)))})"
    )


def assert_played_hls(ended: dict, requested: list[str], player: str) -> None:
    assert ended["player"] == player
    if player == "hls.js":
        assert ended["src"].startswith("blob:")  # Media Source Extensions, not a file
    else:
        assert ended["src"].endswith("/master.m3u8")
    assert abs(ended["duration"] - 9.0) < 0.3 and ended["time"] >= 8.7
    assert any(u.endswith("/master.m3u8") for u in requested)
    segments = [u for u in requested if u.endswith(".ts")]
    assert len(segments) >= 3, requested


def test_an_hls_result_plays_to_its_end_in_the_studio_and_on_the_share_page(
    live_stack, page, alice, browser
):
    alice.workspace.tier = Tier.objects.get(name="enterprise")
    alice.workspace.save(update_fields=["tier"])
    job = finished_hls_job(alice)

    requested = segment_requests(page)
    login(page, live_stack.url, alice)
    open_studio(page, live_stack.url)
    page.goto(f"{live_stack.url}/studio/?job={job.public_id}")
    expect(page.locator("#job-status")).to_have_text("completed", timeout=30_000)
    native = page.evaluate(
        "() => !!document.createElement('video').canPlayType('application/vnd.apple.mpegurl')"
    )
    player = "native" if native else "hls.js"
    expect(page.locator("#job-video")).to_have_attribute("data-player", player)
    ended = page.evaluate(PLAYS_TO_THE_END, "#job-video")
    assert_played_hls(ended, requested, player)
    master = page.evaluate("() => document.querySelector('#job-video').dataset.source")
    report("Studio", ended, requested, hls_figures(page, master))

    asset = Asset.objects.get(pk=job.result_asset_id)
    services.asset_save(asset=asset)
    services.asset_update(asset=asset, visibility="public")
    context = browser.new_context()  # anonymous
    context.add_init_script(NO_NATIVE_HLS)
    try:
        share = context.new_page()
        share.set_default_timeout(15_000)
        requested = segment_requests(share)
        share.goto(f"{live_stack.url}/gallery/public/{asset.public_id}/")
        player = share.get_by_test_id("player")
        expect(player).to_have_attribute("data-player", "hls.js")
        ended = share.evaluate(PLAYS_TO_THE_END, "[data-testid=player]")
        assert_played_hls(ended, requested, "hls.js")
        master = next(u for u in requested if u.endswith("/master.m3u8"))
        report("share page, hls.js", ended, requested, hls_figures(share, master))
    finally:
        context.close()
